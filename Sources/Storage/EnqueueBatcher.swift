import Core
import SQLKit
import Templates

/// Group commit for render enqueues on SQLite. SQLite takes one writer at a time, so concurrent enqueues
/// would each wait for a whole transaction of their own; instead, enqueues that arrive while a
/// transaction is running are written together in the next one. Each caller still gets its own outcome,
/// and a render and its job are still committed together.
actor EnqueueBatcher {
    typealias Work = @Sendable (any SQLDatabase, RenderRecord, Int64) async throws -> EnqueueOutcome

    private struct Pending {
        let render: RenderRecord
        let keysValidSince: Int64
        let continuation: CheckedContinuation<EnqueueOutcome, any Error>
    }

    private let database: Database
    private let work: Work
    private var pending: [Pending] = []
    private var flushing = false
    static let maxBatch = 128

    init(database: Database, work: @escaping Work) {
        self.database = database
        self.work = work
    }

    func enqueue(_ render: RenderRecord, keysValidSince: Int64) async throws -> EnqueueOutcome {
        try await withCheckedThrowingContinuation { continuation in
            pending.append(Pending(render: render, keysValidSince: keysValidSince, continuation: continuation))
            if !flushing {
                flushing = true
                Task { await self.flush() }
            }
        }
    }

    private func flush() async {
        while !pending.isEmpty {
            let batch = Array(pending.prefix(Self.maxBatch))
            pending.removeFirst(batch.count)
            let work = self.work
            let items = batch.map { ($0.render, $0.keysValidSince) }
            do {
                let outcomes = try await database.transaction { db in
                    var outcomes: [EnqueueOutcome] = []
                    for (render, since) in items { outcomes.append(try await work(db, render, since)) }
                    return outcomes
                }
                for (item, outcome) in zip(batch, outcomes) { item.continuation.resume(returning: outcome) }
            } catch {
                for item in batch { item.continuation.resume(throwing: error) }
            }
        }
        flushing = false
    }
}
