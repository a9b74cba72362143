import Foundation
import Synchronization

/// Request rate limits (fixed one-minute windows) per API key and per embed session. Over the limit a
/// request gets 429 `rate_limited` with `Retry-After`.
public protocol RateLimiter: Sendable {
    /// Counts one request for `bucket`; returns the seconds to wait when it is over `limit` per minute.
    func hit(bucket: String, limit: Int, now: Date) async throws -> Int?
}

extension RateLimiter {
    /// Throws 429 `rate_limited` when `bucket` is over `limit` per minute (0 = unlimited).
    public func enforce(bucket: String, limit: Int, now: Date = Date()) async throws {
        guard limit > 0, let wait = try await hit(bucket: bucket, limit: limit, now: now) else { return }
        throw AppError(
            status: 429, code: "rate_limited", message: "Too many requests: the limit is \(limit) per minute. Retry after \(wait) s.",
            headers: ["Retry-After": String(wait)]
        )
    }
}

/// Counters in this process: right for the embedded (SQLite) deployment, where one process serves HTTP.
public final class InMemoryRateLimiter: RateLimiter {
    private let windows = Mutex<[String: (window: Int64, count: Int)]>([:])

    public init() {}

    public func hit(bucket: String, limit: Int, now: Date) async throws -> Int? {
        let seconds = Int64(now.timeIntervalSince1970)
        let window = seconds / 60
        let count = windows.withLock { windows -> Int in
            if windows.count > 100_000 { windows = windows.filter { $0.value.window == window } }
            let current = windows[bucket].flatMap { $0.window == window ? $0.count : nil } ?? 0
            windows[bucket] = (window, current + 1)
            return current + 1
        }
        return count > limit ? Int((window + 1) * 60 - seconds) : nil
    }

    /// The seconds to wait when `bucket` has already reached `limit` this minute, without counting.
    public func wait(bucket: String, limit: Int, now: Date) -> Int? {
        let seconds = Int64(now.timeIntervalSince1970)
        let window = seconds / 60
        let count = windows.withLock { $0[bucket].flatMap { $0.window == window ? $0.count : nil } ?? 0 }
        return count >= limit ? Int((window + 1) * 60 - seconds) : nil
    }
}
