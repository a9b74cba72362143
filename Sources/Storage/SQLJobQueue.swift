import Core
import Renders
import SQLKit
import Webhooks

/// The durable queue on the `jobs` table, fair across tenants (docs/operations.md#fair-queueing).
///
/// A claim first picks the tenant (project) with due work whose last turn is oldest, skipping tenants
/// that already run `maxRunningPerTenant` jobs of these kinds, then leases that tenant's oldest due job.
/// So a burst of one tenant's renders waits its turn behind a single render of another, instead of
/// ahead of it. PostgreSQL leases with `FOR UPDATE SKIP LOCKED`, so workers on many nodes never take
/// the same row, and the tenant's turn row is locked for the claim, so the cap holds across nodes;
/// SQLite runs the claim inside one write transaction (one writer at a time).
public struct SQLJobQueue: JobQueue {
    let database: Database
    /// Jobs of one tenant leased at once (per set of kinds, across all workers); 0 = no cap.
    let maxRunningPerTenant: Int
    /// Tenants tried per claim when the first ones are at their cap or lose a race.
    static let candidateTenants = 8

    public init(database: Database, maxRunningPerTenant: Int = 0) {
        self.database = database
        self.maxRunningPerTenant = maxRunningPerTenant
    }

    public func claim(kinds: [String], owner: String, leaseMillis: Int64, now: Int64) async throws -> Job? {
        let kindList = SQLList(kinds.map { SQLBind($0) })
        let due: SQLQueryString =
            "kind IN (\(kindList)) AND ((status = 'ready' AND run_at <= \(bind: now)) OR (status = 'leased' AND lease_expires_at < \(bind: now)))"
        let running: SQLQueryString = "kind IN (\(kindList)) AND status = 'leased' AND lease_expires_at >= \(bind: now)"
        let turnPrefix = kinds.sorted().joined(separator: ",") + "|"
        // Tenants with due work, the one served longest ago first.
        let tenants = try await database.sql.raw(
            """
            SELECT g.tenant FROM (SELECT tenant FROM jobs WHERE \(due) GROUP BY tenant) g
            LEFT JOIN queue_turns t ON t.turn_key = \(bind: turnPrefix) || g.tenant
            ORDER BY COALESCE(t.claimed_at, 0), g.tenant LIMIT \(unsafeRaw: String(Self.candidateTenants))
            """
        ).all().map { try $0.decode(column: "tenant", as: String.self) }
        for tenant in tenants {
            // One transaction per tenant, so none holds two tenants' turn rows (no deadlock between
            // claimers that see the tenants in different orders).
            let row = try await database.transaction { db -> (any SQLRow)? in
                // Taking the turn first locks the tenant's row on PostgreSQL until commit: concurrent
                // claims for one tenant wait here, so the running count below is exact. A turn is a
                // sequence number, not a time: claims within one millisecond still rotate.
                try await db.raw(
                    """
                    INSERT INTO queue_turns (turn_key, claimed_at)
                    VALUES (\(bind: turnPrefix + tenant), (SELECT COALESCE(MAX(claimed_at), 0) + 1 FROM queue_turns))
                    ON CONFLICT (turn_key) DO UPDATE SET claimed_at = excluded.claimed_at
                    """
                ).run()
                if maxRunningPerTenant > 0 {
                    let count = try await db.raw("SELECT COUNT(*) AS n FROM jobs WHERE tenant = \(bind: tenant) AND \(running)").first()
                    if try count?.decode(column: "n", as: Int64.self) ?? 0 >= Int64(maxRunningPerTenant) { return nil }
                }
                return try await db.raw(
                    """
                    UPDATE jobs SET status = 'leased', lease_owner = \(bind: owner), lease_expires_at = \(bind: now + leaseMillis),
                        attempts = attempts + 1
                    WHERE id = (
                        SELECT id FROM jobs WHERE tenant = \(bind: tenant) AND \(due)
                        ORDER BY run_at, id LIMIT 1\(unsafeRaw: database.engine == .postgres ? " FOR UPDATE SKIP LOCKED" : "")
                    )
                    RETURNING id, kind, subject_id, attempts
                    """
                ).first()
            }
            guard let row else { continue }
            return Job(
                id: try row.decode(column: "id", as: String.self), kind: try row.decode(column: "kind", as: String.self),
                subjectID: try row.decode(column: "subject_id", as: String.self),
                attempts: Int(try row.decode(column: "attempts", as: Int64.self))
            )
        }
        return nil
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

    /// Inserts a ready job of `tenant` (inside the caller's transaction).
    static func insert(on db: any SQLDatabase, id: String, kind: String, subjectID: String, tenant: String, runAt: Int64) async throws {
        try await db.raw(
            """
            INSERT INTO jobs (id, kind, subject_id, tenant, status, attempts, run_at, created_at)
            VALUES (\(bind: id), \(bind: kind), \(bind: subjectID), \(bind: tenant), 'ready', 0, \(bind: runAt), \(bind: runAt))
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

/// The queue's depth per kind and state, for `/metrics`.
public enum QueueSnapshot {
    public struct Row: Sendable, Equatable {
        public var kind: String
        public var state: String
        public var count: Int
        /// `run_at` of the oldest job in that state (epoch milliseconds).
        public var oldestRunAt: Int64?
    }

    public static let kinds = [RenderWorker.jobKind, WebhookDeliverer.jobKind]
    /// Waiting, running (leased) and given up; finished jobs are not counted.
    public static let states = ["ready", "leased", "dead"]
}

extension SQLJobQueue {
    public func snapshot() async throws -> [QueueSnapshot.Row] {
        try await database.sql.raw(
            """
            SELECT kind, status, COUNT(*) AS n, MIN(run_at) AS oldest FROM jobs
            WHERE status IN ('ready', 'leased', 'dead') GROUP BY kind, status
            """
        ).all().map { row in
            QueueSnapshot.Row(
                kind: try row.decode(column: "kind", as: String.self), state: try row.decode(column: "status", as: String.self),
                count: Int(try row.decode(column: "n", as: Int64.self)), oldestRunAt: try row.decode(column: "oldest", as: Int64?.self))
        }
    }
}
