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
            let (_, template) = try await access(request, context)
            return try await preview(request, template)
        }
    }

    /// The session and the template it may work on: the scoped template (edit, view, fill) or, for a
    /// create session, one it created itself. Anything else is 404 `template_not_found`.
    func access(
        _ request: Request, _ context: AppRequestContext, permission: String? = nil, write: Bool = true
    ) async throws -> (VerifiedSession, TemplateRecord) {
        let verified = try await EmbedSessionAuth.authenticate(request, context, services: services)
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

    /// Renders a layout (the body's, else the draft's, else the published one) with sample or given data:
    /// a PNG of one page (`format: png`, default) or the PDF. Nothing is stored.
    func preview(_ request: Request, _ template: TemplateRecord) async throws -> Response {
        let body = try await optionalBody(request)
        var fields = try ObjectValidator(body ?? .object([:]))
        let format = fields.string("format") ?? "png"
        if format != "png" && format != "pdf" { fields.fail("format", "Must be png or pdf") }
        let page = fields.integer("page", range: 1...2_000) ?? 1
        let dpi = fields.integer("dpi", range: 18...300) ?? 96
        try fields.finish()
        var layout = body?["layout"]
        if layout == nil, let draft = template.draft { layout = try JSONValue.parse(Data(draft.utf8))["layout"] }
        let document: Document
        if let layout {
            guard let decoded = try? DocumentDecoder.decode(json: layout) else {
                throw AppError(status: 422, code: "template_invalid", message: "The layout is not a render-ready document yet.")
            }
            document = decoded
        } else if let version = try await services.templates.currentVersion(of: template) {
            document = try DocumentDecoder.decode(Data(version.layout.utf8))
        } else {
            throw AppError(status: 422, code: "template_invalid", message: "There is nothing to preview yet.")
        }
        let data = body?["data"] ?? SampleData.make(for: ManifestExtractor.extract(document))
        let images = services.renderWorker.imageLoader
        if format == "pdf" {
            let pdf = try await services.engine.renderPDF(document: document, data: data, images: images)
            return Response(
                status: .ok, headers: [.contentType: "application/pdf", .cacheControl: "no-store"],
                body: .init(byteBuffer: ByteBuffer(bytes: pdf.bytes)))
        }
        let png = try await services.engine.renderPNG(document: document, data: data, page: page, dpi: Double(dpi), images: images)
        return Response(
            status: .ok,
            headers: [.contentType: "image/png", .cacheControl: "no-store", HTTPField.Name("x-craftkit-page-count")!: String(png.pageCount)],
            body: .init(byteBuffer: ByteBuffer(bytes: png.bytes))
        )
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
