import Core
import SQLKit
import Webhooks

/// `UnitOfWork` on `Database.transaction`. With `groupCommit` on SQLite, units that arrive together
/// share one transaction (`WriteBatcher`), with a savepoint per unit when one of them fails: SQLite has
/// one writer, and this is what lets render enqueues scale with concurrency.
public struct SQLUnitOfWork: UnitOfWork {
    let database: Database
    let batcher: WriteBatcher<Unit, any Sendable>?

    typealias Unit = @Sendable (any SQLDatabase) async throws -> any Sendable

    public init(database: Database, groupCommit: Bool = false) {
        self.database = database
        batcher = groupCommit && database.engine == .sqlite ? WriteBatcher(database: database) { db, unit in try await unit(db) } : nil
    }

    public func run<T: Sendable>(_ body: @escaping @Sendable (any Transaction) async throws -> T) async throws -> T {
        guard let batcher else { return try await database.transaction { db in try await body(SQLTransaction(db: db)) } }
        let result = try await batcher.submit { db in try await body(SQLTransaction(db: db)) }
        // The batcher hands back what this unit's own body returned.
        return result as! T
    }
}

/// A transaction of `SQLUnitOfWork`: one pinned connection inside `BEGIN … COMMIT`. SQL repositories
/// take it from the services and write on `db`.
struct SQLTransaction: Transaction {
    let db: any SQLDatabase

    func enqueueJob(kind: String, subjectID: String, tenant: String, runAt: Int64) async throws {
        try await SQLJobQueue.insert(on: db, id: Identifier.make(), kind: kind, subjectID: subjectID, tenant: tenant, runAt: runAt)
    }

    func finishJob(id: String, dead: Bool, error: String?) async throws {
        try await SQLJobQueue.finish(on: db, jobID: id, status: dead ? "dead" : "done", error: error)
    }

    func emitEvent(projectID: String, event: EventType, subjectID: String, now: Int64) async throws {
        // Only webhook events exist so far; an event no endpoint can subscribe to reaches none.
        guard let webhookEvent = WebhookEvent(rawValue: event.rawValue) else { return }
        _ = try await SQLWebhookRepository.enqueueEvent(on: db, projectID: projectID, event: webhookEvent, subjectID: subjectID, now: now)
    }
}

extension Transaction {
    /// The SQL connection of a transaction opened by `SQLUnitOfWork`. A transaction from another unit of
    /// work cannot carry SQL writes, so handing one to a SQL repository is a wiring error.
    var sql: any SQLDatabase {
        get throws {
            guard let transaction = self as? SQLTransaction else {
                throw AppError(status: 500, code: "internal_error", message: "A SQL repository was given a transaction of another store.")
            }
            return transaction.db
        }
    }
}
