import Core
import EmbedSessions
import Foundation
import HTTPTypes
import Hummingbird
import NIOCore
import Render
import Templates

/// The builder page's routes (session token): load the template the session may work on, save its
/// draft, publish, list versions, roll back, rename, delete, and preview. Each write is gated by its
/// permission flag and the scope mode (`view` and `fill` never write), and draft saves and publishes
/// count against the session's limits.
struct BuilderSessionRoutes {
    let services: AppServices
    static let base = "/v1/embed/builder/templates/:id"

    func register(on router: Router<AppRequestContext>, routes: RouteTable) {
        routes.add(router, .get, Self.base) { request, context in
            let (_, template) = try await access(request, context)
            let current = try await services.templates.currentVersion(of: template)
            var body: [String: JSONValue] = [
                "id": .string(template.id), "slug": .string(template.slug), "name": .string(template.name),
                "currentVersionNumber": .int(template.currentVersionNumber), "updatedAt": .timestamp(template.updatedAt),
                "draft": try template.draft.map { try JSONValue.parse(Data($0.utf8)) } ?? .null,
            ]
            if let version = current {
                body["published"] = .object([
                    "version": .int(version.number), "layout": try JSONValue.parse(Data(version.layout.utf8)),
                    "manifest": try JSONValue(encoding: version.manifest),
                ])
            }
            return JSONBody.response(status: .ok, JSONValue.object(body))
        }
        routes.add(router, .put, Self.base + "/draft") { request, context in
            let (session, template) = try await access(request, context, permission: "save_draft")
            let body = try await JSONBody.read(request, limit: services.config.maxBodyBytes)
            guard case .object(let draft)? = body["documentTemplate"] else {
                var issues = ValidationIssues()
                issues.add("Required object", at: "documentTemplate")
                throw AppError.invalidRequest(issues)
            }
            try DataLimits.layout.check(.object(draft), at: "documentTemplate")
            try await services.sessions.consume(.draftsSaved, sessionID: session.session.id, limit: session.limit("max_save_drafts"))
            let category: String? = if case .string(let value)? = draft["category"] { String(value.prefix(120)) } else { nil }
            try await services.templates.saveDraft(
                template, draft: String(decoding: try JSONBody.encoder.encode(body["documentTemplate"]!), as: UTF8.self), category: category)
            return JSONBody.response(status: .ok, JSONValue.object(["id": .string(template.id), "saved": .bool(true)]))
        }
        routes.add(router, .post, Self.base + "/publish") { request, context in
            let (session, template) = try await access(request, context, permission: "publish")
            let body = try await optionalBody(request)
            let layout = body?["layout"] ?? template.draft.flatMap { try? JSONValue.parse(Data($0.utf8))["layout"] } ?? nil
            guard let layout, let document = try? DocumentDecoder.decode(json: layout) else {
                throw AppError(status: 422, code: "template_invalid", message: "The draft's layout is not a render-ready document yet.")
            }
            try await services.sessions.consume(.publishes, sessionID: session.session.id, limit: session.limit("max_publishes"))
            let published = try await services.templates.publish(projectID: template.projectID, template: template, document: document)
            return JSONBody.response(status: .ok, try Self.publishedBody(published))
        }
        routes.add(router, .get, Self.base + "/versions") { request, context in
            let (_, template) = try await access(request, context, permission: "view_version_history", write: false)
            let versions = try await services.templates.versions(of: template).map { version -> JSONValue in
                .object(["version": .int(version.number), "createdAt": .timestamp(version.createdAt), "contentHash": .string(version.contentHash)])
            }
            return JSONBody.response(status: .ok, JSONValue.object(["data": .array(versions)]))
        }
        routes.add(router, .post, Self.base + "/rollback") { request, context in
            let (session, template) = try await access(request, context, permission: "rollback_version")
            var fields = try ObjectValidator(try await JSONBody.read(request, limit: services.config.maxBodyBytes))
            let number = fields.integer("versionNumber", range: 1...1_000_000)
            if number == nil, fields.raw("versionNumber") == nil { fields.fail("versionNumber", "Required") }
            try fields.finish()
            let versions = try await services.templates.versions(of: template)
            guard let old = versions.first(where: { $0.number == number }) else {
                throw AppError.notFound("version_not_found", "Template \(template.slug) has no version \(number!).")
            }
            try await services.sessions.consume(.publishes, sessionID: session.session.id, limit: session.limit("max_publishes"))
            // A rollback publishes the old version's document again as the newest version.
            let published = try await services.templates.publish(
                projectID: template.projectID, template: template, document: try DocumentDecoder.decode(Data(old.layout.utf8))
            )
            return JSONBody.response(status: .ok, try Self.publishedBody(published))
        }
        routes.add(router, .patch, Self.base) { request, context in
            let (_, template) = try await access(request, context, permission: "rename")
            var fields = try ObjectValidator(try await JSONBody.read(request, limit: services.config.maxBodyBytes))
            let name = fields.string("name", required: true, length: 1...120)
            try fields.finish()
            try await services.templates.rename(template, to: name!)
            return JSONBody.response(status: .ok, JSONValue.object(["id": .string(template.id), "name": .string(name!)]))
        }
        routes.add(router, .delete, Self.base) { request, context in
            let (_, template) = try await access(request, context, permission: "delete")
            let deleted = try await services.templates.delete(projectID: template.projectID, slug: template.slug)
            return JSONBody.response(status: .ok, JSONValue.object(["id": .string(deleted.id), "deletedAt": .timestamp(deleted.deletedAt)]))
        }
        routes.add(router, .post, Self.base + "/preview") { request, context in
            let (verified, template) = try await access(request, context)
            return try await preview(request, verified, template)
        }
    }

    /// The session and the template it may work on: the scoped template (edit, view, fill) or, for a
    /// create session, one it created itself. Anything else is 404 `template_not_found`.
    func access(
        _ request: Request, _ context: AppRequestContext, permission: String? = nil, write: Bool = true
    ) async throws -> (VerifiedSession, TemplateRecord) {
        let verified = try await EmbedSessionAuth.authenticate(request, context, services: services)
        // A form user's session never opens the builder: drafts are the partner's, not the end user's.
        guard verified.session.mode != .fill else {
            throw AppError(status: 403, code: "wrong_mode", message: "A fill session cannot open templates in the builder.")
        }
        let template = try await services.templates.live(projectID: verified.session.projectID, id: context.parameters.get("id") ?? "")
        let scope = verified.ck["scope"]
        let inScope: Bool
        switch verified.session.mode {
        case .create: inScope = template.createdBySession == verified.session.id
        case .edit, .view, .fill:
            inScope = scope?["template_id"] == .string(template.id) || scope?["template_external_id"] == .string(template.slug)
        }
        guard inScope else { throw AppError.notFound("template_not_found", "This session has no template \(template.id).") }
        if let permission {
            if write, verified.session.mode == .view || verified.session.mode == .fill {
                throw AppError(status: 403, code: "wrong_mode", message: "A \(verified.session.mode.rawValue) session cannot change templates.")
            }
            guard verified.permission(permission) else {
                throw AppError(status: 403, code: "permission_denied", message: "This session lacks the \(permission) permission.")
            }
        }
        return (verified, template)
    }

    /// The draft's (or the request's, or the published) layout rendered with sample data; nothing stored.
    func preview(_ request: Request, _ verified: VerifiedSession, _ template: TemplateRecord) async throws -> Response {
        let mode = verified.session.mode
        return try await DraftPreview(services: services).response(
            body: try await optionalBody(request), catalog: try await SessionCatalog(services: services).resolve(verified),
            layoutAllowed: mode == .edit || mode == .create
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

    /// The payload the SDK's `template.published` event carries.
    static func publishedBody(_ published: TemplateService.Published) throws -> JSONValue {
        .object([
            "templateId": .string(published.template.id), "version": .int(published.version.number),
            "manifest": try JSONValue(encoding: published.version.manifest), "warnings": try JSONValue(encoding: published.warnings),
        ])
    }
}
