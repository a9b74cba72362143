import Core

/// A project API key as listed and authenticated. Never carries the plaintext or the hash.
public struct APIKeyRecord: Sendable, Equatable {
    public var id: String
    public var projectID: String
    public var name: String
    public var prefix: String
    public var environment: APIKeyMaterial.Environment
    public var createdAt: Int64
    public var revokedAt: Int64?
    /// True for the key provisioning created and re-displays.
    public var provisioned: Bool

    public init(
        id: String, projectID: String, name: String, prefix: String, environment: APIKeyMaterial.Environment,
        createdAt: Int64, revokedAt: Int64?, provisioned: Bool
    ) {
        self.id = id
        self.projectID = projectID
        self.name = name
        self.prefix = prefix
        self.environment = environment
        self.createdAt = createdAt
        self.revokedAt = revokedAt
        self.provisioned = provisioned
    }
}

/// A key about to be stored: the SHA-256 hash for lookup, and for the provisioned key a sealed copy.
public struct NewAPIKey: Sendable, Equatable {
    public var record: APIKeyRecord
    public var hash: String
    public var sealedKey: String?

    public init(record: APIKeyRecord, hash: String, sealedKey: String?) {
        self.record = record
        self.hash = hash
        self.sealedKey = sealedKey
    }

    /// Seal context: binds a sealed key to its row so a copied ciphertext does not open elsewhere.
    public static func sealContext(id: String) -> String { "api_key:\(id)" }

    /// Generates a fresh key for a project. Returns the row to store and the plaintext to show once.
    public static func make(
        projectID: String, name: String, environment: APIKeyMaterial.Environment, now: Int64,
        sealWith box: SecretBox? = nil
    ) throws -> (NewAPIKey, plaintext: String) {
        let plaintext = APIKeyMaterial.generate(environment)
        let id = Identifier.make()
        let record = APIKeyRecord(
            id: id, projectID: projectID, name: name, prefix: APIKeyMaterial.displayPrefix(plaintext),
            environment: environment, createdAt: now, revokedAt: nil, provisioned: box != nil
        )
        let sealed = try box?.seal(plaintext, context: sealContext(id: id))
        return (NewAPIKey(record: record, hash: APIKeyMaterial.hash(plaintext), sealedKey: sealed), plaintext)
    }
}
