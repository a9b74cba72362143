import AdminProvisioning
import Core
import Synchronization

/// Keeps authenticated keys in memory on the embedded (SQLite) deployment, where this process is the
/// only HTTP server: every revocation goes through `revoke` here, which drops the key at once, so
/// "revocation is immediate" still holds. PostgreSQL deployments (several nodes) do not use it.
/// Entries also expire after `ttlMillis`.
public final class CachedAPIKeyRepository: APIKeyRepository {
    let base: any APIKeyRepository
    let ttlMillis: Int64
    let clock: any WallClock
    private let entries = Mutex<[String: (record: APIKeyRecord, expires: Int64)]>([:])
    static let capacity = 10_000

    public init(base: any APIKeyRepository, ttlMillis: Int64 = 60_000, clock: any WallClock = SystemClock()) {
        self.base = base
        self.ttlMillis = ttlMillis
        self.clock = clock
    }

    public func findActive(hash: String) async throws -> APIKeyRecord? {
        let now = clock.now().epochMillis
        if let hit = entries.withLock({ $0[hash] }), hit.expires > now { return hit.record }
        guard let record = try await base.findActive(hash: hash) else { return nil }
        entries.withLock { entries in
            if entries.count >= Self.capacity { entries.removeAll() }
            entries[hash] = (record, now + ttlMillis)
        }
        return record
    }

    public func revoke(id: String, projectID: String, now: Int64) async throws -> APIKeyRecord? {
        // Drop before and after: no request can re-cache the key between the write and the drop.
        entries.withLock { $0 = $0.filter { $0.value.record.id != id } }
        let record = try await base.revoke(id: id, projectID: projectID, now: now)
        entries.withLock { $0 = $0.filter { $0.value.record.id != id } }
        return record
    }

    public func insert(_ key: NewAPIKey) async throws { try await base.insert(key) }
    public func list(projectID: String) async throws -> [APIKeyRecord] { try await base.list(projectID: projectID) }
}
