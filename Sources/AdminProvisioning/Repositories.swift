import Core

/// Storage for provisioned orgs. The SQL implementation lives in `Storage`; `InMemoryProvisioningStore`
/// serves unit tests.
public protocol ProvisioningRepository: Sendable {
    /// Writes every row of `plan` in one transaction unless an org with the same external id exists.
    /// Returns the stored stack and whether this call created it. Concurrent calls for one external id
    /// create exactly one org; the losers get the winner's stack.
    func createIfAbsent(_ plan: ProvisionPlan) async throws -> (stack: ProvisionedStack, created: Bool)

    func find(externalOrgID: String) async throws -> ProvisionedStack?

    /// Updates the mutable partner settings; `nil` arguments leave a setting unchanged. Returns nil for
    /// an unknown org.
    func updateSettings(
        externalOrgID: String, emailFrom: String??, allowedOrigins: [String]?, appearance: Appearance??, now: Int64
    ) async throws
        -> ProvisionedStack?

    /// Replaces a revoked provisioned key with `key`, only if `expected` is still the provisioned key
    /// (so concurrent callers do not each mint one). Returns false when another caller won.
    func replaceProvisionedKey(projectID: String, expected: String, with key: NewAPIKey) async throws -> Bool
}

/// Project API keys: authentication by hash and self-service management.
public protocol APIKeyRepository: Sendable {
    func insert(_ key: NewAPIKey) async throws
    /// Newest first, revoked ones included (with `revokedAt`).
    func list(projectID: String) async throws -> [APIKeyRecord]
    /// Revokes a key of this project. Returns nil when there is no such key in this project.
    func revoke(id: String, projectID: String, now: Int64) async throws -> APIKeyRecord?
    /// The active (unrevoked) key with this hash.
    func findActive(hash: String) async throws -> APIKeyRecord?
}
