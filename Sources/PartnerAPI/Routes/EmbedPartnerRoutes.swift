import Core
import EmbedSessions
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
