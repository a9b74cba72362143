import Core
import Foundation
import HTTPTypes
import Hummingbird
import NIOCore
import Renders

/// Inbound render triggers (docs/api.md#inbound-trigger-requests): `POST /v1/hooks/:token` (no
/// bearer; the token is the credential) and their management on the template
/// (`/v1/templates/:slug/inbound`, an extension).
struct InboundRoutes {
    let services: AppServices

    /// A trigger; `token`, `secret` and `url` only in the creation response (they are shown once).
    struct TriggerBody: Encodable {
        let id: String
        let tokenPrefix: String
        let enforceSignature: Bool
        let createdAt: Timestamp
        var token: String? = nil
        var secret: String? = nil
        var url: String? = nil

        init(_ trigger: InboundTrigger) {
            id = trigger.id
            tokenPrefix = trigger.tokenPrefix
            enforceSignature = trigger.enforceSignature
            createdAt = Timestamp(trigger.createdAt)
        }
    }

    struct DeletedBody: Encodable { let deleted: Bool }

    /// The public trigger route, outside the project-key group.
    func registerTrigger(on router: Router<AppRequestContext>, routes: RouteTable) {
        routes.add(router, .post, "/v1/hooks/:token") { request, context in
            let trigger = try await services.inbound.lookup(token: context.parameters.get("token") ?? "")
            let body = try await JSONBody.collect(request, limit: services.config.maxBodyBytes)
            let render = try await RenderRoutes.queueing {
                try await services.inbound.trigger(
                    trigger, rawBody: body,
                    signature: request.headers[.craftkitSignature], idempotencyKey: request.headers[.idempotencyKey]
                )
            }
            context.trace.projectID = render.projectID
            return JSONBody.response(status: .accepted, RenderPresenter(config: services.config).body(render))
        }
    }

    func register(on group: RouterGroup<AppRequestContext>, routes: RouteTable, prefix: String) {
        routes.add(group, .post, "/templates/:slug/inbound", under: prefix) { request, context in
            let project = try context.requireProject()
            let hasBody = request.headers[.contentLength].flatMap(Int.init).map { $0 > 0 } ?? false
            let json = hasBody ? try await JSONBody.read(request, limit: services.config.maxBodyBytes) : nil
            let (trigger, token, secret) = try await services.inbound.create(
                projectID: project.projectID, slug: context.parameters.get("slug") ?? "", json: json
            )
            var body = TriggerBody(trigger)
            body.token = token
            body.secret = secret
            body.url = "\(services.config.publicURL)/v1/hooks/\(token)"
            return JSONBody.response(status: .created, body)
        }
        routes.add(group, .get, "/templates/:slug/inbound", under: prefix) { _, context in
            let project = try context.requireProject()
            let trigger = try await services.inbound.get(projectID: project.projectID, slug: context.parameters.get("slug") ?? "")
            return JSONBody.response(status: .ok, TriggerBody(trigger))
        }
        routes.add(group, .delete, "/templates/:slug/inbound", under: prefix) { _, context in
            let project = try context.requireProject()
            try await services.inbound.delete(projectID: project.projectID, slug: context.parameters.get("slug") ?? "")
            return JSONBody.response(status: .ok, DeletedBody(deleted: true))
        }
    }
}

extension HTTPField.Name {
    static let craftkitSignature = HTTPField.Name("x-craftkit-signature")!
}
