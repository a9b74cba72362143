import Core
import EmbedSessions
import Foundation
import HTTPTypes
import Hummingbird

/// The form page's routes (fill session token; docs/api.md#form-submit): submit, image upload, and
/// the partly filled form kept on the session. The path names the token's own session.
struct EmbedFormRoutes {
    let services: AppServices

    struct DraftSavedBody: Encodable {
        let saved: Bool
        let savedAt: Timestamp
    }

    struct DraftBody: Encodable {
        let data: JSONValue
        @Nullable var savedAt: Timestamp?
    }

    func register(on group: RouterGroup<SessionRequestContext>, routes: RouteTable, prefix: String) {
        routes.add(group, .post, "/form-submit/:sessionId", under: prefix) { request, context in
            let body = try await JSONBody.read(request, limit: services.config.maxBodyBytes)
            let render = try await FormSubmission(services: services).submit(
                context.session, pathSessionID: context.parameters.get("sessionId") ?? "", body: body,
                idempotencyKey: request.headers[.idempotencyKey]
            )
            return JSONBody.response(status: .accepted, RenderPresenter(config: services.config).body(render, pollPath: "/v1/embed/renders"))
        }
        routes.add(group, .post, "/form-submit/:sessionId/upload-image", under: prefix) { request, context in
            try FormSubmission.requireFill(context.session, pathSessionID: context.parameters.get("sessionId") ?? "")
            let url = try await ImageUpload(services: services).store(request, context.session)
            return JSONBody.response(status: .ok, EmbedSessionRoutes.UploadBody(url: url))
        }
        // A partly filled form, kept on the session when `saveFormDraft` is granted.
        routes.add(group, .put, "/form-submit/:sessionId/draft", under: prefix) { request, context in
            let verified = try formDraftAccess(context)
            var fields = try ObjectValidator(try await JSONBody.read(request, limit: services.config.maxBodyBytes))
            let data = fields.object("data", required: true)
            try fields.finish()
            let savedAt = try await services.sessions.saveFormDraft(sessionID: verified.id, draft: data!)
            return JSONBody.response(status: .ok, DraftSavedBody(saved: true, savedAt: Timestamp(savedAt)))
        }
        routes.add(group, .get, "/form-submit/:sessionId/draft", under: prefix) { _, context in
            let verified = try formDraftAccess(context)
            let draft = try await services.sessions.formDraft(sessionID: verified.id)
            return JSONBody.response(status: .ok, DraftBody(data: draft?.draft ?? .null, savedAt: draft.map { Timestamp($0.savedAt) }))
        }
    }

    func formDraftAccess(_ context: SessionRequestContext) throws -> VerifiedSession {
        try FormSubmission.requireFill(context.session, pathSessionID: context.parameters.get("sessionId") ?? "")
        try context.session.requirePermission(\.saveFormDraft)
        return context.session
    }
}
