import Core
import SQLKit

/// Group commit for SQLite. SQLite has one writer, so concurrent write requests would each wait for a
/// whole transaction of their own; instead, the ones that arrive while a transaction runs are written
/// together in the next one. Each item runs in its own savepoint, so one failing item does not undo the
/// others, and each caller gets its own outcome. Used for render enqueues and session mints.
actor WriteBatcher<Item: Sendable, Outcome: Sendable> {
    typealias Work = @Sendable (any SQLDatabase, Item) async throws -> Outcome

    private struct Pending {
        let item: Item
        let continuation: CheckedContinuation<Outcome, any Error>
    }

    private let database: Database
    private let work: Work
    private var pending: [Pending] = []
    private var flushing = false
    static var maxBatch: Int { 128 }

    init(database: Database, work: @escaping Work) {
        self.database = database
        self.work = work
    }

    func submit(_ item: Item) async throws -> Outcome {
        try await withCheckedThrowingContinuation { continuation in
            pending.append(Pending(item: item, continuation: continuation))
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
            let items = batch.map(\.item)
            do {
                let results = try await database.transaction { db in
                    var results: [Result<Outcome, any Error>] = []
                    for item in items {
                        try await db.raw("SAVEPOINT batch_item").run()
                        do {
                            results.append(.success(try await work(db, item)))
                            try await db.raw("RELEASE batch_item").run()
                        } catch {
                            try await db.raw("ROLLBACK TO batch_item").run()
                            try await db.raw("RELEASE batch_item").run()
                            results.append(.failure(error))
                        }
                    }
                    return results
                }
                for (entry, result) in zip(batch, results) { entry.continuation.resume(with: result) }
            } catch {
                for entry in batch { entry.continuation.resume(throwing: error) }
            }
        }
        flushing = false
    }
}
