import Core
import EmbedSessions
import Foundation
import HTTPTypes
import Hummingbird
import NIOCore
import Templates

/// Iframe-side routes authenticated by the session JWT (docs/api.md#form-submit and
/// docs/api.md#session-token-routes): form submit, image upload, polling the session's own renders,
/// and the uploaded images themselves.
struct EmbedFormRoutes {
    let services: AppServices
    static let uploadPrefix = "/v1/embed/uploads/"

    func register(on router: Router<AppRequestContext>, routes: RouteTable) {
        routes.add(router, .post, "/v1/embed/form-submit/:sessionId") { request, context in
            let verified = try await EmbedSessionAuth.authenticate(request, context, services: services)
            let body = try await JSONBody.read(request, limit: services.config.maxBodyBytes)
            let render = try await FormSubmission(services: services).submit(
                verified, pathSessionID: context.parameters.get("sessionId") ?? "", body: body,
                idempotencyKey: request.headers[.idempotencyKey]
            )
            return JSONBody.response(status: .accepted, RenderPresenter(config: services.config).json(render, pollPath: "/v1/embed/renders"))
        }
        routes.add(router, .post, "/v1/embed/form-submit/:sessionId/upload-image") { request, context in
            let verified = try await EmbedSessionAuth.authenticate(request, context, services: services)
            try FormSubmission.requireFill(verified, pathSessionID: context.parameters.get("sessionId") ?? "")
            return JSONBody.response(
                status: .ok, JSONValue.object(["url": .string(try await ImageUpload(services: services).store(request, verified))]))
        }
        // A partly filled form, kept on the session when `saveFormDraft` is granted.
        routes.add(router, .put, "/v1/embed/form-submit/:sessionId/draft") { request, context in
            let verified = try await formDraftAccess(request, context)
            var fields = try ObjectValidator(try await JSONBody.read(request, limit: services.config.maxBodyBytes))
            let data = fields.object("data", required: true)
            try fields.finish()
            let savedAt = try await services.sessions.saveFormDraft(sessionID: verified.session.id, draft: data!)
            return JSONBody.response(status: .ok, JSONValue.object(["saved": .bool(true), "savedAt": .timestamp(savedAt)]))
        }
        routes.add(router, .get, "/v1/embed/form-submit/:sessionId/draft") { request, context in
            let verified = try await formDraftAccess(request, context)
            let draft = try await services.sessions.formDraft(sessionID: verified.session.id)
            return JSONBody.response(
                status: .ok, JSONValue.object(["data": draft?.draft ?? .null, "savedAt": .timestamp(draft?.savedAt)])
            )
        }
        routes.add(router, .get, "/v1/embed/renders/:id") { request, context in
            let verified = try await EmbedSessionAuth.authenticate(request, context, services: services)
            let render = try await services.renders.get(projectID: verified.session.projectID, id: context.parameters.get("id") ?? "")
            // Strict session ownership: another session's render (even of the same project) is 404.
            guard render.origin.sessionID == verified.session.id else {
                throw AppError.notFound("not_found", "No render \(render.id) in this session.")
            }
            return JSONBody.response(status: .ok, RenderPresenter(config: services.config).json(render, pollPath: "/v1/embed/renders"))
        }
        routes.add(router, .get, "/v1/embed/uploads/:project/:session/:file") { _, context in
            let key =
                "embed-uploads/\(context.parameters.get("project") ?? "")/\(context.parameters.get("session") ?? "")/\(context.parameters.get("file") ?? "")"
            let retention = Int64(services.config.uploadRetentionDays) * 86_400_000
            guard try await services.sessions.uploadIsServed(blobKey: key, retentionMillis: retention),
                let bytes = try? await services.blobs.get(key: key), let type = ImageKind.sniff(bytes)
            else {
                throw AppError.notFound("not_found", "No such upload.")
            }
            return Response(
                status: .ok,
                headers: [
                    .contentType: type.mime, .cacheControl: "public, max-age=31536000, immutable", .contentSecurityPolicy: "default-src 'none'",
                    .xContentTypeOptions: "nosniff",
                ],
                body: .init(byteBuffer: ByteBuffer(bytes: bytes))
            )
        }
    }

    func formDraftAccess(_ request: Request, _ context: AppRequestContext) async throws -> VerifiedSession {
        let verified = try await EmbedSessionAuth.authenticate(request, context, services: services)
        try FormSubmission.requireFill(verified, pathSessionID: context.parameters.get("sessionId") ?? "")
        guard verified.permission("save_form_draft") else {
            throw AppError(status: 403, code: "permission_denied", message: "This session may not save form drafts (saveFormDraft is off).")
        }
        return verified
    }
}
