import AdminProvisioning
import Core
import SQLKit

/// `APIKeyRepository` on SQLite and PostgreSQL. Every query but the hash lookup is scoped by project.
public struct SQLAPIKeyRepository: APIKeyRepository {
    let database: Database

    public init(database: Database) { self.database = database }

    static let columns = "id, project_id, name, prefix, environment, created_at, revoked_at, sealed_key"

    public func insert(_ key: NewAPIKey) async throws {
        try await Self.insert(key, on: database.sql)
    }

    static func insert(_ key: NewAPIKey, on db: any SQLDatabase) async throws {
        let record = key.record
        try await db.raw(
            """
            INSERT INTO api_keys (id, project_id, name, prefix, environment, key_hash, sealed_key, created_at, revoked_at)
            VALUES (\(bind: record.id), \(bind: record.projectID), \(bind: record.name), \(bind: record.prefix),
                    \(bind: record.environment.rawValue), \(bind: key.hash), \(bind: key.sealedKey), \(bind: record.createdAt), \(bind: record.revokedAt))
            """
        ).run()
    }

    public func list(projectID: String) async throws -> [APIKeyRecord] {
        try await database.sql.raw(
            "SELECT \(unsafeRaw: Self.columns) FROM api_keys WHERE project_id = \(bind: projectID) ORDER BY created_at DESC, id DESC"
        ).all().map(Self.record)
    }

    public func revoke(id: String, projectID: String, now: Int64) async throws -> APIKeyRecord? {
        try await database.transaction { db in
            try await db.raw(
                "UPDATE api_keys SET revoked_at = \(bind: now) WHERE id = \(bind: id) AND project_id = \(bind: projectID) AND revoked_at IS NULL"
            ).run()
            return try await db.raw(
                "SELECT \(unsafeRaw: Self.columns) FROM api_keys WHERE id = \(bind: id) AND project_id = \(bind: projectID)"
            ).first().map(Self.record)
        }
    }

    public func findActive(hash: String) async throws -> APIKeyRecord? {
        try await database.sql.raw(
            "SELECT \(unsafeRaw: Self.columns) FROM api_keys WHERE key_hash = \(bind: hash) AND revoked_at IS NULL"
        ).first().map(Self.record)
    }

    static func record(_ row: any SQLRow) throws -> APIKeyRecord {
        let environment = try row.decode(column: "environment", as: String.self)
        return APIKeyRecord(
            id: try row.decode(column: "id", as: String.self),
            projectID: try row.decode(column: "project_id", as: String.self),
            name: try row.decode(column: "name", as: String.self),
            prefix: try row.decode(column: "prefix", as: String.self),
            environment: APIKeyMaterial.Environment(rawValue: environment) ?? .live,
            createdAt: try row.decode(column: "created_at", as: Int64.self),
            revokedAt: try row.decode(column: "revoked_at", as: Int64?.self),
            provisioned: try row.decode(column: "sealed_key", as: String?.self) != nil
        )
    }
}
