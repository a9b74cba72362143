import AdminProvisioning
import Core
import Foundation
import SQLKit

/// `ProvisioningRepository` on SQLite and PostgreSQL (one SQL text for both).
public struct SQLProvisioningRepository: ProvisioningRepository {
    let database: Database

    public init(database: Database) { self.database = database }

    public func createIfAbsent(_ plan: ProvisionPlan) async throws -> (stack: ProvisionedStack, created: Bool) {
        let created = try await database.transaction { db -> Bool in
            let stack = plan.stack
            // ON CONFLICT DO NOTHING makes a concurrent second insert wait for the first transaction
            // (PostgreSQL) or for the write lock (SQLite) and then insert nothing: exactly one org.
            let inserted = try await db.raw(
                """
                INSERT INTO orgs (id, external_org_id, name, created_at, updated_at)
                VALUES (\(bind: stack.orgID), \(bind: stack.externalOrgID), \(bind: stack.name), \(bind: plan.createdAt), \(bind: plan.createdAt))
                ON CONFLICT (external_org_id) DO NOTHING RETURNING id
                """
            ).first()
            guard inserted != nil else { return false }
            try await db.raw(
                """
                INSERT INTO projects (id, org_id, name, provisioned_key_id, created_at)
                VALUES (\(bind: stack.projectID), \(bind: stack.orgID), \(bind: stack.name), \(bind: plan.apiKey.record.id), \(bind: plan.createdAt))
                """
            ).run()
            try await SQLAPIKeyRepository.insert(plan.apiKey, on: db)
            try await db.raw(
                """
                INSERT INTO embed_partners (id, project_id, allowed_origins, email_from, appearance, status, created_at, updated_at)
                VALUES (\(bind: stack.partnerID), \(bind: stack.projectID), \(bind: try Self.encodeOrigins(stack.allowedOrigins)),
                        \(bind: stack.emailFrom), \(bind: try Appearance.stored(stack.appearance)), 'active',
                        \(bind: plan.createdAt), \(bind: plan.createdAt))
                """
            ).run()
            try await Self.indexOrigins(stack.allowedOrigins, partnerID: stack.partnerID, on: db)
            let key = plan.signingKey
            try await db.raw(
                """
                INSERT INTO signing_keys (id, partner_id, kid, public_key, sealed_private_key, created_at)
                VALUES (\(bind: key.id), \(bind: key.partnerID), \(bind: key.keyID), \(bind: key.publicKey), \(bind: key.sealedPrivateKey), \(bind: plan.createdAt))
                """
            ).run()
            return true
        }
        guard let stack = try await find(externalOrgID: plan.stack.externalOrgID) else {
            throw AppError(status: 500, code: "internal_error", message: "The provisioned org could not be read back.")
        }
        return (stack, created)
    }

    public func find(externalOrgID: String) async throws -> ProvisionedStack? {
        try await Self.find(externalOrgID: externalOrgID, on: database.sql)
    }

    static func find(externalOrgID: String, on db: any SQLDatabase) async throws -> ProvisionedStack? {
        guard
            let row = try await db.raw(
                """
                SELECT o.id AS org_id, o.external_org_id, o.name, p.id AS project_id, p.provisioned_key_id,
                       e.id AS partner_id, e.allowed_origins, e.email_from, e.appearance, k.sealed_key, k.revoked_at,
                       (SELECT s.kid FROM signing_keys s WHERE s.partner_id = e.id AND s.retired_at IS NULL
                        ORDER BY s.created_at DESC, s.id DESC LIMIT 1) AS kid
                FROM orgs o
                JOIN projects p ON p.org_id = o.id
                JOIN embed_partners e ON e.project_id = p.id
                LEFT JOIN api_keys k ON k.id = p.provisioned_key_id
                WHERE o.external_org_id = \(bind: externalOrgID)
                """
            ).first()
        else { return nil }
        let keyID = try row.decode(column: "provisioned_key_id", as: String?.self)
        let sealed = try row.decode(column: "sealed_key", as: String?.self)
        var provisionedKey: ProvisionedStack.ProvisionedKey?
        if let keyID, let sealed {
            provisionedKey = .init(id: keyID, sealedKey: sealed, revoked: try row.decode(column: "revoked_at", as: Int64?.self) != nil)
        }
        return ProvisionedStack(
            orgID: try row.decode(column: "org_id", as: String.self),
            externalOrgID: try row.decode(column: "external_org_id", as: String.self),
            name: try row.decode(column: "name", as: String.self),
            projectID: try row.decode(column: "project_id", as: String.self),
            partnerID: try row.decode(column: "partner_id", as: String.self),
            allowedOrigins: try decodeOrigins(try row.decode(column: "allowed_origins", as: String.self)),
            emailFrom: try row.decode(column: "email_from", as: String?.self),
            signingKeyID: try row.decode(column: "kid", as: String?.self) ?? "",
            provisionedKey: provisionedKey,
            appearance: Appearance(stored: try row.decode(column: "appearance", as: String?.self))
        )
    }

    public func updateSettings(
        externalOrgID: String, emailFrom: String??, allowedOrigins: [String]?, appearance: Appearance??, now: Int64
    ) async throws
        -> ProvisionedStack?
    {
        try await database.transaction { db in
            guard let stack = try await Self.find(externalOrgID: externalOrgID, on: db) else { return nil }
            if let emailFrom {
                try await db.raw(
                    "UPDATE embed_partners SET email_from = \(bind: emailFrom), updated_at = \(bind: now) WHERE id = \(bind: stack.partnerID)"
                ).run()
            }
            if let appearance {
                try await db.raw(
                    "UPDATE embed_partners SET appearance = \(bind: try Appearance.stored(appearance)), updated_at = \(bind: now) WHERE id = \(bind: stack.partnerID)"
                ).run()
            }
            if let allowedOrigins {
                try await db.raw(
                    "UPDATE embed_partners SET allowed_origins = \(bind: try Self.encodeOrigins(allowedOrigins)), updated_at = \(bind: now) WHERE id = \(bind: stack.partnerID)"
                ).run()
                try await Self.indexOrigins(allowedOrigins, partnerID: stack.partnerID, on: db)
            }
            return try await Self.find(externalOrgID: externalOrgID, on: db)
        }
    }

    public func replaceProvisionedKey(projectID: String, expected: String, with key: NewAPIKey) async throws -> Bool {
        try await database.transaction { db in
            let updated = try await db.raw(
                """
                UPDATE projects SET provisioned_key_id = \(bind: key.record.id)
                WHERE id = \(bind: projectID) AND provisioned_key_id = \(bind: expected) RETURNING id
                """
            ).first()
            guard updated != nil else { return false }
            try await SQLAPIKeyRepository.insert(key, on: db)
            return true
        }
    }

    /// JSON array text with unescaped slashes, so `anyPartnerAllows` can match a quoted origin with LIKE.
    /// Replaces a partner's rows in `embed_partner_origins`, the index the CORS check reads.
    static func indexOrigins(_ origins: [String], partnerID: String, on db: any SQLDatabase) async throws {
        try await db.raw("DELETE FROM embed_partner_origins WHERE partner_id = \(bind: partnerID)").run()
        for origin in Set(origins) {
            try await db.raw("INSERT INTO embed_partner_origins (origin, partner_id) VALUES (\(bind: origin), \(bind: partnerID))").run()
        }
    }

    static func encodeOrigins(_ origins: [String]) throws -> String {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.withoutEscapingSlashes]
        return String(decoding: try encoder.encode(origins), as: UTF8.self)
    }

    static func decodeOrigins(_ text: String) throws -> [String] {
        try JSONDecoder().decode([String].self, from: Data(text.utf8))
    }
}
