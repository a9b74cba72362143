import Core

/// Shares, project-scoped. Writes join the caller's transaction.
public protocol ShareRepository: Sendable {
    func insert(_ share: Share, in transaction: any Transaction) async throws
    /// The render's shares, newest first, revoked included, with their click counts.
    func list(projectID: String, renderID: String) async throws -> [ListedShare]
    func find(projectID: String, renderID: String, id: String) async throws -> Share?
    /// The share a public request's token names (by its hash), whatever its project.
    func find(tokenHash: String) async throws -> Share?
    /// How many shares the render has (limits).
    func count(projectID: String, renderID: String) async throws -> Int
    /// Stamps `revokedAt` and the reason on an active share; false when it was already revoked.
    func revoke(id: String, at: Int64, reason: String, in transaction: any Transaction) async throws -> Bool
}

/// Engagement events. Writes join the caller's transaction.
public protocol EngagementRepository: Sendable {
    /// Records `event` unless an event with the same `dedupeKey` was recorded after `since` (atomic: two
    /// identical requests at once record one). A nil key always records. True when recorded.
    func record(_ event: EngagementEvent, dedupeKey: String?, since: Int64, in transaction: any Transaction) async throws -> Bool
    /// Counts by type, link opens and the `recentLimit` newest events of a render.
    func summary(projectID: String, renderID: String, recentLimit: Int) async throws -> EngagementSummary
    /// One event by id (the webhook payload of `document.*`).
    func find(id: String) async throws -> EngagementEvent?
}
