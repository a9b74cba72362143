import AdminProvisioning
import Core
import Hummingbird

/// `POST` and `PATCH /v1/admin/provision` (docs/decisions/0002-admin-provisioning.md), behind the
/// admin key.
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
        let appearance: Appearance?

        init(stack: ProvisionedStack, apiKey: String?, created: Bool?) {
            self.apiKey = apiKey
            projectId = stack.projectID
            externalOrgId = stack.externalOrgID
            name = stack.name
            self.created = created
            embed = Embed(partnerId: stack.partnerID, allowedOrigins: stack.allowedOrigins, signingKeyId: stack.signingKeyID)
            emailFrom = stack.emailFrom
            appearance = stack.appearance
        }

        enum CodingKeys: String, CodingKey { case apiKey, projectId, externalOrgId, name, created, embed, emailFrom, appearance }

        /// `emailFrom` and `appearance` are always present (null when unset); `apiKey` and `created` only on
        /// provision.
        func encode(to encoder: any Encoder) throws {
            var container = encoder.container(keyedBy: CodingKeys.self)
            try container.encodeIfPresent(apiKey, forKey: .apiKey)
            try container.encode(projectId, forKey: .projectId)
            try container.encode(externalOrgId, forKey: .externalOrgId)
            try container.encode(name, forKey: .name)
            try container.encodeIfPresent(created, forKey: .created)
            try container.encode(embed, forKey: .embed)
            try container.encode(emailFrom, forKey: .emailFrom)
            try container.encode(appearance, forKey: .appearance)
        }
    }

    func register(on group: RouterGroup<AppRequestContext>, routes: RouteTable, prefix: String) {
        routes.add(group, .post, "/provision", under: prefix) { request, _ in
            let body = try ProvisionRequest(json: try await JSONBody.read(request, limit: services.config.maxBodyBytes))
            let result = try await services.provisioning.provision(body)
            return JSONBody.response(
                status: .ok,
                ProvisionBody(stack: result.stack, apiKey: result.apiKey, created: result.created)
            )
        }
        routes.add(group, .patch, "/provision", under: prefix) { request, _ in
            let body = try ProvisionSettingsUpdate(json: try await JSONBody.read(request, limit: services.config.maxBodyBytes))
            let stack = try await services.provisioning.update(body)
            services.embedPartners.forget(projectID: stack.projectID)
            return JSONBody.response(status: .ok, ProvisionBody(stack: stack, apiKey: nil, created: nil))
        }
    }
}
