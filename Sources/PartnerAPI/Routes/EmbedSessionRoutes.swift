import Core
import EmbedSessions
import Foundation
import HTTPTypes
import Hummingbird
import Render
import Renders
import Templates

/// The iframe session's own routes (session token, both pages): the session bootstrap (mode,
/// permissions, limits and usage, catalog, appearance, the template and its form schema), a preview
/// of an unsaved layout, image uploads for builder image blocks, and the session's own renders.
struct EmbedSessionRoutes {
    let services: AppServices

    struct BootstrapBody: Encodable {
        struct Party: Encodable {
            let externalId: JSONValue
            let displayName: JSONValue

            init(_ claim: JSONValue?) {
                externalId = claim?["external_id"] ?? .null
                displayName = claim?["display_name"] ?? .null
            }
        }

        /// `ck.form`, camelCased for the page, with the defaults the page relies on.
        struct Form: Encodable {
            let prefill: JSONValue
            let showPreview: JSONValue
            let showDocumentAfterSubmit: JSONValue
            let redirectUrl: JSONValue
            let captureMode: JSONValue

            init(_ claim: JSONValue) {
                prefill = claim["prefill"] ?? .null
                showPreview = claim["show_preview"] ?? .bool(false)
                showDocumentAfterSubmit = claim["show_document_after_submit"] ?? .bool(true)
                redirectUrl = claim["redirect_url"] ?? .null
                captureMode = claim["capture_mode"] ?? .null
            }
        }

        struct Usage: Encodable {
            let publishes: Int
            let draftsSaved: Int
            let uploadBytes: Int
        }

        let sessionId: String
        let mode: String
        let expiresAt: Timestamp
        let tenant: Party
        let actor: Party
        let permissions: [String: Bool]
        let limits: VerifiedSession.Limits
        let usage: Usage
        let catalog: JSONValue
        let appearance: JSONValue
        let branding: JSONValue
        let allowedOrigins: [String]
        @Nullable var template: TemplateBody?
        /// Fill sessions only.
        let form: Form?
    }

    struct UploadBody: Encodable { let url: String }

    /// - Parameters:
    ///   - bootstrap: the group whose guard answers with the pages' failure codes.
    ///   - group: the session group.
    func register(bootstrap: RouterGroup<SessionRequestContext>, on group: RouterGroup<SessionRequestContext>, routes: RouteTable, prefix: String) {
        routes.add(bootstrap, .get, "/session", under: prefix) { _, context in
            JSONBody.response(status: .ok, try await bootstrapBody(context.session))
        }
        routes.add(group, .post, "/preview", under: prefix) { request, context in
            let verified = context.session
            if verified.mode == .fill, verified.ck["form"]?["show_preview"] != .bool(true) {
                throw VerifiedSession.permissionDenied("This form session has no preview (form.showPreview is off).")
            }
            let body = try await JSONBody.read(request, limit: services.config.maxBodyBytes)
            return try await DraftPreview(services: services).response(
                body: body, catalog: try await SessionCatalog(services: services).resolve(verified), layoutAllowed: verified.isBuilder
            ) {
                guard verified.mode == .fill else { return nil }
                let template = try await FormSubmission(services: services).resolveTemplate(verified)
                return try await services.templates.currentVersion(of: template).map { try DocumentDecoder.decode(Data($0.layout.utf8)) }
            }
        }
        routes.add(group, .post, "/builder/uploads", under: prefix) { request, context in
            let verified = context.session
            guard verified.isBuilder else { throw VerifiedSession.wrongMode("Only edit and create sessions upload template images.") }
            try verified.requirePermission(\.saveDraft)
            return JSONBody.response(status: .ok, UploadBody(url: try await ImageUpload(services: services).store(request, verified)))
        }
        routes.add(group, .get, "/renders/:id", under: prefix) { _, context in
            let render = try await ownRender(context)
            return JSONBody.response(status: .ok, RenderPresenter(config: services.config).body(render, pollPath: "/v1/embed/renders"))
        }
        routes.add(group, .get, "/renders/:id/pdf", under: prefix) { _, context in
            try await RenderRoutes.pdf(of: try await ownRender(context), services: services, disposition: "inline", cacheControl: "private, no-store")
        }
    }

    /// A render this session made. Strict session ownership: another session's render (even of the
    /// same project) is 404.
    func ownRender(_ context: SessionRequestContext) async throws -> RenderRecord {
        let render = try await services.renders.get(projectID: context.session.projectID, id: context.parameters.get("id") ?? "")
        guard render.origin.sessionID == context.session.id else {
            throw AppError.notFound("not_found", "No render \(render.id) in this session.")
        }
        return render
    }

    func bootstrapBody(_ verified: VerifiedSession) async throws -> BootstrapBody {
        let ck = verified.ck
        let usage = try await services.sessions.usage(sessionID: verified.id)
        return BootstrapBody(
            sessionId: verified.id, mode: verified.mode.rawValue, expiresAt: Timestamp(verified.session.expiresAt),
            tenant: .init(ck["tenant"]), actor: .init(ck["actor"]), permissions: verified.permissions.apiNames, limits: verified.limits,
            usage: .init(publishes: usage.publishes, draftsSaved: usage.draftsSaved, uploadBytes: usage.uploadBytes),
            catalog: try await SessionCatalog(services: services).resolve(verified) ?? .null, appearance: ck["appearance"] ?? .null,
            branding: ck["branding"] ?? .null, allowedOrigins: verified.partner.allowedOrigins, template: try await template(verified),
            form: ck["form"].map(BootstrapBody.Form.init))
    }

    /// The scoped template with its current version's manifest and the JSON Schema the form validates
    /// with; nil for a create session (whose template does not exist yet) or a missing template.
    func template(_ verified: VerifiedSession) async throws -> TemplateBody? {
        guard verified.mode != .create else { return nil }
        let template: TemplateRecord
        do {
            template = try await FormSubmission(services: services).resolveTemplate(verified)
        } catch let error as AppError where error.status == 404 {
            return nil
        }
        return TemplateBody.session(template, current: try await services.templates.currentVersion(of: template))
    }
}
