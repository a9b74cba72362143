import Core
import EmbedSessions
import Foundation
import HTTPTypes
import Hummingbird
import NIOCore
import Templates

/// Iframe-side routes authenticated by the session JWT (spec-embed-admin §6 and §3.6): form submit,
/// image upload, polling the session's own renders, and the uploaded images themselves.
struct EmbedFormRoutes {
    let services: AppServices
    static let maxUploadBytes = 10 * 1024 * 1024
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
            return JSONBody.response(status: .ok, JSONValue.object(["url": .string(try await upload(request, verified))]))
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
            guard let bytes = try? await services.blobs.get(key: key), let type = ImageKind.sniff(bytes) else {
                throw AppError.notFound("not_found", "No such upload.")
            }
            return Response(
                status: .ok,
                headers: [
                    .contentType: type.mime, .cacheControl: "public, max-age=31536000, immutable", .contentSecurityPolicy: "default-src 'none'",
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

    /// Stores one uploaded image (PNG, JPEG, WebP or GIF, decided by its bytes) and returns its URL.
    func upload(_ request: Request, _ verified: VerifiedSession) async throws -> String {
        let boundary: String
        do {
            boundary = try Multipart.boundary(fromContentType: request.headers[.contentType])
        } catch {
            throw AppError(status: 400, code: "invalid_multipart", message: "Send multipart/form-data with a file field.")
        }
        // The file plus room for the multipart framing.
        let body = try await JSONBody.collect(request, limit: Self.maxUploadBytes + 64 * 1024, tooLarge: Self.tooLarge())
        let parts: [Multipart.Part]
        do {
            parts = try Multipart.parts(of: body, boundary: boundary)
        } catch {
            throw AppError(status: 400, code: "invalid_multipart", message: "The multipart body could not be read.")
        }
        guard let file = parts.first(where: { $0.name == "file" }), !file.body.isEmpty else {
            throw AppError(status: 400, code: "missing_file", message: "The multipart body has no file field.")
        }
        guard file.body.count <= Self.maxUploadBytes else { throw Self.tooLarge() }
        // The bytes decide the type; a declared type that disagrees (or SVG, which can carry script) is refused.
        guard let type = ImageKind.sniff(file.body), file.contentType.map(type.accepts) ?? true else {
            throw AppError(status: 415, code: "invalid_type", message: "Upload a PNG, JPEG, WebP or GIF image.")
        }
        let session = verified.session
        let name = "\(Identifier.make()).\(type.fileExtension)"
        let key = "embed-uploads/\(session.projectID)/\(session.id)/\(name)"
        let cap = verified.limit("max_uploads_bytes")
        guard
            try await services.sessions.recordUpload(session: session, blobKey: key, contentType: type.mime, bytes: file.body.count, limit: cap)
        else {
            throw AppError(status: 413, code: "file_too_large", message: "This session's uploads would exceed its limit of \(cap) bytes.")
        }
        try await services.blobs.put(file.body, key: key)
        return "\(services.config.publicURL)\(Self.uploadPrefix)\(session.projectID)/\(session.id)/\(name)"
    }

    static func tooLarge() -> AppError {
        AppError(status: 413, code: "file_too_large", message: "Images are limited to \(maxUploadBytes / 1_048_576) MB.")
    }
}

extension ImageKind {
    /// Whether a declared content type agrees with the bytes.
    func accepts(_ declared: String) -> Bool {
        let base = declared.split(separator: ";").first.map { $0.trimmingCharacters(in: .whitespaces) } ?? declared
        return base == mime || (self == .jpeg && base == "image/jpg") || base == "application/octet-stream"
    }
}
