import Core
import Renders
import SQLKit

/// `InboundTriggerRepository` on SQLite and PostgreSQL. One trigger per template.
public struct SQLInboundTriggerRepository: InboundTriggerRepository {
    let database: Database

    public init(database: Database) { self.database = database }

    static let columns = "id, project_id, template_id, token_prefix, sealed_secret, enforce_signature, created_at"

    public func replace(_ trigger: InboundTrigger, tokenHash: String) async throws {
        try await database.transaction { db in
            try await db.raw("DELETE FROM inbound_triggers WHERE template_id = \(bind: trigger.templateID)").run()
            try await db.raw(
                """
                INSERT INTO inbound_triggers (id, project_id, template_id, token_hash, token_prefix, sealed_secret, enforce_signature, created_at)
                VALUES (\(bind: trigger.id), \(bind: trigger.projectID), \(bind: trigger.templateID), \(bind: tokenHash), \(bind: trigger.tokenPrefix),
                        \(bind: trigger.sealedSecret), \(bind: trigger.enforceSignature ? 1 : 0), \(bind: trigger.createdAt))
                """
            ).run()
        }
    }

    public func find(templateID: String, projectID: String) async throws -> InboundTrigger? {
        try await database.sql.raw(
            "SELECT \(unsafeRaw: Self.columns) FROM inbound_triggers WHERE template_id = \(bind: templateID) AND project_id = \(bind: projectID)"
        ).first().map(Self.trigger)
    }

    public func find(tokenHash: String) async throws -> InboundTrigger? {
        try await database.sql.raw("SELECT \(unsafeRaw: Self.columns) FROM inbound_triggers WHERE token_hash = \(bind: tokenHash)").first()
            .map(Self.trigger)
    }

    public func delete(templateID: String, projectID: String) async throws -> Bool {
        try await database.transaction { db in
            try await db.raw(
                "DELETE FROM inbound_triggers WHERE template_id = \(bind: templateID) AND project_id = \(bind: projectID) RETURNING id"
            ).first() != nil
        }
    }

    static func trigger(_ row: any SQLRow) throws -> InboundTrigger {
        InboundTrigger(
            id: try row.decode(column: "id", as: String.self), projectID: try row.decode(column: "project_id", as: String.self),
            templateID: try row.decode(column: "template_id", as: String.self), tokenPrefix: try row.decode(column: "token_prefix", as: String.self),
            sealedSecret: try row.decode(column: "sealed_secret", as: String.self),
            enforceSignature: try row.decode(column: "enforce_signature", as: Int64.self) != 0,
            createdAt: try row.decode(column: "created_at", as: Int64.self)
        )
    }
}
