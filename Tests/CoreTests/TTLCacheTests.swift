import Core
import Testing

@Suite("TTL cache")
struct TTLCacheTests {
    @Test("a value loaded while the entry was removed (a revocation racing a refill) is returned but not cached")
    func removalDuringLoadWins() async {
        let cache = TTLCache<String, String>(ttlMillis: 60_000)
        let loaded = await cache.value(for: "key") {
            cache.remove("key")  // the revocation lands while the stale row is in flight
            return "stale"
        }
        #expect(loaded == "stale")
        #expect(cache.get("key") == nil)
        _ = await cache.value(for: "key") { "fresh" }
        #expect(cache.get("key") == "fresh", "a load with no removal meanwhile is cached")
    }

    @Test("an entry put with an earlier expiry than the cache's lifetime expires then")
    func perEntryExpiry() {
        let cache = TTLCache<String, Int>(ttlMillis: 60_000)
        cache.put(1, for: "past", expiresAt: 0)
        cache.put(2, for: "default")
        #expect(cache.get("past") == nil)
        #expect(cache.get("default") == 2)
    }
}
