import Synchronization

/// A small in-memory cache whose entries expire after a fixed time; cleared whole when full (hot
/// keys come straight back). For values that are read on every request and change rarely: partner
/// settings, signing keys, sessions on the single-process SQLite deployment.
public final class TTLCache<Key: Hashable & Sendable, Value: Sendable>: Sendable {
    /// The entries and a generation that every removal bumps: a load that started before a removal
    /// (a revocation) must not put back the value it read before the removal.
    private let state = Mutex<(entries: [Key: (value: Value, expires: Int64)], generation: UInt64)>(([:], 0))
    let ttlMillis: Int64
    let capacity: Int
    let clock: any WallClock

    public init(ttlMillis: Int64, capacity: Int = 10_000, clock: any WallClock = SystemClock()) {
        self.ttlMillis = ttlMillis
        self.capacity = capacity
        self.clock = clock
    }

    /// The cached value, or `load()`'s (cached when not nil, unless an entry was removed meanwhile).
    public func value(for key: Key, load: () async throws -> Value?) async rethrows -> Value? {
        let now = clock.now().epochMillis
        let (hit, generation) = state.withLock { ($0.entries[key], $0.generation) }
        if let hit, hit.expires > now { return hit.value }
        guard let value = try await load() else { return nil }
        put(value, for: key, ifGeneration: generation)
        return value
    }

    /// Caches `value` for the cache's time to live, or until `expiresAt` (epoch ms) when that is sooner.
    public func put(_ value: Value, for key: Key, expiresAt: Int64? = nil) {
        put(value, for: key, ifGeneration: nil, expiresAt: expiresAt)
    }

    private func put(_ value: Value, for key: Key, ifGeneration generation: UInt64?, expiresAt: Int64? = nil) {
        let expires = min(clock.now().epochMillis + ttlMillis, expiresAt ?? .max)
        state.withLock { state in
            if let generation, state.generation != generation { return }
            if state.entries.count >= capacity { state.entries.removeAll(keepingCapacity: true) }
            state.entries[key] = (value, expires)
        }
    }

    public func get(_ key: Key) -> Value? {
        let now = clock.now().epochMillis
        return state.withLock { $0.entries[key] }.flatMap { $0.expires > now ? $0.value : nil }
    }

    public func remove(_ key: Key) {
        state.withLock {
            $0.entries.removeValue(forKey: key)
            $0.generation &+= 1
        }
    }

    public func removeAll() {
        state.withLock {
            $0.entries.removeAll()
            $0.generation &+= 1
        }
    }

    /// Drops every entry whose value matches.
    public func removeAll(where matches: (Value) -> Bool) {
        state.withLock {
            $0.entries = $0.entries.filter { !matches($0.value.value) }
            $0.generation &+= 1
        }
    }
}
