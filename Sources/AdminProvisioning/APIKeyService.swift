import Core

/// The project a request authenticated as.
public struct AuthenticatedProject: Sendable, Equatable {
    public var projectID: String
    public var keyID: String
    public var environment: APIKeyMaterial.Environment

    public init(projectID: String, keyID: String, environment: APIKeyMaterial.Environment) {
        self.projectID = projectID
        self.keyID = keyID
        self.environment = environment
    }
}

/// Project API keys: Bearer authentication and self-service management (`/v1/keys`), so partners
/// rotate keys without the deployment admin.
public struct APIKeyService: Sendable {
    let repository: any APIKeyRepository
    let clock: any WallClock
    public static let maxKeysPerProject = 50

    public init(repository: any APIKeyRepository, clock: any WallClock = SystemClock()) {
        self.repository = repository
        self.clock = clock
    }

    /// The project of an active key, or nil for anything that is not one (malformed, unknown, revoked).
    /// Malformed strings are rejected before any query; lookup is by SHA-256, so the database never sees
    /// the plaintext and the comparison is not timing-sensitive.
    public func authenticate(key: String) async throws -> AuthenticatedProject? {
        guard APIKeyMaterial.environment(of: key) != nil else { return nil }
        guard let record = try await repository.findActive(hash: APIKeyMaterial.hash(key)) else { return nil }
        return AuthenticatedProject(projectID: record.projectID, keyID: record.id, environment: record.environment)
    }

    public func create(projectID: String, json: JSONValue) async throws -> (APIKeyRecord, plaintext: String) {
        var fields = try ObjectValidator(json)
        let name = fields.string("name", length: 1...100) ?? "API key"
        let environmentName = fields.string("environment") ?? "live"
        let environment = APIKeyMaterial.Environment(rawValue: environmentName)
        if environment == nil { fields.fail("environment", "Must be \"live\" or \"test\"") }
        try fields.finish()
        let active = try await repository.list(projectID: projectID).filter { $0.revokedAt == nil }
        guard active.count < Self.maxKeysPerProject else {
            throw AppError.conflict("key_limit_reached", "A project can hold at most \(Self.maxKeysPerProject) active keys; revoke one first.")
        }
        let (key, plaintext) = try NewAPIKey.make(
            projectID: projectID, name: name, environment: environment!, now: clock.now().epochMillis
        )
        try await repository.insert(key)
        return (key.record, plaintext)
    }

    public func list(projectID: String) async throws -> [APIKeyRecord] {
        try await repository.list(projectID: projectID)
    }

    public func revoke(id: String, projectID: String) async throws -> APIKeyRecord {
        guard Identifier.isValid(id), let record = try await repository.revoke(id: id, projectID: projectID, now: clock.now().epochMillis)
        else {
            throw AppError.notFound("not_found", "No API key \(id) in this project.")
        }
        return record
    }
}
