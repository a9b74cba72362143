import Core
import Foundation
import SQLKit

/// Rate-limit counters in the database, shared by every node of a PostgreSQL deployment (nothing lives
/// only in one node's memory: docs/decisions/0013-shared-state-in-the-database.md). One upsert per
/// request.
public struct SQLRateLimiter: RateLimiter {
    let database: Database

    public init(database: Database) { self.database = database }

    public func hit(bucket: String, limit: Int, now: Date) async throws -> Int? {
        let seconds = Int64(now.timeIntervalSince1970)
        let window = seconds / 60
        let row = try await database.sql.raw(
            """
            INSERT INTO rate_limits (bucket, window_start, hits) VALUES (\(bind: bucket), \(bind: window), 1)
            ON CONFLICT (bucket) DO UPDATE SET
                hits = CASE WHEN rate_limits.window_start = excluded.window_start THEN rate_limits.hits + 1 ELSE 1 END,
                window_start = excluded.window_start
            RETURNING hits
            """
        ).first()
        let hits = try row?.decode(column: "hits", as: Int64.self) ?? 0
        return hits > Int64(limit) ? Int((window + 1) * 60 - seconds) : nil
    }
}
