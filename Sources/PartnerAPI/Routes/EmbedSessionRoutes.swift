import Core
import EmbedSessions
import Foundation
import HTTPTypes
import Hummingbird
import Render
import Templates

/// What the iframe pages ask with their session token before and while they work: the session itself
/// (mode, permissions, limits and usage, catalog, appearance, the template and its form schema), a
/// preview of an unsaved layout, image uploads for builder image blocks, and the PDF of the session's
/// own renders.
struct EmbedSessionRoutes {
    let services: AppServices

    func register(on router: Router<AppRequestContext>, routes: RouteTable) {
        routes.add(router, .get, "/v1/embed/session") { request, context in
            try await JSONBody.response(
                status: .ok, bootstrap(try await EmbedSessionAuth.authenticate(request, context, services: services, failureCodes: true)))
        }
        routes.add(router, .post, "/v1/embed/preview") { request, context in
            let verified = try await EmbedSessionAuth.authenticate(request, context, services: services)
            if verified.session.mode == .fill, verified.ck["form"]?["show_preview"] != .bool(true) {
                throw AppError(status: 403, code: "permission_denied", message: "This form session has no preview (form.showPreview is off).")
            }
            let body = try await JSONBody.read(request, limit: services.config.maxBodyBytes)
            let mode = verified.session.mode
            return try await DraftPreview(services: services).response(
                body: body, catalog: try await SessionCatalog(services: services).resolve(verified), layoutAllowed: mode == .edit || mode == .create
            ) {
                guard verified.session.mode == .fill else { return nil }
                let template = try await FormSubmission(services: services).resolveTemplate(verified)
                return try await services.templates.currentVersion(of: template).map { try DocumentDecoder.decode(Data($0.layout.utf8)) }
            }
        }
        routes.add(router, .post, "/v1/embed/builder/uploads") { request, context in
            let verified = try await EmbedSessionAuth.authenticate(request, context, services: services)
            guard verified.session.mode == .edit || verified.session.mode == .create else {
                throw AppError(status: 403, code: "wrong_mode", message: "Only edit and create sessions upload template images.")
            }
            guard verified.permission("save_draft") else {
                throw AppError(status: 403, code: "permission_denied", message: "This session may not change templates (saveDraft is off).")
            }
            let url = try await ImageUpload(services: services).store(request, verified)
            return JSONBody.response(status: .ok, JSONValue.object(["url": .string(url)]))
        }
        routes.add(router, .get, "/v1/embed/renders/:id/pdf") { request, context in
            let verified = try await EmbedSessionAuth.authenticate(request, context, services: services)
            let render = try await services.renders.get(projectID: verified.session.projectID, id: context.parameters.get("id") ?? "")
            guard render.origin.sessionID == verified.session.id else {
                throw AppError.notFound("not_found", "No render \(render.id) in this session.")
            }
            return try await RenderRoutes.pdf(of: render, services: services, disposition: "inline", cacheControl: "private, no-store")
        }
    }

    func bootstrap(_ verified: VerifiedSession) async throws -> JSONValue {
        let ck = verified.ck
        let usage = try await services.sessions.usage(sessionID: verified.session.id)
        var body: [String: JSONValue] = [
            "sessionId": .string(verified.session.id), "mode": .string(verified.session.mode.rawValue),
            "expiresAt": .timestamp(verified.session.expiresAt),
            "tenant": .object(["externalId": ck["tenant"]?["external_id"] ?? .null, "displayName": ck["tenant"]?["display_name"] ?? .null]),
            "actor": .object(["externalId": ck["actor"]?["external_id"] ?? .null, "displayName": ck["actor"]?["display_name"] ?? .null]),
            "permissions": EmbedPermissions.apiNames(of: ck["permissions"]),
            "limits": .object([
                "maxPublishes": .int(verified.limit("max_publishes")), "maxSaveDrafts": .int(verified.limit("max_save_drafts")),
                "maxUploadsBytes": .int(verified.limit("max_uploads_bytes")),
            ]),
            "usage": .object([
                "publishes": .int(usage.publishes), "draftsSaved": .int(usage.draftsSaved), "uploadBytes": .int(usage.uploadBytes),
            ]),
            "catalog": try await SessionCatalog(services: services).resolve(verified) ?? .null,
            "appearance": ck["appearance"] ?? .null, "branding": ck["branding"] ?? .null,
            "allowedOrigins": .array(verified.partner.allowedOrigins.map(JSONValue.string)),
            "template": try await template(verified) ?? .null,
        ]
        if let form = ck["form"] {
            body["form"] = .object([
                "prefill": form["prefill"] ?? .null, "showPreview": form["show_preview"] ?? .bool(false),
                "showDocumentAfterSubmit": form["show_document_after_submit"] ?? .bool(true),
                "redirectUrl": form["redirect_url"] ?? .null, "captureMode": form["capture_mode"] ?? .null,
            ])
        }
        return .object(body)
    }

    /// The scoped template with its current version's manifest and the JSON Schema the form validates
    /// with; null for a create session (whose template does not exist yet) or a missing template.
    func template(_ verified: VerifiedSession) async throws -> JSONValue? {
        guard verified.session.mode != .create else { return nil }
        let template: TemplateRecord
        do {
            template = try await FormSubmission(services: services).resolveTemplate(verified)
        } catch let error as AppError where error.status == 404 {
            return nil
        }
        var body: [String: JSONValue] = [
            "id": .string(template.id), "slug": .string(template.slug), "name": .string(template.name),
            "currentVersionNumber": .int(template.currentVersionNumber),
        ]
        if let version = try await services.templates.currentVersion(of: template) {
            body["manifest"] = try JSONValue(encoding: version.manifest)
            body["schema"] = JSONSchemaBuilder.schema(for: version.manifest)
        }
        return .object(body)
    }
}
