import AdminProvisioning
import Core

/// Keeps authenticated keys in memory on the embedded (SQLite) deployment, where this process is the
/// only HTTP server: every revocation goes through `revoke` here, which drops the key at once, so
/// "revocation is immediate" still holds. PostgreSQL deployments (several nodes) do not use it.
/// Entries also expire after `ttlMillis`.
public final class CachedAPIKeyRepository: APIKeyRepository {
    let base: any APIKeyRepository
    private let entries: TTLCache<String, APIKeyRecord>

    public init(base: any APIKeyRepository, ttlMillis: Int64 = 60_000, clock: any WallClock = SystemClock()) {
        self.base = base
        entries = TTLCache(ttlMillis: ttlMillis, clock: clock)
    }

    public func findActive(hash: String) async throws -> APIKeyRecord? {
        try await entries.value(for: hash) { try await base.findActive(hash: hash) }
    }

    public func revoke(id: String, projectID: String, now: Int64) async throws -> APIKeyRecord? {
        // Drop before and after: no request can re-cache the key between the write and the drop.
        entries.removeAll { $0.id == id }
        let record = try await base.revoke(id: id, projectID: projectID, now: now)
        entries.removeAll { $0.id == id }
        return record
    }

    public func insert(_ key: NewAPIKey) async throws { try await base.insert(key) }
    public func list(projectID: String) async throws -> [APIKeyRecord] { try await base.list(projectID: projectID) }
}
