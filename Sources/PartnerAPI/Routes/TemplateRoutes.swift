import Core
import Foundation
import Hummingbird
import Render
import Templates

/// `/v1/templates` (docs/api.md#template-requests): create from a manifest, create-or-republish, list,
/// get, soft-delete.
struct TemplateRoutes {
    let services: AppServices

    func register(on group: RouterGroup<AppRequestContext>, routes: RouteTable, prefix: String) {
        routes.add(group, .post, "/templates", under: prefix) { request, context in
            let project = try context.requireProject()
            let input = try TemplateInput(json: try await JSONBody.read(request, limit: services.config.maxBodyBytes), slugAllowed: true)
            let published = try await services.templates.create(projectID: project.projectID, input: input)
            return JSONBody.response(status: .created, try Self.publishedBody(published))
        }
        routes.add(group, .put, "/templates/:slug", under: prefix) { request, context in
            let project = try context.requireProject()
            let slug = context.parameters.get("slug") ?? ""
            let input = try TemplateInput(json: try await JSONBody.read(request, limit: services.config.maxBodyBytes), slugAllowed: false)
            let published = try await services.templates.upsert(projectID: project.projectID, slug: slug, input: input)
            return JSONBody.response(status: published.created ? .created : .ok, try Self.publishedBody(published))
        }
        routes.add(group, .get, "/templates", under: prefix) { _, context in
            let project = try context.requireProject()
            let templates = try await services.templates.list(projectID: project.projectID)
            return JSONBody.response(status: .ok, JSONValue.object(["templates": .array(templates.map(Self.summary))]))
        }
        routes.add(group, .get, "/templates/:slug", under: prefix) { _, context in
            let project = try context.requireProject()
            let detail = try await services.templates.get(projectID: project.projectID, slug: context.parameters.get("slug") ?? "")
            return JSONBody.response(status: .ok, try Self.detailBody(detail))
        }
        routes.add(group, .delete, "/templates/:slug", under: prefix) { _, context in
            let project = try context.requireProject()
            let deleted = try await services.templates.delete(projectID: project.projectID, slug: context.parameters.get("slug") ?? "")
            return JSONBody.response(
                status: .ok, JSONValue.object(["id": .string(deleted.id), "slug": .string(deleted.slug), "deletedAt": .timestamp(deleted.deletedAt)])
            )
        }
    }

    static func publishedBody(_ published: TemplateService.Published) throws -> JSONValue {
        .object([
            "id": .string(published.template.id),
            "slug": .string(published.template.slug),
            "currentVersionNumber": .int(published.version.number),
            "manifest": try JSONValue(encoding: published.version.manifest),
            "contentHash": .string(published.version.contentHash),
            "warnings": try JSONValue(encoding: published.warnings),
        ])
    }

    static func summary(_ template: TemplateRecord) -> JSONValue {
        .object([
            "id": .string(template.id), "name": .string(template.name), "slug": .string(template.slug),
            "templateType": .string(template.templateType), "currentVersionNumber": .int(template.currentVersionNumber),
            "published": .bool(template.currentVersionNumber != nil), "createdAt": .timestamp(template.createdAt),
            "updatedAt": .timestamp(template.updatedAt),
        ])
    }

    static func detailBody(_ detail: TemplateService.Detail) throws -> JSONValue {
        guard case .object(var members) = summary(detail.template) else { return .null }
        members["description"] = .string(detail.template.description)
        members["published"] = .bool(detail.version != nil)
        members["manifest"] = try detail.version.map { try JSONValue(encoding: $0.manifest) } ?? .null
        members["jsonSchema"] = try detail.version.map { try JSONValue.parse(Data($0.jsonSchema.utf8)) } ?? .null
        return .object(members)
    }
}
