import Core

/// In-memory shares and engagement events for unit tests of `DeliveryService` (with
/// `InMemoryUnitOfWork`), following the SQL contract; writes of a unit that rolls back are taken back.
public actor InMemoryDeliveryStore: ShareRepository, EngagementRepository {
    private struct State {
        var shares: [String: Share] = [:]
        var events: [EngagementEvent] = []
        /// Dedupe key → when the last event under it was recorded.
        var dedupe: [String: Int64] = [:]
    }

    private var state = State()

    public init() {}

    private func undoable(in transaction: any Transaction) {
        let snapshot = state
        (transaction as? InMemoryTransaction)?.onRollback { await self.restore(snapshot) }
    }

    private func restore(_ snapshot: State) { state = snapshot }

    /// Every recorded event, oldest first (for assertions).
    public var events: [EngagementEvent] { state.events }

    // MARK: ShareRepository

    public func insert(_ share: Share, in transaction: any Transaction) async throws {
        undoable(in: transaction)
        state.shares[share.id] = share
    }

    public func list(projectID: String, renderID: String) async throws -> [ListedShare] {
        state.shares.values.filter { $0.projectID == projectID && $0.renderID == renderID }
            .sorted { ($0.createdAt, $0.id) > ($1.createdAt, $1.id) }
            .map { share in
                ListedShare(
                    share: share, clickCount: state.events.count { $0.shareID == share.id && $0.type == .viewed && $0.actorKind == .recipient })
            }
    }

    public func find(projectID: String, renderID: String, id: String) async throws -> Share? {
        state.shares[id].flatMap { $0.projectID == projectID && $0.renderID == renderID ? $0 : nil }
    }

    public func find(tokenHash: String) async throws -> Share? {
        state.shares.values.first { $0.tokenHash == tokenHash }
    }

    public func count(projectID: String, renderID: String) async throws -> Int {
        state.shares.values.count { $0.projectID == projectID && $0.renderID == renderID }
    }

    public func revoke(id: String, at: Int64, reason: String, in transaction: any Transaction) async throws -> Bool {
        guard var share = state.shares[id], share.revokedAt == nil else { return false }
        undoable(in: transaction)
        share.revokedAt = at
        share.revokedReason = reason
        state.shares[id] = share
        return true
    }

    // MARK: EngagementRepository

    public func record(_ event: EngagementEvent, dedupeKey: String?, since: Int64, in transaction: any Transaction) async throws -> Bool {
        if let dedupeKey, let last = state.dedupe[dedupeKey], last > since { return false }
        undoable(in: transaction)
        if let dedupeKey { state.dedupe[dedupeKey] = event.createdAt }
        state.events.append(event)
        return true
    }

    public func summary(projectID: String, renderID: String, recentLimit: Int) async throws -> EngagementSummary {
        let events = state.events.filter { $0.projectID == projectID && $0.renderID == renderID }
        var counts: [EngagementType: Int] = [:]
        for event in events { counts[event.type, default: 0] += 1 }
        return EngagementSummary(
            counts: counts, linkOpens: events.count { $0.type == .viewed && $0.shareID != nil },
            recent: Array(events.sorted { ($0.createdAt, $0.id) > ($1.createdAt, $1.id) }.prefix(recentLimit)))
    }

    public func find(id: String) async throws -> EngagementEvent? {
        state.events.first { $0.id == id }
    }
}
