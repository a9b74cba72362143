import Catalogs
import Core
import EmbedSessions
import Foundation
import Hummingbird

/// The partner's embed routes (project key, under `/v1/embed/`): sessions (mint, refresh, revoke),
/// variable catalogs, the signing keys (JWKS), the builder's template list and the embed renders. They
/// need a project with embed enabled: without an embed partner the key is `401 invalid_credentials`,
/// as the reference's auth guide says; a suspended partner is `403 partner_suspended`.
struct EmbedPartnerRoutes {
    let services: AppServices

    /// The mint/refresh response: snake_case, as the reference has it.
    struct SessionBody: Encodable {
        let sessionID: String
        let sessionToken: String
        let iframeURL: String
        let expiresAt: Timestamp
        let renewToken: String

        init(_ minted: SessionService.Minted) {
            sessionID = minted.session.id
            sessionToken = minted.token
            iframeURL = minted.iframeURL
            expiresAt = Timestamp(minted.session.expiresAt)
            renewToken = minted.renewToken
        }

        enum CodingKeys: String, CodingKey {
            case sessionID = "session_id", sessionToken = "session_token", iframeURL = "iframe_url", expiresAt = "expires_at"
            case renewToken = "renew_token"
        }
    }

    struct RevokedBody: Encodable {
        let sessionID: String
        let revoked: Bool

        enum CodingKeys: String, CodingKey { case sessionID = "session_id", revoked }
    }

    struct CatalogCreatedBody: Encodable {
        let id: String
        let name: String
        let version: Int
    }

    /// A catalog version; `catalog` (the content) only when one version is asked for.
    struct CatalogBody: Encodable {
        let id: String
        let name: String
        let version: Int
        let createdAt: Timestamp
        @Nullable var archivedAt: Timestamp?
        let catalog: JSONValue?

        init(_ version: CatalogVersion, full: Bool) throws {
            id = version.id
            name = version.name
            self.version = version.version
            createdAt = Timestamp(version.createdAt)
            archivedAt = version.archivedAt.timestamp
            catalog = full ? try JSONValue.parse(Data(version.catalog.utf8)) : nil
        }
    }

    struct ListBody<Item: Encodable>: Encodable { let data: [Item] }

    struct TemplatesBody: Encodable { let templates: [TemplateBody] }

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
            let minted = try await SessionMinting(services: services).mint(projectID: partner.projectID, partner: partner, json: json)
            return JSONBody.response(status: .ok, SessionBody(minted))
        }
        routes.add(group, .post, "/embed/sessions/refresh", under: prefix) { request, context in
            let partner = try await requirePartner(context)
            let json = try await JSONBody.read(request, limit: services.config.maxBodyBytes)
            return JSONBody.response(status: .ok, SessionBody(try await services.sessions.refresh(projectID: partner.projectID, json: json)))
        }
        routes.add(group, .delete, "/embed/sessions/:id", under: prefix) { _, context in
            let partner = try await requirePartner(context)
            let id = context.parameters.get("id") ?? ""
            try await services.sessions.revoke(projectID: partner.projectID, id: id)
            return JSONBody.response(status: .ok, RevokedBody(sessionID: id, revoked: true))
        }
        // Variable catalogs (docs/api.md#variable-catalogs); list and get are extensions.
        routes.add(group, .post, "/embed/catalogs", under: prefix) { request, context in
            let partner = try await requirePartner(context)
            let json = try await JSONBody.read(request, limit: services.config.maxBodyBytes)
            let version = try await services.catalogs.publish(projectID: partner.projectID, json: json)
            return JSONBody.response(status: .created, CatalogCreatedBody(id: version.id, name: version.name, version: version.version))
        }
        routes.add(group, .get, "/embed/catalogs", under: prefix) { _, context in
            let partner = try await requirePartner(context)
            let versions = try await services.catalogs.list(projectID: partner.projectID)
            return JSONBody.response(status: .ok, ListBody(data: try versions.map { try CatalogBody($0, full: false) }))
        }
        routes.add(group, .get, "/embed/catalogs/:name", under: prefix) { _, context in
            let partner = try await requirePartner(context)
            let version = try await services.catalogs.get(projectID: partner.projectID, name: context.parameters.get("name") ?? "")
            return JSONBody.response(status: .ok, try CatalogBody(version, full: true))
        }
        routes.add(group, .get, "/embed/catalogs/:name/versions/:version", under: prefix) { _, context in
            let partner = try await requirePartner(context)
            guard let number = context.parameters.get("version").flatMap(Int.init), number > 0 else {
                throw AppError.notFound("catalog_not_found", "Catalog versions are positive integers.")
            }
            let version = try await services.catalogs.get(projectID: partner.projectID, name: context.parameters.get("name") ?? "", version: number)
            return JSONBody.response(status: .ok, try CatalogBody(version, full: true))
        }
        // The partner's templates, for its own builder UI. Needs an embed partner, suspended or not.
        routes.add(group, .get, "/embed/builder/templates", under: prefix) { _, context in
            let project = try context.requireProject()
            guard try await services.embedPartners.partner(projectID: project.projectID) != nil else {
                throw AppError.unauthorized("invalid_credentials", "Embed is not enabled for this project.")
            }
            let templates = try await services.templates.list(projectID: project.projectID)
            return JSONBody.response(status: .ok, TemplatesBody(templates: templates.map(TemplateBody.builderListItem)))
        }
        // Renders made through the project's embed sessions, filtered by tenant, template and status.
        routes.add(group, .get, "/embed/renders", under: prefix) { request, context in
            let project = try context.requireProject()
            let query = request.uri.queryParameters
            let number = { (name: String, fallback: Int) -> Int in query.get(name).map { Int($0) ?? -1 } ?? fallback }
            let renders = try await services.renders.embedRenders(
                projectID: project.projectID, tenant: query.get("tenant"), template: query.get("template"), status: query.get("status"),
                limit: number("limit", 50), offset: number("offset", 0)
            )
            let presenter = RenderPresenter(config: services.config)
            return JSONBody.response(status: .ok, ListBody(data: renders.map { presenter.body($0) }))
        }
        routes.add(group, .get, "/embed/renders/:id/download", under: prefix) { _, context in
            // Craftkit answers 404 here while the render has no PDF yet (the project routes say 409 `not_ready`).
            do {
                return try await RenderRoutes(services: services).download(context, disposition: "inline", cacheControl: "private, max-age=3600")
            } catch let error as AppError where error.code == "not_ready" {
                throw AppError.notFound("not_found", "This render has no PDF yet: \(error.message)")
            }
        }
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
