import Core
import EmbedSessions
import Foundation
import HTTPTypes
import Hummingbird
import Render
import Templates

/// `POST /v1/embed/builder/templates` (partner key or session JWT) and `GET` (partner key only),
/// docs/api.md#builder-templates. A created template holds the builder's draft verbatim; version 1 is
/// published at once when the caller may publish and the layout is a render-ready document.
struct BuilderTemplateRoutes {
    let services: AppServices

    /// What the caller may do: a partner key has every right; a session has its claims.
    struct Caller {
        let projectID: String
        let canSaveDraft: Bool
        let canPublish: Bool
        let session: VerifiedSession?
    }

    func register(on router: Router<AppRequestContext>, project group: RouterGroup<AppRequestContext>, routes: RouteTable, prefix: String) {
        routes.add(router, .post, "/v1/embed/builder/templates") { request, context in
            let caller = try await authenticate(request, context)
            let body = try await JSONBody.read(request, limit: services.config.maxBodyBytes)
            return JSONBody.response(status: .ok, try await create(caller, body: body))
        }
        routes.add(group, .get, "/embed/builder/templates", under: prefix) { _, context in
            let project = try context.requireProject()
            guard try await services.embedPartners.partner(projectID: project.projectID) != nil else {
                throw AppError.unauthorized("invalid_credentials", "Embed is not enabled for this project.")
            }
            let templates = try await services.templates.list(projectID: project.projectID)
            let items: [JSONValue] = templates.map {
                .object([
                    "id": .string($0.id), "name": .string($0.name), "slug": .string($0.slug), "createdAt": .timestamp($0.createdAt),
                    "updatedAt": .timestamp($0.updatedAt), "category": .string($0.category),
                ])
            }
            return JSONBody.response(status: .ok, JSONValue.object(["templates": .array(items)]))
        }
    }

    func authenticate(_ request: Request, _ context: AppRequestContext) async throws -> Caller {
        let failure = AppError.unauthorized("missing_or_invalid_authorization", "Send a partner key or a session token as a Bearer token.")
        guard let header = request.headers[.authorization] else { throw failure }
        let token = header.split(separator: " ", maxSplits: 1).last.map(String.init) ?? ""
        if APIKeyMaterial.environment(of: token) != nil {
            guard let project = try await services.keys.authenticate(key: token),
                let partner = try await services.embedPartners.partner(projectID: project.projectID), partner.status == .active
            else { throw failure }
            context.trace.projectID = project.projectID
            return Caller(projectID: project.projectID, canSaveDraft: true, canPublish: true, session: nil)
        }
        do {
            let verified = try await EmbedSessionAuth.authenticate(request, context, services: services)
            return Caller(
                projectID: verified.session.projectID, canSaveDraft: verified.permission("save_draft"), canPublish: verified.permission("publish"),
                session: verified
            )
        } catch let error as AppError where error.status == 401 {
            throw failure
        }
    }

    func create(_ caller: Caller, body: JSONValue) async throws -> JSONValue {
        var fields = try ObjectValidator(body)
        let raw = fields.object("documentTemplate", required: true)
        // Extension: the builder page creates the template on its first save and publishes only when
        // the user asks, so it sends `autoPublish: false`.
        let autoPublish = fields.bool("autoPublish") ?? true
        try fields.finish()
        guard case .object(var draft)? = raw else { throw AppError.invalidRequest(ValidationIssues(formErrors: ["documentTemplate is required"])) }
        guard caller.canSaveDraft else {
            throw AppError(status: 403, code: "permission_denied", message: "This session may not save drafts (saveDraft is off).")
        }
        if let session = caller.session {
            try await services.sessions.consume(.draftsSaved, sessionID: session.session.id, limit: session.limit("max_save_drafts"))
        }
        var issues = ValidationIssues()
        var name = "Untitled template"
        if case .string(let given)? = draft["name"] {
            if (1...120).contains(given.count) { name = given } else { issues.add("Must be 1 to 120 characters", at: "documentTemplate.name") }
        }
        if let preset = draft["presetKey"], preset != .null, !preset.isString {
            issues.add("Expected string or null", at: "documentTemplate.presetKey")
        }
        if !issues.isEmpty { throw AppError.invalidRequest(issues) }
        draft["name"] = .string(name)
        if draft["presetKey"] == nil { draft["presetKey"] = .null }
        let category: String? = if case .string(let value)? = draft["category"] { String(value.prefix(120)) } else { nil }
        let text = String(decoding: try JSONBody.encoder.encode(JSONValue.object(draft)), as: UTF8.self)
        var template = try await services.templates.createDraft(
            projectID: caller.projectID, name: name, draft: text, category: category, sessionID: caller.session?.session.id
        )

        // Auto-publish: only with the right to publish and a layout that is a render-ready document.
        if autoPublish, caller.canPublish, let layout = draft["layout"], let document = try? DocumentDecoder.decode(json: layout),
            !(document.blocks.isEmpty)
        {
            let allowed: Bool
            if let session = caller.session {
                allowed =
                    (try? await services.sessions.consume(.publishes, sessionID: session.session.id, limit: session.limit("max_publishes"))) != nil
            } else {
                allowed = true
            }
            if allowed, let published = try? await services.templates.publish(projectID: caller.projectID, template: template, document: document) {
                template = published.template
            }
        }
        var adapted = draft
        adapted["_id"] = .string(template.id)
        adapted["organizationId"] = .string(caller.projectID)
        adapted["slug"] = .string(template.slug)
        adapted["sD"] = .bool(false)
        adapted["cAt"] = .timestamp(template.createdAt)
        adapted["isCustomTemplate"] = .bool(true)
        adapted["design"] = draft["design"] ?? .null
        adapted["currentVersionNumber"] = .int(template.currentVersionNumber)
        return .object(["documentTemplate": .object(adapted)])
    }
}
