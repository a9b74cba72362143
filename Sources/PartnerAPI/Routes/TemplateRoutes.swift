import Core
import Foundation
import Hummingbird
import Render
import Templates

/// `/v1/templates` (docs/api.md#template-requests): create from a manifest, create-or-republish, list,
/// get, soft-delete.
struct TemplateRoutes {
    let services: AppServices

    /// A created or republished template: its new version's manifest, content hash and lint warnings.
    struct PublishedBody: Encodable {
        let id: String
        let slug: String
        let currentVersionNumber: Int
        let manifest: Manifest
        let contentHash: String
        let warnings: [LintIssue]

        init(_ published: TemplateService.Published) {
            id = published.template.id
            slug = published.template.slug
            currentVersionNumber = published.version.number
            manifest = published.version.manifest
            contentHash = published.version.contentHash
            warnings = published.warnings
        }
    }

    struct ListBody: Encodable { let templates: [TemplateBody] }

    struct DeletedBody: Encodable {
        let id: String
        let slug: String
        @Nullable var deletedAt: Timestamp?
    }

    func register(on group: RouterGroup<AppRequestContext>, routes: RouteTable, prefix: String) {
        routes.add(group, .post, "/templates", under: prefix) { request, context in
            let project = try context.requireProject()
            let input = try TemplateInput(json: try await JSONBody.read(request, limit: services.config.maxBodyBytes), slugAllowed: true)
            let published = try await services.templates.create(projectID: project.projectID, input: input)
            return JSONBody.response(status: .created, PublishedBody(published))
        }
        routes.add(group, .put, "/templates/:slug", under: prefix) { request, context in
            let project = try context.requireProject()
            let slug = context.parameters.get("slug") ?? ""
            let input = try TemplateInput(json: try await JSONBody.read(request, limit: services.config.maxBodyBytes), slugAllowed: false)
            let published = try await services.templates.upsert(projectID: project.projectID, slug: slug, input: input)
            return JSONBody.response(status: published.created ? .created : .ok, PublishedBody(published))
        }
        routes.add(group, .get, "/templates", under: prefix) { _, context in
            let project = try context.requireProject()
            let templates = try await services.templates.list(projectID: project.projectID)
            return JSONBody.response(status: .ok, ListBody(templates: templates.map(TemplateBody.summary)))
        }
        routes.add(group, .get, "/templates/:slug", under: prefix) { _, context in
            let project = try context.requireProject()
            let detail = try await services.templates.get(projectID: project.projectID, slug: context.parameters.get("slug") ?? "")
            return JSONBody.response(status: .ok, try TemplateBody.detail(detail))
        }
        routes.add(group, .delete, "/templates/:slug", under: prefix) { _, context in
            let project = try context.requireProject()
            let deleted = try await services.templates.delete(projectID: project.projectID, slug: context.parameters.get("slug") ?? "")
            return JSONBody.response(status: .ok, DeletedBody(id: deleted.id, slug: deleted.slug, deletedAt: deleted.deletedAt.timestamp))
        }
    }
}
