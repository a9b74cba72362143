import Core
import SQLKit
import Templates
import Webhooks

/// `RenderRepository` on SQLite and PostgreSQL: render rows plus the job rows that drive them, written
/// together in one transaction.
public struct SQLRenderRepository: RenderRepository {
    let database: Database
    /// SQLite only: concurrent enqueues share a transaction (group commit).
    let batcher: WriteBatcher<Enqueue, EnqueueOutcome>?

    struct Enqueue: Sendable {
        let render: RenderRecord
        let keysValidSince: Int64
    }

    public init(database: Database) {
        self.database = database
        batcher =
            database.engine == .sqlite
            ? WriteBatcher(database: database) { db, item in try await Self.enqueue(on: db, render: item.render, keysValidSince: item.keysValidSince)
            }
            : nil
    }

    static let columns = """
        id, project_id, template_id, template_slug, version_id, version_number, status, data, filename, idempotency_key, request_hash,
        blob_key, sha256, page_count, byte_count, error_message, created_at, started_at, completed_at, duration_ms, source, session_id,
        tenant_id, dataset_selection
        """

    public func enqueue(_ render: RenderRecord, keysValidSince: Int64) async throws -> EnqueueOutcome {
        if let batcher { return try await batcher.submit(Enqueue(render: render, keysValidSince: keysValidSince)) }
        do {
            return try await database.transaction { db in try await Self.enqueue(on: db, render: render, keysValidSince: keysValidSince) }
        } catch {
            // Two transactions raced on one key (PostgreSQL): the loser's insert hit the unique index.
            guard let key = render.idempotencyKey, let existing = try await Self.byKey(key, projectID: render.projectID, on: database.sql)
            else { throw error }
            return existing.requestHash == render.requestHash ? .replay(existing) : .keyReused
        }
    }

    /// The enqueue statements, inside the caller's transaction.
    static func enqueue(on db: any SQLDatabase, render: RenderRecord, keysValidSince: Int64) async throws -> EnqueueOutcome {
        if let key = render.idempotencyKey, let existing = try await byKey(key, projectID: render.projectID, on: db) {
            if existing.createdAt >= keysValidSince {
                return existing.requestHash == render.requestHash ? .replay(existing) : .keyReused
            }
            // An expired key is released so it can name this new render.
            try await db.raw("UPDATE renders SET idempotency_key = NULL WHERE id = \(bind: existing.id)").run()
        }
        try await insert(render, on: db)
        try await SQLJobQueue.insert(on: db, id: Identifier.make(), kind: RenderWorker.jobKind, subjectID: render.id, runAt: render.createdAt)
        if render.origin.source == .form {
            _ = try await SQLWebhookRepository.enqueueEvent(
                on: db, projectID: render.projectID, event: .formSubmitted, subjectID: render.id, now: render.createdAt
            )
        }
        return .created(render)
    }

    static func byKey(_ key: String, projectID: String, on db: any SQLDatabase) async throws -> RenderRecord? {
        try await db.raw(
            "SELECT \(unsafeRaw: columns) FROM renders WHERE project_id = \(bind: projectID) AND idempotency_key = \(bind: key)"
        ).first().map(record)
    }

    static func insert(_ render: RenderRecord, on db: any SQLDatabase) async throws {
        try await db.raw(
            """
            INSERT INTO renders (id, project_id, template_id, template_slug, version_id, version_number, status, data, filename,
                idempotency_key, request_hash, created_at, source, session_id, tenant_id, dataset_selection)
            VALUES (\(bind: render.id), \(bind: render.projectID), \(bind: render.templateID), \(bind: render.templateSlug),
                \(bind: render.versionID), \(bind: render.versionNumber), \(bind: render.status.rawValue), \(bind: render.data),
                \(bind: render.filename), \(bind: render.idempotencyKey), \(bind: render.requestHash), \(bind: render.createdAt),
                \(bind: render.origin.source.rawValue), \(bind: render.origin.sessionID), \(bind: render.origin.tenantID),
                \(bind: render.origin.datasetSelection))
            """
        ).run()
    }

    public func find(id: String, projectID: String) async throws -> RenderRecord? {
        try await database.sql.raw(
            "SELECT \(unsafeRaw: Self.columns) FROM renders WHERE id = \(bind: id) AND project_id = \(bind: projectID)"
        ).first().map(Self.record)
    }

    public func find(id: String) async throws -> RenderRecord? {
        try await database.sql.raw("SELECT \(unsafeRaw: Self.columns) FROM renders WHERE id = \(bind: id)").first().map(Self.record)
    }

    public func list(projectID: String, before: RenderRecord?, limit: Int) async throws -> [RenderRecord] {
        if let before {
            return try await database.sql.raw(
                """
                SELECT \(unsafeRaw: Self.columns) FROM renders WHERE project_id = \(bind: projectID)
                  AND (created_at < \(bind: before.createdAt) OR (created_at = \(bind: before.createdAt) AND id < \(bind: before.id)))
                ORDER BY created_at DESC, id DESC LIMIT \(bind: limit)
                """
            ).all().map(Self.record)
        }
        return try await database.sql.raw(
            "SELECT \(unsafeRaw: Self.columns) FROM renders WHERE project_id = \(bind: projectID) ORDER BY created_at DESC, id DESC LIMIT \(bind: limit)"
        ).all().map(Self.record)
    }

    public func embedRenders(
        projectID: String, tenantExternalID: String?, templateSlug: String?, status: RenderStatus?, limit: Int, offset: Int
    ) async throws -> [RenderRecord] {
        var query = SQLQueryString("SELECT \(unsafeRaw: Self.columns) FROM renders WHERE project_id = \(bind: projectID) AND source = 'form'")
        if let tenantExternalID {
            query +=
                " AND tenant_id IN (SELECT id FROM embed_tenants WHERE project_id = \(bind: projectID) AND external_id = \(bind: tenantExternalID))"
        }
        if let templateSlug { query += " AND template_slug = \(bind: templateSlug)" }
        if let status { query += " AND status = \(bind: status.rawValue)" }
        query += " ORDER BY created_at DESC, id DESC LIMIT \(bind: limit) OFFSET \(bind: offset)"
        return try await database.sql.raw(query).all().map(Self.record)
    }

    public func markRendering(id: String, now: Int64) async throws {
        try await database.transaction { db in
            try await db.raw(
                "UPDATE renders SET status = 'rendering', started_at = \(bind: now) WHERE id = \(bind: id) AND status IN ('queued', 'rendering')"
            ).run()
        }
    }

    public func markQueued(id: String, error: String) async throws {
        try await database.transaction { db in
            try await db.raw("UPDATE renders SET status = 'queued' WHERE id = \(bind: id) AND status = 'rendering'").run()
        }
    }

    public func markSucceeded(id: String, jobID: String, output: RenderOutput, now: Int64, durationMs: Int64) async throws {
        try await database.transaction { db in
            let changed = try await db.raw(
                """
                UPDATE renders SET status = 'succeeded', blob_key = \(bind: output.blobKey), sha256 = \(bind: output.sha256),
                    page_count = \(bind: output.pageCount), byte_count = \(bind: output.byteCount), error_message = NULL,
                    completed_at = \(bind: now), duration_ms = \(bind: durationMs)
                WHERE id = \(bind: id) AND status <> 'succeeded' RETURNING project_id
                """
            ).first()
            try await SQLJobQueue.finish(on: db, jobID: jobID, status: "done")
            if let projectID = try changed?.decode(column: "project_id", as: String.self) {
                _ = try await SQLWebhookRepository.enqueueEvent(on: db, projectID: projectID, event: .renderSucceeded, subjectID: id, now: now)
            }
        }
    }

    public func markFailed(id: String, jobID: String, message: String, now: Int64, durationMs: Int64?) async throws {
        try await database.transaction { db in
            let changed = try await db.raw(
                """
                UPDATE renders SET status = 'failed', error_message = \(bind: String(message.prefix(2000))), completed_at = \(bind: now),
                    duration_ms = \(bind: durationMs)
                WHERE id = \(bind: id) AND status NOT IN ('succeeded', 'failed') RETURNING project_id
                """
            ).first()
            try await SQLJobQueue.finish(on: db, jobID: jobID, status: "dead", error: message)
            if let projectID = try changed?.decode(column: "project_id", as: String.self) {
                _ = try await SQLWebhookRepository.enqueueEvent(on: db, projectID: projectID, event: .renderFailed, subjectID: id, now: now)
            }
        }
    }

    static func record(_ row: any SQLRow) throws -> RenderRecord {
        var record = RenderRecord(
            id: try row.decode(column: "id", as: String.self), projectID: try row.decode(column: "project_id", as: String.self),
            templateID: try row.decode(column: "template_id", as: String.self),
            templateSlug: try row.decode(column: "template_slug", as: String.self),
            versionID: try row.decode(column: "version_id", as: String.self),
            versionNumber: Int(try row.decode(column: "version_number", as: Int64.self)),
            status: RenderStatus(rawValue: try row.decode(column: "status", as: String.self)) ?? .failed,
            data: try row.decode(column: "data", as: String.self), filename: try row.decode(column: "filename", as: String?.self),
            idempotencyKey: try row.decode(column: "idempotency_key", as: String?.self),
            requestHash: try row.decode(column: "request_hash", as: String.self), blobKey: try row.decode(column: "blob_key", as: String?.self),
            sha256: try row.decode(column: "sha256", as: String?.self),
            pageCount: try row.decode(column: "page_count", as: Int64?.self).map(Int.init),
            byteCount: try row.decode(column: "byte_count", as: Int64?.self).map(Int.init),
            errorMessage: try row.decode(column: "error_message", as: String?.self), createdAt: try row.decode(column: "created_at", as: Int64.self),
            startedAt: try row.decode(column: "started_at", as: Int64?.self), completedAt: try row.decode(column: "completed_at", as: Int64?.self),
            durationMs: try row.decode(column: "duration_ms", as: Int64?.self)
        )
        record.origin = RenderOrigin(
            source: RenderOrigin.Source(rawValue: try row.decode(column: "source", as: String.self)) ?? .api,
            sessionID: try row.decode(column: "session_id", as: String?.self), tenantID: try row.decode(column: "tenant_id", as: String?.self),
            datasetSelection: try row.decode(column: "dataset_selection", as: String?.self)
        )
        return record
    }
}
