import Core
import EmbedSessions
import Foundation
import HTTPTypes
import Hummingbird
import Render
import Templates

/// The builder page's routes (docs/api.md#builder-templates): create a template (partner key or
/// session token), then, with the session token, load the template the session may work on, save its
/// draft, publish, list versions, roll back, rename, delete, and preview. Fill sessions never reach a
/// template here; `view` sessions never write; each write is gated by its permission flag, and draft
/// saves and publishes count against the session's limits (`BuilderTemplates`).
struct BuilderRoutes {
    let services: AppServices
    static let base = "/builder/templates/:id"

    struct CreatedBody: Encodable { let documentTemplate: JSONValue }

    struct SavedBody: Encodable {
        let id: String
        let saved: Bool
    }

    /// The payload the SDK's `template.published` event carries.
    struct PublishedBody: Encodable {
        let templateId: String
        let version: Int
        let manifest: Manifest
        let warnings: [LintIssue]

        init(_ published: TemplateService.Published) {
            templateId = published.template.id
            version = published.version.number
            manifest = published.version.manifest
            warnings = published.warnings
        }
    }

    struct VersionsBody: Encodable {
        struct Version: Encodable {
            let version: Int
            let createdAt: Timestamp
            let contentHash: String
        }
        let data: [Version]
    }

    struct RenamedBody: Encodable {
        let id: String
        let name: String
    }

    struct DeletedBody: Encodable {
        let id: String
        @Nullable var deletedAt: Timestamp?
    }

    /// - Parameters:
    ///   - creators: the group whose guard takes a partner key or a session token.
    ///   - group: the session group.
    func register(
        creators: RouterGroup<AppRequestContext>, on group: RouterGroup<SessionRequestContext>, routes: RouteTable, prefix: String
    ) {
        routes.add(creators, .post, "/builder/templates", under: prefix) { request, context in
            let creator: BuilderTemplates.Creator
            if let session = context.session {
                creator = .session(session)
            } else {
                creator = .partner(projectID: try context.requireProject().projectID)
            }
            let body = try await JSONBody.read(request, limit: services.config.maxBodyBytes)
            return JSONBody.response(
                status: .ok, CreatedBody(documentTemplate: try await BuilderTemplates(services: services).create(creator, body: body)))
        }
        routes.add(group, .get, Self.base, under: prefix) { _, context in
            let template = try await access(context)
            return JSONBody.response(
                status: .ok, try TemplateBody.builder(template, current: try await services.templates.currentVersion(of: template)))
        }
        routes.add(group, .put, Self.base + "/draft", under: prefix) { request, context in
            let template = try await access(context, permission: \.saveDraft)
            let body = try await JSONBody.read(request, limit: services.config.maxBodyBytes)
            try await BuilderTemplates(services: services).saveDraft(context.session, template, body: body)
            return JSONBody.response(status: .ok, SavedBody(id: template.id, saved: true))
        }
        routes.add(group, .post, Self.base + "/publish", under: prefix) { request, context in
            let template = try await access(context, permission: \.publish)
            let published = try await BuilderTemplates(services: services).publish(context.session, template, body: try await optionalBody(request))
            return JSONBody.response(status: .ok, PublishedBody(published))
        }
        routes.add(group, .get, Self.base + "/versions", under: prefix) { _, context in
            let template = try await access(context, permission: \.viewVersionHistory, write: false)
            let versions = try await services.templates.versions(of: template)
            return JSONBody.response(
                status: .ok,
                VersionsBody(data: versions.map { .init(version: $0.number, createdAt: Timestamp($0.createdAt), contentHash: $0.contentHash) }))
        }
        routes.add(group, .post, Self.base + "/rollback", under: prefix) { request, context in
            let template = try await access(context, permission: \.rollback)
            let body = try await JSONBody.read(request, limit: services.config.maxBodyBytes)
            return JSONBody.response(
                status: .ok, PublishedBody(try await BuilderTemplates(services: services).rollback(context.session, template, body: body)))
        }
        routes.add(group, .patch, Self.base, under: prefix) { request, context in
            let template = try await access(context, permission: \.rename)
            var fields = try ObjectValidator(try await JSONBody.read(request, limit: services.config.maxBodyBytes))
            let name = fields.string("name", required: true, length: 1...120)
            try fields.finish()
            try await services.templates.rename(template, to: name!)
            return JSONBody.response(status: .ok, RenamedBody(id: template.id, name: name!))
        }
        routes.add(group, .delete, Self.base, under: prefix) { _, context in
            let template = try await access(context, permission: \.delete)
            let deleted = try await services.templates.delete(projectID: template.projectID, slug: template.slug)
            return JSONBody.response(status: .ok, DeletedBody(id: deleted.id, deletedAt: deleted.deletedAt.timestamp))
        }
        routes.add(group, .post, Self.base + "/preview", under: prefix) { request, context in
            try await preview(request, context.session, try await access(context))
        }
    }

    /// The template the session may work on: the scoped template (edit, view) or, for a create
    /// session, one it created itself. Anything else is 404 `template_not_found`.
    /// - Parameters:
    ///   - permission: the flag the route needs; nil for reads every builder session may do.
    ///   - write: whether the route changes the template (`view` sessions never do).
    func access(
        _ context: SessionRequestContext, permission: KeyPath<EmbedPermissions, Bool>? = nil, write: Bool = true
    ) async throws -> TemplateRecord {
        let verified = context.session
        // A form user's session never opens the builder: drafts are the partner's, not the end user's.
        guard verified.mode != .fill else { throw VerifiedSession.wrongMode("A fill session cannot open templates in the builder.") }
        let template = try await services.templates.live(projectID: verified.projectID, id: context.parameters.get("id") ?? "")
        let inScope: Bool
        switch verified.mode {
        case .create: inScope = template.createdBySession == verified.id
        case .edit, .view, .fill:
            inScope =
                verified.scope.templateID == template.id || verified.scope.templateExternalID == template.slug
                || verified.scope.templateExternalID == template.id
        }
        guard inScope else { throw AppError.notFound("template_not_found", "This session has no template \(template.id).") }
        if let permission {
            if write, verified.mode == .view || verified.mode == .fill {
                throw VerifiedSession.wrongMode("A \(verified.mode.rawValue) session cannot change templates.")
            }
            try verified.requirePermission(permission)
        }
        return template
    }

    /// The draft's (or the request's, or the published) layout rendered with sample data; nothing stored.
    func preview(_ request: Request, _ verified: VerifiedSession, _ template: TemplateRecord) async throws -> Response {
        try await DraftPreview(services: services).response(
            body: try await optionalBody(request), catalog: try await SessionCatalog(services: services).resolve(verified),
            layoutAllowed: verified.isBuilder
        ) {
            if let draft = template.draft, let layout = try JSONValue.parse(Data(draft.utf8))["layout"] {
                return try DocumentDecoder.decode(json: layout)
            }
            return try await services.templates.currentVersion(of: template).map { try DocumentDecoder.decode(Data($0.layout.utf8)) }
        }
    }

    func optionalBody(_ request: Request) async throws -> JSONValue? {
        let length = request.headers[.contentLength].flatMap(Int.init) ?? 0
        return length > 0 ? try await JSONBody.read(request, limit: services.config.maxBodyBytes) : nil
    }
}
