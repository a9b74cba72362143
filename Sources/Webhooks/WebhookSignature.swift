import Crypto
import Foundation

/// DESIGN.md decision 9: `x-craftkit-signature` is the hex HMAC-SHA256, under the endpoint's secret, of
/// `timestamp + "." + body`, with `x-craftkit-timestamp` (Unix seconds) and `x-craftkit-event-id`.
/// Inbound triggers use the same hex HMAC over the raw body alone.
public enum WebhookSignature {
    public static func sign(secret: String, timestamp: Int64, body: Data) -> String {
        var message = Data("\(timestamp).".utf8)
        message.append(body)
        return hex(HMAC<SHA256>.authenticationCode(for: message, using: SymmetricKey(data: Data(secret.utf8))))
    }

    public static func signBody(secret: String, body: Data) -> String {
        hex(HMAC<SHA256>.authenticationCode(for: body, using: SymmetricKey(data: Data(secret.utf8))))
    }

    /// Constant-time check of a hex signature over `body` (inbound triggers).
    public static func verifyBody(secret: String, body: Data, signature: String) -> Bool {
        guard let bytes = bytes(fromHex: signature.lowercased()) else { return false }
        return HMAC<SHA256>.isValidAuthenticationCode(bytes, authenticating: body, using: SymmetricKey(data: Data(secret.utf8)))
    }

    /// `whsec_` + 32 random bytes, base64url.
    public static func generateSecret() -> String {
        var generator = SystemRandomNumberGenerator()
        let bytes = (0..<32).map { _ in UInt8.random(in: 0...255, using: &generator) }
        return "whsec_"
            + Data(bytes).base64EncodedString().replacingOccurrences(of: "+", with: "-").replacingOccurrences(of: "/", with: "_")
            .replacingOccurrences(of: "=", with: "")
    }

    static func hex(_ code: some Sequence<UInt8>) -> String { code.map { String(format: "%02x", $0) }.joined() }

    static func bytes(fromHex hex: String) -> [UInt8]? {
        guard hex.count == 64 else { return nil }
        var bytes: [UInt8] = []
        var index = hex.startIndex
        while index < hex.endIndex {
            let next = hex.index(index, offsetBy: 2)
            guard let byte = UInt8(hex[index..<next], radix: 16) else { return nil }
            bytes.append(byte)
            index = next
        }
        return bytes
    }
}
