import AdminProvisioning
import Core
import Hummingbird

/// `POST` and `PATCH /v1/admin/provision` (DESIGN.md decision 2), behind the admin key.
struct AdminRoutes {
    let services: AppServices

    struct ProvisionBody: Encodable {
        struct Embed: Encodable {
            let partnerId: String
            let allowedOrigins: [String]
            let signingKeyId: String
        }
        let apiKey: String?
        let projectId: String
        let externalOrgId: String
        let name: String
        let created: Bool?
        let embed: Embed
        let emailFrom: String?

        init(stack: ProvisionedStack, apiKey: String?, created: Bool?) {
            self.apiKey = apiKey
            projectId = stack.projectID
            externalOrgId = stack.externalOrgID
            name = stack.name
            self.created = created
            embed = Embed(partnerId: stack.partnerID, allowedOrigins: stack.allowedOrigins, signingKeyId: stack.signingKeyID)
            emailFrom = stack.emailFrom
        }
    }

    func register(on group: RouterGroup<AppRequestContext>, routes: RouteTable, prefix: String) {
        routes.add(group, .post, "/provision", under: prefix) { request, _ in
            let body = try ProvisionRequest(json: try await JSONBody.read(request, limit: services.config.maxBodyBytes))
            let result = try await services.provisioning.provision(body)
            return JSONBody.response(
                status: result.created ? .created : .ok,
                ProvisionBody(stack: result.stack, apiKey: result.apiKey, created: result.created)
            )
        }
        routes.add(group, .patch, "/provision", under: prefix) { request, _ in
            let body = try ProvisionSettingsUpdate(json: try await JSONBody.read(request, limit: services.config.maxBodyBytes))
            let stack = try await services.provisioning.update(body)
            return JSONBody.response(status: .ok, ProvisionBody(stack: stack, apiKey: nil, created: nil))
        }
    }
}
