import Crypto
import Foundation

/// A partner's Ed25519 key pair for embed session JWTs (EdDSA). The private half is stored sealed.
public struct SigningKeyMaterial: Sendable {
    /// `kid`: base64url of the first 12 bytes of SHA-256 over the public key.
    public let keyID: String
    /// Raw 32-byte private key, base64url.
    public let privateKey: String
    /// Raw 32-byte public key, base64url (the JWK `x`).
    public let publicKey: String

    public static func generate() -> SigningKeyMaterial {
        let key = Curve25519.Signing.PrivateKey()
        let publicRaw = key.publicKey.rawRepresentation
        return SigningKeyMaterial(
            keyID: Base64URL.encode(Array(SHA256.hash(data: publicRaw)).prefix(12)),
            privateKey: Base64URL.encode(key.rawRepresentation),
            publicKey: Base64URL.encode(publicRaw)
        )
    }
}
