import Core
import Foundation
import Render
import Renders
import SQLKit

/// `RenderRepository` on SQLite and PostgreSQL: render rows only. The job a render needs and the events
/// it causes are written by `RenderService` and `RenderWorker` through the same `SQLUnitOfWork`
/// transaction as the row.
public struct SQLRenderRepository: RenderRepository {
    let database: Database

    public init(database: Database) {
        self.database = database
    }

    static let columns = """
        id, project_id, template_id, template_slug, version_id, version_number, status, data, filename, idempotency_key, request_hash,
        blob_key, sha256, page_count, byte_count, error_message, created_at, started_at, completed_at, duration_ms, source, session_id,
        tenant_id, dataset_selection, test_key, pdfa, warnings, attachment_count
        """

    public func insert(_ render: RenderRecord, in transaction: any Transaction) async throws {
        try await Self.insert(render, on: transaction.sql)
    }

    public func find(idempotencyKey: String, projectID: String, in transaction: any Transaction) async throws -> RenderRecord? {
        try await Self.byKey(idempotencyKey, projectID: projectID, on: transaction.sql)
    }

    public func find(idempotencyKey: String, projectID: String) async throws -> RenderRecord? {
        try await Self.byKey(idempotencyKey, projectID: projectID, on: database.sql)
    }

    public func releaseIdempotencyKey(renderID: String, in transaction: any Transaction) async throws {
        try await transaction.sql.raw("UPDATE renders SET idempotency_key = NULL WHERE id = \(bind: renderID)").run()
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
                idempotency_key, request_hash, created_at, source, session_id, tenant_id, dataset_selection, test_key, pdfa,
                attachment_count)
            VALUES (\(bind: render.id), \(bind: render.projectID), \(bind: render.templateID), \(bind: render.templateSlug),
                \(bind: render.versionID), \(bind: render.versionNumber), \(bind: render.status.rawValue), \(bind: render.data),
                \(bind: render.filename), \(bind: render.idempotencyKey), \(bind: render.requestHash), \(bind: render.createdAt),
                \(bind: render.origin.source.rawValue), \(bind: render.origin.sessionID), \(bind: render.origin.tenantID),
                \(bind: render.origin.datasetSelection), \(bind: render.origin.testKey ? 1 : 0), \(bind: render.pdfa?.rawValue),
                \(bind: render.attachmentCount))
            """
        ).run()
    }

    public func insertAttachments(_ files: [EmbeddedFile], renderID: String, in transaction: any Transaction) async throws {
        for (position, file) in files.enumerated() {
            try await transaction.sql.raw(
                """
                INSERT INTO render_attachments (render_id, position, filename, mime_type, relationship, description, content, url)
                VALUES (\(bind: renderID), \(bind: position), \(bind: file.filename), \(bind: file.mimeType),
                    \(bind: file.relationship.rawValue), \(bind: file.description), \(bind: file.content.base64EncodedString()), \(bind: file.url))
                """
            ).run()
        }
    }

    public func attachments(renderID: String) async throws -> [EmbeddedFile] {
        try await database.sql.raw(
            """
            SELECT filename, mime_type, relationship, description, content, url FROM render_attachments
            WHERE render_id = \(bind: renderID) ORDER BY position
            """
        ).all().map { row in
            guard let content = Data(base64Encoded: try row.decode(column: "content", as: String.self)),
                let relationship = EmbeddedFile.Relationship(rawValue: try row.decode(column: "relationship", as: String.self))
            else { throw AppError(status: 500, code: "internal_error", message: "A stored attachment of render \(renderID) could not be read.") }
            return EmbeddedFile(
                filename: try row.decode(column: "filename", as: String.self), mimeType: try row.decode(column: "mime_type", as: String.self),
                relationship: relationship, description: try row.decode(column: "description", as: String?.self), content: content,
                url: try row.decode(column: "url", as: String?.self))
        }
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

    public func markSucceeded(
        id: String, output: RenderOutput, now: Int64, durationMs: Int64, in transaction: any Transaction
    ) async throws
        -> String?
    {
        try await transaction.sql.raw(
            """
            UPDATE renders SET status = 'succeeded', blob_key = \(bind: output.blobKey), sha256 = \(bind: output.sha256),
                page_count = \(bind: output.pageCount), byte_count = \(bind: output.byteCount), error_message = NULL,
                warnings = \(bind: output.warnings.isEmpty ? nil : String(decoding: try JSONEncoder().encode(output.warnings), as: UTF8.self)),
                completed_at = \(bind: now), duration_ms = \(bind: durationMs)
            WHERE id = \(bind: id) AND status <> 'succeeded' RETURNING project_id
            """
        ).first()?.decode(column: "project_id", as: String.self)
    }

    public func markFailed(id: String, message: String, now: Int64, durationMs: Int64?, in transaction: any Transaction) async throws -> String? {
        try await transaction.sql.raw(
            """
            UPDATE renders SET status = 'failed', error_message = \(bind: String(message.prefix(2000))), completed_at = \(bind: now),
                duration_ms = \(bind: durationMs)
            WHERE id = \(bind: id) AND status NOT IN ('succeeded', 'failed') RETURNING project_id
            """
        ).first()?.decode(column: "project_id", as: String.self)
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
            datasetSelection: try row.decode(column: "dataset_selection", as: String?.self),
            testKey: (try? row.decode(column: "test_key", as: Int64.self)) == 1
        )
        record.pdfa = try row.decode(column: "pdfa", as: String?.self).flatMap(PDFAConformance.init(rawValue:))
        record.attachmentCount = Int(try row.decode(column: "attachment_count", as: Int64.self))
        record.warnings =
            try row.decode(column: "warnings", as: String?.self).map { try JSONDecoder().decode([RenderWarning].self, from: Data($0.utf8)) } ?? []
        return record
    }
}
