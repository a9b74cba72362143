import Catalogs
import Core
import SQLKit

/// `CatalogRepository` on SQLite and PostgreSQL.
public struct SQLCatalogRepository: CatalogRepository {
    let database: Database

    public init(database: Database) { self.database = database }

    static let select = """
        SELECT v.id, c.project_id, c.name, v.version, v.payload, v.created_at, v.archived_at
        FROM catalog_versions v JOIN catalogs c ON c.id = v.catalog_id
        """

    public func publish(projectID: String, name: String, catalog: String, id: String, now: Int64) async throws -> CatalogVersion {
        try await database.transaction { db in
            // Insert-or-bump in one statement, so concurrent publishes of one name get distinct versions.
            let row = try await db.raw(
                """
                INSERT INTO catalogs (id, project_id, name, current_version, created_at, updated_at)
                VALUES (\(bind: Identifier.make()), \(bind: projectID), \(bind: name), 1, \(bind: now), \(bind: now))
                ON CONFLICT (project_id, name) DO UPDATE SET current_version = catalogs.current_version + 1, updated_at = \(bind: now)
                RETURNING id, current_version
                """
            ).first()
            guard let row else { throw AppError(status: 500, code: "internal_error", message: "The catalog could not be stored.") }
            let catalogID = try row.decode(column: "id", as: String.self)
            let version = try row.decode(column: "current_version", as: Int64.self)
            try await db.raw(
                "UPDATE catalog_versions SET archived_at = \(bind: now) WHERE catalog_id = \(bind: catalogID) AND archived_at IS NULL"
            ).run()
            try await db.raw(
                """
                INSERT INTO catalog_versions (id, catalog_id, version, payload, created_at)
                VALUES (\(bind: id), \(bind: catalogID), \(bind: version), \(bind: catalog), \(bind: now))
                """
            ).run()
            return CatalogVersion(id: id, projectID: projectID, name: name, version: Int(version), catalog: catalog, createdAt: now, archivedAt: nil)
        }
    }

    public func currentVersions(projectID: String) async throws -> [CatalogVersion] {
        try await database.sql.raw(
            "\(unsafeRaw: Self.select) WHERE c.project_id = \(bind: projectID) AND v.version = c.current_version ORDER BY c.name"
        ).all().map(Self.version)
    }

    public func current(projectID: String, name: String) async throws -> CatalogVersion? {
        try await database.sql.raw(
            "\(unsafeRaw: Self.select) WHERE c.project_id = \(bind: projectID) AND c.name = \(bind: name) AND v.version = c.current_version"
        ).first().map(Self.version)
    }

    public func version(projectID: String, name: String, version: Int) async throws -> CatalogVersion? {
        try await database.sql.raw(
            "\(unsafeRaw: Self.select) WHERE c.project_id = \(bind: projectID) AND c.name = \(bind: name) AND v.version = \(bind: version)"
        ).first().map(Self.version)
    }

    static func version(_ row: any SQLRow) throws -> CatalogVersion {
        CatalogVersion(
            id: try row.decode(column: "id", as: String.self), projectID: try row.decode(column: "project_id", as: String.self),
            name: try row.decode(column: "name", as: String.self), version: Int(try row.decode(column: "version", as: Int64.self)),
            catalog: try row.decode(column: "payload", as: String.self), createdAt: try row.decode(column: "created_at", as: Int64.self),
            archivedAt: try row.decode(column: "archived_at", as: Int64?.self)
        )
    }
}
