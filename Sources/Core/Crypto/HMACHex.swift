import Crypto
import Foundation

/// Hex HMAC-SHA256, the signature scheme of outbound webhooks and inbound triggers.
public enum HMACHex {
    public static func sign(secret: String, body: Data) -> String {
        Hex.encode(HMAC<SHA256>.authenticationCode(for: body, using: SymmetricKey(data: Data(secret.utf8))))
    }

    /// The raw HMAC-SHA256 under a binary key (Standard Webhooks signs with the decoded secret).
    public static func mac(key: Data, body: Data) -> Data {
        Data(HMAC<SHA256>.authenticationCode(for: body, using: SymmetricKey(data: key)))
    }

    /// Constant-time check of a hex signature (either case) over `body`.
    public static func verify(secret: String, body: Data, signature: String) -> Bool {
        let hex = signature.lowercased()
        guard hex.count == 64, hex.allSatisfy(\.isHexDigit) else { return false }
        var bytes: [UInt8] = []
        var index = hex.startIndex
        while index < hex.endIndex {
            let next = hex.index(index, offsetBy: 2)
            bytes.append(UInt8(hex[index..<next], radix: 16)!)
            index = next
        }
        return HMAC<SHA256>.isValidAuthenticationCode(bytes, authenticating: body, using: SymmetricKey(data: Data(secret.utf8)))
    }
}
