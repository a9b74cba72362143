import Core
import Foundation
import SQLKit
import Templates

/// `TemplateRepository` on SQLite and PostgreSQL. Publishing writes in the caller's `SQLUnitOfWork`
/// transaction; `TemplateService` emits `template.published` in it.
public struct SQLTemplateRepository: TemplateRepository {
    let database: Database
    /// Versions are immutable, so a process can keep the ones it has read.
    let versions = VersionCache()

    public init(database: Database) { self.database = database }

    static let templateColumns =
        "id, project_id, slug, name, description, template_type, current_version_number, created_at, updated_at, deleted_at, draft, category, created_by_session"
    static let versionColumns = "id, template_id, number, layout, manifest, json_schema, content_hash, created_at"

    public func create(_ template: TemplateRecord, firstVersion: TemplateVersionRecord, in transaction: any Transaction) async throws -> Bool {
        let db = try transaction.sql
        // The partial unique index makes a concurrent second insert of a live slug insert nothing.
        let inserted = try await db.raw(
            """
            INSERT INTO templates (id, project_id, slug, name, description, template_type, current_version_number, created_at, updated_at)
            VALUES (\(bind: template.id), \(bind: template.projectID), \(bind: template.slug), \(bind: template.name),
                    \(bind: template.description), \(bind: template.templateType), 1, \(bind: template.createdAt), \(bind: template.updatedAt))
            ON CONFLICT (project_id, slug) WHERE deleted_at IS NULL DO NOTHING RETURNING id
            """
        ).first()
        guard inserted != nil else { return false }
        var version = firstVersion
        version.number = 1
        try await Self.insert(version, on: db)
        return true
    }

    public func createDraft(_ template: TemplateRecord) async throws -> Bool {
        try await database.transaction { db in
            try await db.raw(
                """
                INSERT INTO templates (id, project_id, slug, name, description, template_type, created_at, updated_at, draft, category,
                    created_by_session)
                VALUES (\(bind: template.id), \(bind: template.projectID), \(bind: template.slug), \(bind: template.name), \(bind: template.description),
                        \(bind: template.templateType), \(bind: template.createdAt), \(bind: template.updatedAt), \(bind: template.draft), \(bind: template.category),
                        \(bind: template.createdBySession))
                ON CONFLICT (project_id, slug) WHERE deleted_at IS NULL DO NOTHING RETURNING id
                """
            ).first() != nil
        }
    }

    public func publish(
        templateID: String, projectID: String, name: String, description: String?, version: TemplateVersionRecord, now: Int64,
        in transaction: any Transaction
    ) async throws -> TemplateVersionRecord {
        let db = try transaction.sql
        // Taking the row with an UPDATE first serialises concurrent publishes of one template.
        guard
            let row = try await db.raw(
                """
                UPDATE templates SET current_version_number = COALESCE(current_version_number, 0) + 1, name = \(bind: name),
                    description = \(bind: description), updated_at = \(bind: now)
                WHERE id = \(bind: templateID) AND project_id = \(bind: projectID) AND deleted_at IS NULL
                RETURNING current_version_number
                """
            ).first()
        else { throw AppError.notFound("template_not_found", "The template was deleted.") }
        var stored = version
        stored.number = Int(try row.decode(column: "current_version_number", as: Int64.self))
        try await Self.insert(stored, on: db)
        return stored
    }

    static func insert(_ version: TemplateVersionRecord, on db: any SQLDatabase) async throws {
        let manifest = String(decoding: try JSONEncoder().encode(version.manifest), as: UTF8.self)
        try await db.raw(
            """
            INSERT INTO template_versions (id, template_id, number, layout, manifest, json_schema, content_hash, created_at)
            VALUES (\(bind: version.id), \(bind: version.templateID), \(bind: version.number), \(bind: version.layout), \(bind: manifest),
                    \(bind: version.jsonSchema), \(bind: version.contentHash), \(bind: version.createdAt))
            """
        ).run()
    }

    public func find(slug: String, projectID: String) async throws -> TemplateRecord? {
        try await database.sql.raw(
            """
            SELECT \(unsafeRaw: Self.templateColumns) FROM templates
            WHERE project_id = \(bind: projectID) AND slug = \(bind: slug) AND deleted_at IS NULL
            """
        ).first().map(Self.template)
    }

    public func list(projectID: String) async throws -> [TemplateRecord] {
        try await database.sql.raw(
            """
            SELECT \(unsafeRaw: Self.templateColumns) FROM templates
            WHERE project_id = \(bind: projectID) AND deleted_at IS NULL ORDER BY updated_at DESC, id DESC
            """
        ).all().map(Self.template)
    }

    public func version(templateID: String, number: Int) async throws -> TemplateVersionRecord? {
        if let cached = versions.get(templateID: templateID, number: number) { return cached }
        let version = try await database.sql.raw(
            "SELECT \(unsafeRaw: Self.versionColumns) FROM template_versions WHERE template_id = \(bind: templateID) AND number = \(bind: number)"
        ).first().map(Self.version)
        if let version { versions.put(version) }
        return version
    }

    public func version(id: String) async throws -> TemplateVersionRecord? {
        if let cached = versions.get(id: id) { return cached }
        let version = try await database.sql.raw("SELECT \(unsafeRaw: Self.versionColumns) FROM template_versions WHERE id = \(bind: id)")
            .first().map(Self.version)
        if let version { versions.put(version) }
        return version
    }

    public func saveDraft(id: String, projectID: String, draft: String, category: String?, now: Int64) async throws -> Bool {
        try await database.transaction { db in
            try await db.raw(
                """
                UPDATE templates SET draft = \(bind: draft), category = \(bind: category), updated_at = \(bind: now)
                WHERE id = \(bind: id) AND project_id = \(bind: projectID) AND deleted_at IS NULL RETURNING id
                """
            ).first() != nil
        }
    }

    public func rename(id: String, projectID: String, name: String, now: Int64) async throws -> Bool {
        try await database.transaction { db in
            try await db.raw(
                """
                UPDATE templates SET name = \(bind: name), updated_at = \(bind: now)
                WHERE id = \(bind: id) AND project_id = \(bind: projectID) AND deleted_at IS NULL RETURNING id
                """
            ).first() != nil
        }
    }

    public func versions(templateID: String) async throws -> [TemplateVersionRecord] {
        try await database.sql.raw(
            "SELECT \(unsafeRaw: Self.versionColumns) FROM template_versions WHERE template_id = \(bind: templateID) ORDER BY number DESC"
        ).all().map(Self.version)
    }

    public func find(id: String, projectID: String) async throws -> TemplateRecord? {
        try await database.sql.raw(
            "SELECT \(unsafeRaw: Self.templateColumns) FROM templates WHERE id = \(bind: id) AND project_id = \(bind: projectID) AND deleted_at IS NULL"
        ).first().map(Self.template)
    }

    public func softDelete(slug: String, projectID: String, now: Int64) async throws -> TemplateRecord? {
        try await database.transaction { db in
            try await db.raw(
                """
                UPDATE templates SET deleted_at = \(bind: now), updated_at = \(bind: now)
                WHERE project_id = \(bind: projectID) AND slug = \(bind: slug) AND deleted_at IS NULL
                RETURNING \(unsafeRaw: Self.templateColumns)
                """
            ).first().map(Self.template)
        }
    }

    static func template(_ row: any SQLRow) throws -> TemplateRecord {
        TemplateRecord(
            id: try row.decode(column: "id", as: String.self), projectID: try row.decode(column: "project_id", as: String.self),
            slug: try row.decode(column: "slug", as: String.self), name: try row.decode(column: "name", as: String.self),
            description: try row.decode(column: "description", as: String?.self),
            templateType: try row.decode(column: "template_type", as: String.self),
            currentVersionNumber: try row.decode(column: "current_version_number", as: Int64?.self).map(Int.init),
            createdAt: try row.decode(column: "created_at", as: Int64.self), updatedAt: try row.decode(column: "updated_at", as: Int64.self),
            deletedAt: try row.decode(column: "deleted_at", as: Int64?.self), draft: try row.decode(column: "draft", as: String?.self),
            category: try row.decode(column: "category", as: String?.self),
            createdBySession: try row.decode(column: "created_by_session", as: String?.self)
        )
    }

    static func version(_ row: any SQLRow) throws -> TemplateVersionRecord {
        TemplateVersionRecord(
            id: try row.decode(column: "id", as: String.self), templateID: try row.decode(column: "template_id", as: String.self),
            number: Int(try row.decode(column: "number", as: Int64.self)), layout: try row.decode(column: "layout", as: String.self),
            manifest: try JSONDecoder().decode(Manifest.self, from: Data(try row.decode(column: "manifest", as: String.self).utf8)),
            jsonSchema: try row.decode(column: "json_schema", as: String.self),
            contentHash: try row.decode(column: "content_hash", as: String.self), createdAt: try row.decode(column: "created_at", as: Int64.self)
        )
    }
}
