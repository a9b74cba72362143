import EmbedSessions
import Foundation
import SQLKit

/// `EmbedPartnerRepository` on SQLite and PostgreSQL.
public struct SQLEmbedPartnerRepository: EmbedPartnerRepository {
    let database: Database

    public init(database: Database) { self.database = database }

    public func partner(projectID: String) async throws -> EmbedPartner? {
        guard
            let row = try await database.sql.raw(
                "SELECT id, project_id, allowed_origins, status FROM embed_partners WHERE project_id = \(bind: projectID)"
            ).first()
        else { return nil }
        return EmbedPartner(
            id: try row.decode(column: "id", as: String.self),
            projectID: try row.decode(column: "project_id", as: String.self),
            allowedOrigins: try SQLProvisioningRepository.decodeOrigins(try row.decode(column: "allowed_origins", as: String.self)),
            status: EmbedPartner.Status(rawValue: try row.decode(column: "status", as: String.self)) ?? .suspended
        )
    }

    public func anyPartnerAllows(origin: String) async throws -> Bool {
        try await database.sql.raw("SELECT partner_id FROM embed_partner_origins WHERE origin = \(bind: origin) LIMIT 1").first() != nil
    }

    public func publicKeys(partnerID: String) async throws -> [JSONWebKeySet.Key] {
        try await database.sql.raw(
            """
            SELECT kid, public_key FROM signing_keys WHERE partner_id = \(bind: partnerID) AND retired_at IS NULL
            ORDER BY created_at DESC, id DESC
            """
        ).all().map { row in
            JSONWebKeySet.Key(kid: try row.decode(column: "kid", as: String.self), x: try row.decode(column: "public_key", as: String.self))
        }
    }
}
