import Core
import Foundation

/// docs/decisions/0009-webhook-signatures.md: `x-craftkit-signature` is the hex HMAC-SHA256, under the
/// endpoint's secret, of `timestamp + "." + body`, with `x-craftkit-timestamp` (Unix seconds) and
/// `x-craftkit-event-id`.
public enum WebhookSignature {
    public static func sign(secret: String, timestamp: Int64, body: Data) -> String {
        var message = Data("\(timestamp).".utf8)
        message.append(body)
        return HMACHex.sign(secret: secret, body: message)
    }

    /// `whsec_` + 32 random bytes, base64url.
    public static func generateSecret() -> String {
        var generator = SystemRandomNumberGenerator()
        let bytes = (0..<32).map { _ in UInt8.random(in: 0...255, using: &generator) }
        return "whsec_" + Base64URL.encode(bytes)
    }
}
