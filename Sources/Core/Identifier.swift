import Foundation

/// Row identifiers: UUIDv7 (RFC 9562) in lower-case text form. Time-ordered, so ids sort by creation
/// and index well, and they carry no tenant information.
public enum Identifier {
    public static func make(now: Date = Date()) -> String {
        var bytes = SecureRandom.bytes(16)
        let millis = UInt64(max(0, now.timeIntervalSince1970 * 1000))
        for index in 0..<6 { bytes[index] = UInt8((millis >> (8 * UInt64(5 - index))) & 0xFF) }
        bytes[6] = (bytes[6] & 0x0F) | 0x70  // version 7
        bytes[8] = (bytes[8] & 0x3F) | 0x80  // RFC 4122 variant
        let hex = Hex.encode(bytes)
        let parts = [hex.prefix(8), hex.dropFirst(8).prefix(4), hex.dropFirst(12).prefix(4), hex.dropFirst(16).prefix(4), hex.dropFirst(20)]
        return parts.joined(separator: "-")
    }

    /// True for the canonical lower-case 8-4-4-4-12 form; used to reject garbage ids before querying.
    public static func isValid(_ string: String) -> Bool {
        guard string.utf8.count == 36 else { return false }
        for (index, byte) in string.utf8.enumerated() {
            if [8, 13, 18, 23].contains(index) {
                if byte != UInt8(ascii: "-") { return false }
            } else if !((48...57).contains(byte) || (97...102).contains(byte)) {
                return false
            }
        }
        return true
    }
}
