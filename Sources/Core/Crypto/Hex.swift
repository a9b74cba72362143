import Crypto
import Foundation

/// Lower-case hex of bytes: digests, ids. Written out by hand because `String(format:)` per byte is
/// slow on Linux and this runs on every request (key hashes, request ids).
public enum Hex {
    static let digits = Array("0123456789abcdef".utf8)

    public static func encode(_ bytes: some Sequence<UInt8>) -> String {
        var out: [UInt8] = []
        out.reserveCapacity(bytes.underestimatedCount * 2)
        for byte in bytes {
            out.append(digits[Int(byte >> 4)])
            out.append(digits[Int(byte & 0x0F)])
        }
        return String(decoding: out, as: UTF8.self)
    }

    /// Hex SHA-256 of UTF-8 text or bytes.
    public static func sha256(_ text: String) -> String { encode(SHA256.hash(data: Data(text.utf8))) }
    public static func sha256(_ data: Data) -> String { encode(SHA256.hash(data: data)) }
}
