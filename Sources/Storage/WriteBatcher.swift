import Core
import SQLKit

/// Group commit for SQLite. SQLite has one writer, so concurrent write requests would each wait for a
/// whole transaction of their own; instead, the ones that arrive while a transaction runs are written
/// together in the next one. Each caller gets its own outcome: when an item fails, the batch is written
/// again with a savepoint per item, so one failing item does not undo the others. Used for render
/// enqueues and session mints.
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
            let results = await write(batch.map(\.item))
            for (entry, result) in zip(batch, results) { entry.continuation.resume(with: result) }
        }
        flushing = false
    }

    /// Optimistically writes the whole batch in one transaction. Only when something fails is it
    /// written again with a savepoint per item, so that one failing item does not undo the others.
    private func write(_ items: [Item]) async -> [Result<Outcome, any Error>] {
        let work = self.work
        do {
            return try await database.transaction { db in
                var results: [Result<Outcome, any Error>] = []
                for item in items { results.append(.success(try await work(db, item))) }
                return results
            }
        } catch {
            if items.count == 1 { return [.failure(error)] }
        }
        do {
            return try await database.transaction { db in
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
        } catch {
            return items.map { _ in .failure(error) }
        }
    }
}
