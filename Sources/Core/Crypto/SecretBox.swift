import Crypto
import Foundation

/// Seals secrets at rest (provisioned API keys, partner signing keys) with AES-256-GCM.
///
/// The AES key is derived with HKDF-SHA256 from an operator secret (`CRAFTKIT_ENCRYPTION_KEY`, else
/// `CRAFTKIT_ADMIN_KEY`). Every sealed value names the key that sealed it:
/// `ck1.<keyId>.<base64url(nonce ‖ ciphertext ‖ tag)>`, so a box that knows the old and the new key
/// can open both while `craftkit rotate-encryption-key` re-seals rows. The caller passes a context
/// string (e.g. `api_key:<id>`) as additional authenticated data, so a sealed value copied into
/// another row does not open.
public struct SecretBox: Sendable {
    public struct Key: Sendable {
        public let id: String
        let symmetric: SymmetricKey

        public init(secret: String) {
            let material = SymmetricKey(data: Data(secret.utf8))
            symmetric = HKDF<SHA256>.deriveKey(
                inputKeyMaterial: material,
                salt: Data("craftkit-secretbox-v1".utf8),
                info: Data("aes-256-gcm".utf8),
                outputByteCount: 32
            )
            let digest = symmetric.withUnsafeBytes { SHA256.hash(data: Data($0)) }
            id = Hex.encode(digest.prefix(4))
        }
    }

    public enum Failure: Error, Equatable, CustomStringConvertible {
        case malformed
        case unknownKey(String)
        case authenticationFailed

        public var description: String {
            switch self {
            case .malformed: "sealed value is malformed"
            case .unknownKey(let id):
                "sealed with key \(id), which this server does not have (was the encryption key changed without rotate-encryption-key?)"
            case .authenticationFailed: "sealed value failed authentication (wrong key or tampered data)"
            }
        }
    }

    public let primary: Key
    private let others: [Key]

    /// - Parameters:
    ///   - primary: the key new values are sealed with.
    ///   - previous: keys that can still open older values (during rotation).
    public init(primary: Key, previous: [Key] = []) {
        self.primary = primary
        self.others = previous
    }

    public init(secret: String, previousSecrets: [String] = []) {
        self.init(primary: Key(secret: secret), previous: previousSecrets.map(Key.init(secret:)))
    }

    public func seal(_ plaintext: String, context: String) throws -> String {
        let box = try AES.GCM.seal(Data(plaintext.utf8), using: primary.symmetric, authenticating: Data(context.utf8))
        guard let combined = box.combined else { throw Failure.malformed }
        return "ck1.\(primary.id).\(Base64URL.encode(combined))"
    }

    public func open(_ sealed: String, context: String) throws -> String {
        let parts = sealed.split(separator: ".", omittingEmptySubsequences: false)
        guard parts.count == 3, parts[0] == "ck1", let combined = Base64URL.decode(String(parts[2])) else {
            throw Failure.malformed
        }
        let keyID = String(parts[1])
        guard let key = ([primary] + others).first(where: { $0.id == keyID }) else { throw Failure.unknownKey(keyID) }
        do {
            let box = try AES.GCM.SealedBox(combined: combined)
            let plaintext = try AES.GCM.open(box, using: key.symmetric, authenticating: Data(context.utf8))
            guard let string = String(data: plaintext, encoding: .utf8) else { throw Failure.malformed }
            return string
        } catch let failure as Failure {
            throw failure
        } catch {
            throw Failure.authenticationFailed
        }
    }

    /// The id of the key a sealed value names, without opening it.
    public static func keyID(of sealed: String) -> String? {
        let parts = sealed.split(separator: ".", omittingEmptySubsequences: false)
        return parts.count == 3 ? String(parts[1]) : nil
    }
}
