import Synchronization

/// A small in-memory cache whose entries expire after a fixed time; cleared whole when full (hot
/// keys come straight back). For values that are read on every request and change rarely: partner
/// settings, signing keys, sessions on the single-process SQLite deployment.
public final class TTLCache<Key: Hashable & Sendable, Value: Sendable>: Sendable {
    private let entries = Mutex<[Key: (value: Value, expires: Int64)]>([:])
    let ttlMillis: Int64
    let capacity: Int
    let clock: any WallClock

    public init(ttlMillis: Int64, capacity: Int = 10_000, clock: any WallClock = SystemClock()) {
        self.ttlMillis = ttlMillis
        self.capacity = capacity
        self.clock = clock
    }

    /// The cached value, or `load()`'s (cached when not nil).
    public func value(for key: Key, load: () async throws -> Value?) async rethrows -> Value? {
        let now = clock.now().epochMillis
        if let hit = entries.withLock({ $0[key] }), hit.expires > now { return hit.value }
        guard let value = try await load() else { return nil }
        put(value, for: key)
        return value
    }

    public func put(_ value: Value, for key: Key) {
        let expires = clock.now().epochMillis + ttlMillis
        entries.withLock { entries in
            if entries.count >= capacity { entries.removeAll(keepingCapacity: true) }
            entries[key] = (value, expires)
        }
    }

    public func get(_ key: Key) -> Value? {
        let now = clock.now().epochMillis
        return entries.withLock { $0[key] }.flatMap { $0.expires > now ? $0.value : nil }
    }

    public func remove(_ key: Key) { _ = entries.withLock { $0.removeValue(forKey: key) } }

    public func removeAll() { entries.withLock { $0.removeAll() } }

    /// Drops every entry whose value matches.
    public func removeAll(where matches: (Value) -> Bool) { entries.withLock { $0 = $0.filter { !matches($0.value.value) } } }
}
