import Catalogs
import Core
import EmbedSessions
import Foundation
import Hummingbird

/// Partner-key routes under `/v1/embed/`. They need a project with embed enabled: without an embed
/// partner the key is `401 invalid_credentials`, as the reference's auth guide says; a suspended partner
/// is `403 partner_suspended`.
struct EmbedPartnerRoutes {
    let services: AppServices

    func register(on group: RouterGroup<AppRequestContext>, routes: RouteTable, prefix: String) {
        // The partner's public signing keys, for partners who verify session tokens themselves.
        routes.add(group, .get, "/embed/jwks.json", under: prefix) { _, context in
            let partner = try await requirePartner(context)
            let keys = try await services.embedPartners.publicKeys(partnerID: partner.id)
            return JSONBody.response(status: .ok, JSONWebKeySet(keys: keys))
        }
        // Sessions (docs/api.md#embed-session-requests, docs/decisions/0004-embed-sessions.md).
        routes.add(group, .post, "/embed/sessions", under: prefix) { request, context in
            let partner = try await requirePartner(context)
            let json = try await JSONBody.read(request, limit: services.config.maxBodyBytes)
            return JSONBody.response(
                status: .ok,
                Self.sessionBody(
                    try await SessionMinting(services: services).mint(
                        projectID: partner.projectID, partner: partner, json: json)))
        }
        routes.add(group, .post, "/embed/sessions/refresh", under: prefix) { request, context in
            let partner = try await requirePartner(context)
            let json = try await JSONBody.read(request, limit: services.config.maxBodyBytes)
            return JSONBody.response(status: .ok, Self.sessionBody(try await services.sessions.refresh(projectID: partner.projectID, json: json)))
        }
        routes.add(group, .delete, "/embed/sessions/:id", under: prefix) { _, context in
            let partner = try await requirePartner(context)
            let id = context.parameters.get("id") ?? ""
            try await services.sessions.revoke(projectID: partner.projectID, id: id)
            return JSONBody.response(status: .ok, JSONValue.object(["session_id": .string(id), "revoked": .bool(true)]))
        }
        // Variable catalogs (docs/api.md#variable-catalogs); list and get are extensions.
        routes.add(group, .post, "/embed/catalogs", under: prefix) { request, context in
            let partner = try await requirePartner(context)
            let json = try await JSONBody.read(request, limit: services.config.maxBodyBytes)
            let version = try await services.catalogs.publish(projectID: partner.projectID, json: json)
            return JSONBody.response(
                status: .created, JSONValue.object(["id": .string(version.id), "name": .string(version.name), "version": .int(version.version)])
            )
        }
        routes.add(group, .get, "/embed/catalogs", under: prefix) { _, context in
            let partner = try await requirePartner(context)
            let versions = try await services.catalogs.list(projectID: partner.projectID)
            return JSONBody.response(status: .ok, JSONValue.object(["data": .array(try versions.map { try Self.catalogBody($0, full: false) })]))
        }
        routes.add(group, .get, "/embed/catalogs/:name", under: prefix) { _, context in
            let partner = try await requirePartner(context)
            let version = try await services.catalogs.get(projectID: partner.projectID, name: context.parameters.get("name") ?? "")
            return JSONBody.response(status: .ok, try Self.catalogBody(version, full: true))
        }
        routes.add(group, .get, "/embed/catalogs/:name/versions/:version", under: prefix) { _, context in
            let partner = try await requirePartner(context)
            guard let number = context.parameters.get("version").flatMap(Int.init), number > 0 else {
                throw AppError.notFound("catalog_not_found", "Catalog versions are positive integers.")
            }
            let version = try await services.catalogs.get(projectID: partner.projectID, name: context.parameters.get("name") ?? "", version: number)
            return JSONBody.response(status: .ok, try Self.catalogBody(version, full: true))
        }
    }

    /// The mint/refresh response: snake_case, as the reference has it.
    static func sessionBody(_ minted: SessionService.Minted) -> JSONValue {
        .object([
            "session_id": .string(minted.session.id), "session_token": .string(minted.token), "iframe_url": .string(minted.iframeURL),
            "expires_at": .timestamp(minted.session.expiresAt), "renew_token": .string(minted.renewToken),
        ])
    }

    static func catalogBody(_ version: CatalogVersion, full: Bool) throws -> JSONValue {
        var body: [String: JSONValue] = [
            "id": .string(version.id), "name": .string(version.name), "version": .int(version.version),
            "createdAt": .timestamp(version.createdAt), "archivedAt": .timestamp(version.archivedAt),
        ]
        if full { body["catalog"] = try JSONValue.parse(Data(version.catalog.utf8)) }
        return .object(body)
    }

    func requirePartner(_ context: AppRequestContext) async throws -> EmbedPartner {
        let project = try context.requireProject()
        guard let partner = try await services.embedPartners.partner(projectID: project.projectID) else {
            throw AppError.unauthorized("invalid_credentials", "Embed is not enabled for this project.")
        }
        guard partner.status == .active else {
            throw AppError(status: 403, code: "partner_suspended", message: "The embed partnership of this project is suspended.")
        }
        return partner
    }
}
