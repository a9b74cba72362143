import AdminProvisioning
import Core
import Foundation
import Hummingbird

/// `GET/POST /v1/keys`, `DELETE /v1/keys/:id`: a project manages its own API keys (an extension of the
/// reference, so partners rotate keys without the deployment admin). The plaintext is returned once,
/// on creation.
struct KeyRoutes {
    let services: AppServices

    struct KeyBody: Encodable {
        let id: String
        let name: String
        let prefix: String
        let environment: String
        let provisioned: Bool
        let createdAt: String
        let revokedAt: String?
        let key: String?

        init(_ record: APIKeyRecord, plaintext: String? = nil) {
            id = record.id
            name = record.name
            prefix = record.prefix
            environment = record.environment.rawValue
            provisioned = record.provisioned
            createdAt = Date(epochMillis: record.createdAt).iso8601
            revokedAt = record.revokedAt.map { Date(epochMillis: $0).iso8601 }
            key = plaintext
        }

        enum CodingKeys: String, CodingKey { case id, name, prefix, environment, provisioned, createdAt, revokedAt, key }

        /// `revokedAt` is always present (null while active); `key` only in the creation response.
        func encode(to encoder: any Encoder) throws {
            var container = encoder.container(keyedBy: CodingKeys.self)
            try container.encode(id, forKey: .id)
            try container.encode(name, forKey: .name)
            try container.encode(prefix, forKey: .prefix)
            try container.encode(environment, forKey: .environment)
            try container.encode(provisioned, forKey: .provisioned)
            try container.encode(createdAt, forKey: .createdAt)
            try container.encode(revokedAt, forKey: .revokedAt)
            try container.encodeIfPresent(key, forKey: .key)
        }
    }

    struct ListBody: Encodable { let data: [KeyBody] }

    func register(on group: RouterGroup<AppRequestContext>, routes: RouteTable, prefix: String) {
        routes.add(group, .get, "/keys", under: prefix) { _, context in
            let project = try context.requireProject()
            let keys = try await services.keys.list(projectID: project.projectID)
            return JSONBody.response(status: .ok, ListBody(data: keys.map { KeyBody($0) }))
        }
        routes.add(group, .post, "/keys", under: prefix) { request, context in
            let project = try context.requireProject()
            // The body is optional: no body is a live key named "API key".
            let json = try await JSONBody.readOptional(request, limit: services.config.maxBodyBytes) ?? .object([:])
            let (record, plaintext) = try await services.keys.create(projectID: project.projectID, json: json)
            return JSONBody.response(status: .created, KeyBody(record, plaintext: plaintext))
        }
        routes.add(group, .delete, "/keys/:id", under: prefix) { _, context in
            let project = try context.requireProject()
            let id = context.parameters.get("id") ?? ""
            let record = try await services.keys.revoke(id: id, projectID: project.projectID)
            return JSONBody.response(status: .ok, KeyBody(record))
        }
    }
}
