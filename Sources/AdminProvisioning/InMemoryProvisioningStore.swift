import Core

/// An in-memory implementation of both repositories for unit tests of the services. It follows the
/// same contract as the SQL implementation (the storage contract suite checks that one).
public actor InMemoryProvisioningStore: ProvisioningRepository, APIKeyRepository {
    private var stacks: [String: ProvisionedStack] = [:]
    private var keys: [String: (record: APIKeyRecord, hash: String, sealed: String?)] = [:]

    public init() {}

    public func createIfAbsent(_ plan: ProvisionPlan) async throws -> (stack: ProvisionedStack, created: Bool) {
        if let existing = stacks[plan.stack.externalOrgID] { return (withKeyState(existing), false) }
        stacks[plan.stack.externalOrgID] = plan.stack
        keys[plan.apiKey.record.id] = (plan.apiKey.record, plan.apiKey.hash, plan.apiKey.sealedKey)
        return (plan.stack, true)
    }

    public func find(externalOrgID: String) async throws -> ProvisionedStack? {
        stacks[externalOrgID].map(withKeyState)
    }

    public func updateSettings(
        externalOrgID: String, emailFrom: String??, allowedOrigins: [String]?, appearance: Appearance??, now: Int64
    ) async throws
        -> ProvisionedStack?
    {
        guard var stack = stacks[externalOrgID] else { return nil }
        if let emailFrom { stack.emailFrom = emailFrom }
        if let allowedOrigins { stack.allowedOrigins = allowedOrigins }
        if let appearance { stack.appearance = appearance }
        stacks[externalOrgID] = stack
        return withKeyState(stack)
    }

    public func replaceProvisionedKey(projectID: String, expected: String, with key: NewAPIKey) async throws -> Bool {
        guard let (externalID, found) = stacks.first(where: { $0.value.projectID == projectID }),
            found.provisionedKey?.id == expected
        else { return false }
        var stack = found
        keys[key.record.id] = (key.record, key.hash, key.sealedKey)
        stack.provisionedKey = .init(id: key.record.id, sealedKey: key.sealedKey ?? "", revoked: false)
        stacks[externalID] = stack
        return true
    }

    public func insert(_ key: NewAPIKey) async throws {
        keys[key.record.id] = (key.record, key.hash, key.sealedKey)
    }

    public func list(projectID: String) async throws -> [APIKeyRecord] {
        keys.values.map(\.record).filter { $0.projectID == projectID }.sorted { ($0.createdAt, $0.id) > ($1.createdAt, $1.id) }
    }

    public func revoke(id: String, projectID: String, now: Int64) async throws -> APIKeyRecord? {
        guard var entry = keys[id], entry.record.projectID == projectID else { return nil }
        if entry.record.revokedAt == nil { entry.record.revokedAt = now }
        keys[id] = entry
        return entry.record
    }

    public func findActive(hash: String) async throws -> APIKeyRecord? {
        keys.values.first { $0.hash == hash && $0.record.revokedAt == nil }?.record
    }

    private func withKeyState(_ stack: ProvisionedStack) -> ProvisionedStack {
        var stack = stack
        if let key = stack.provisionedKey, let stored = keys[key.id] {
            stack.provisionedKey?.revoked = stored.record.revokedAt != nil
        }
        return stack
    }
}
