import Core
import SQLKit

/// The durable queue on the `jobs` table. Claiming is one statement: PostgreSQL adds
/// `FOR UPDATE SKIP LOCKED` so concurrent workers on many nodes never take the same row; SQLite runs it
/// inside a write transaction (one writer at a time).
public struct SQLJobQueue: JobQueue {
    let database: Database

    public init(database: Database) { self.database = database }

    public func claim(kinds: [String], owner: String, leaseMillis: Int64, now: Int64) async throws -> Job? {
        let lock = database.engine == .postgres ? " FOR UPDATE SKIP LOCKED" : ""
        let kindList = SQLList(kinds.map { SQLBind($0) })
        let statement: SQLQueryString = """
            UPDATE jobs SET status = 'leased', lease_owner = \(bind: owner), lease_expires_at = \(bind: now + leaseMillis),
                attempts = attempts + 1
            WHERE id = (
                SELECT id FROM jobs
                WHERE kind IN (\(kindList))
                  AND ((status = 'ready' AND run_at <= \(bind: now)) OR (status = 'leased' AND lease_expires_at < \(bind: now)))
                ORDER BY run_at, id LIMIT 1\(unsafeRaw: lock)
            )
            RETURNING id, kind, subject_id, attempts
            """
        let row = try await database.transaction { db in try await db.raw(statement).first() }
        guard let row else { return nil }
        return Job(
            id: try row.decode(column: "id", as: String.self), kind: try row.decode(column: "kind", as: String.self),
            subjectID: try row.decode(column: "subject_id", as: String.self), attempts: Int(try row.decode(column: "attempts", as: Int64.self))
        )
    }

    public func heartbeat(jobID: String, owner: String, until: Int64) async throws -> Bool {
        try await database.transaction { db in
            try await db.raw(
                """
                UPDATE jobs SET lease_expires_at = \(bind: until)
                WHERE id = \(bind: jobID) AND lease_owner = \(bind: owner) AND status = 'leased' RETURNING id
                """
            ).first() != nil
        }
    }

    public func retry(jobID: String, owner: String, runAt: Int64, error: String) async throws {
        try await database.transaction { db in
            try await db.raw(
                """
                UPDATE jobs SET status = 'ready', run_at = \(bind: runAt), lease_owner = NULL, lease_expires_at = NULL,
                    last_error = \(bind: String(error.prefix(2000)))
                WHERE id = \(bind: jobID) AND lease_owner = \(bind: owner)
                """
            ).run()
        }
    }

    /// Inserts a ready job (inside the caller's transaction).
    static func insert(on db: any SQLDatabase, id: String, kind: String, subjectID: String, runAt: Int64) async throws {
        try await db.raw(
            """
            INSERT INTO jobs (id, kind, subject_id, status, attempts, run_at, created_at)
            VALUES (\(bind: id), \(bind: kind), \(bind: subjectID), 'ready', 0, \(bind: runAt), \(bind: runAt))
            """
        ).run()
        if db.dialect.name == "postgresql" {
            // Delivered when the enqueueing transaction commits; see JobNotificationListener.
            try await db.raw("SELECT pg_notify(\(bind: JobNotificationListener.channel), \(bind: kind))").run()
        }
    }

    /// Marks a job finished: `done` or `dead` (inside the caller's transaction).
    static func finish(on db: any SQLDatabase, jobID: String, status: String, error: String? = nil) async throws {
        try await db.raw(
            """
            UPDATE jobs SET status = \(bind: status), lease_owner = NULL, lease_expires_at = NULL, last_error = \(bind: error)
            WHERE id = \(bind: jobID)
            """
        ).run()
    }
}
