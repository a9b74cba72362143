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
        // Origins are stored as a JSON array of normalised strings; match the quoted string exactly.
        let escaped = origin.replacingOccurrences(of: "!", with: "!!").replacingOccurrences(of: "%", with: "!%").replacingOccurrences(
            of: "_", with: "!_")
        let rows = try await database.sql.raw(
            "SELECT allowed_origins FROM embed_partners WHERE allowed_origins LIKE \(bind: "%\"" + escaped + "\"%") ESCAPE '!' LIMIT 20"
        ).all()
        return try rows.contains {
            try SQLProvisioningRepository.decodeOrigins(try $0.decode(column: "allowed_origins", as: String.self)).contains(origin)
        }
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
