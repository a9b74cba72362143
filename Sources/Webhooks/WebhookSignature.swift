import Core
import Foundation

/// How deliveries are signed (docs/decisions/0009-webhook-signatures.md), two ways at once so that
/// receivers written for either verify them unchanged:
/// - `x-craftkit-signature`: lowercase hex HMAC-SHA256 of the raw body, keyed by the secret string
///   exactly as it was shown (`createHmac('sha256', secret)` in Craftkit's own Node sample);
/// - Standard Webhooks: `webhook-signature: v1,<base64 HMAC-SHA256 of "id.timestamp.body">`, keyed by
///   the bytes the base64 part of `whsec_…` decodes to, with `webhook-id` and `webhook-timestamp`, for
///   replay protection (a receiver rejects old timestamps and seen ids).
public enum WebhookSignature {
    public static func sign(secret: String, body: Data) -> String {
        HMACHex.sign(secret: secret, body: body)
    }

    /// One `v1,<base64>` entry of `webhook-signature`.
    public static func standardSignature(secret: String, id: String, timestamp: Int64, body: Data) -> String {
        var message = Data("\(id).\(timestamp).".utf8)
        message.append(body)
        return "v1," + HMACHex.mac(key: standardKey(secret), body: message).base64EncodedString()
    }

    /// The key Standard Webhooks libraries derive from a secret: the part after `whsec_`, base64
    /// decoded the lenient way they do it (characters outside the standard alphabet skipped), so
    /// secrets issued before the switch to standard base64 (base64url) verify there too.
    static func standardKey(_ secret: String) -> Data {
        let encoded = secret.hasPrefix("whsec_") ? String(secret.dropFirst(6)) : secret
        var alphabet = encoded.filter { $0.isASCII && ($0.isLetter || $0.isNumber || $0 == "+" || $0 == "/") }
        if alphabet.count % 4 == 1 { alphabet.removeLast() }
        while alphabet.count % 4 != 0 { alphabet += "=" }
        return Data(base64Encoded: alphabet) ?? Data(encoded.utf8)
    }

    /// `whsec_` + the standard base64 of 32 random bytes, the Standard Webhooks secret format.
    public static func generateSecret() -> String {
        "whsec_" + Data(SecureRandom.bytes(32)).base64EncodedString()
    }
}
