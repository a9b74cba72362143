import Core
import EmbedSessions
import Foundation
import Renders
import Templates

/// `POST /v1/embed/form-submit/:sessionId` (docs/api.md#form-submit) spans the session (EmbedSessions)
/// and the render (Templates): check the session may submit, shape the data, merge the JWT's prefill
/// underneath it, and enqueue a render with source `form`.
struct FormSubmission {
    let services: AppServices

    func submit(_ verified: VerifiedSession, pathSessionID: String, body: JSONValue, idempotencyKey: String?) async throws -> RenderRecord {
        try Self.requireFill(verified, pathSessionID: pathSessionID)
        try verified.requirePermission(\.submitForm)
        guard case .object(let members) = body else {
            throw AppError.invalidRequest(ValidationIssues(formErrors: ["Expected an object {data, datasetSelection?}"]))
        }
        var issues = ValidationIssues()
        for key in members.keys where key != "data" && key != "datasetSelection" { issues.add("Unknown field", at: key) }
        var fields = try ObjectValidator(body)
        let data = fields.object("data", required: true)
        var selection: String?
        if let raw = fields.object("datasetSelection"), case .object(let pairs) = raw {
            for (key, value) in pairs where !(value.isString) { issues.add("Expected string", at: "datasetSelection.\(key)") }
            selection = String(decoding: try JSONEncoder().encode(raw), as: UTF8.self)
        }
        issues.merge(fields.issues)
        // Bounded before anything recurses over it: expansion, validation and the request hash.
        if let data, issues.isEmpty { issues.merge(DataLimits.data.issues(in: data, at: "data")) }
        if let idempotencyKey, !(1...200).contains(idempotencyKey.unicodeScalars.count) {
            issues.add("Must be 1 to 200 characters", at: "Idempotency-Key")
        }
        if !issues.isEmpty { throw AppError.invalidRequest(issues) }

        let template = try await resolveTemplate(verified)
        var merged = DottedKeys.expand(data!)
        if let prefill = verified.ck["form"]?["prefill"], DataLimits.data.violation(in: prefill, at: "prefill") == nil {
            merged = DottedKeys.merge(user: merged, under: DottedKeys.expand(prefill))
        }
        let (render, _) = try await services.renders.enqueue(
            projectID: verified.session.projectID, slug: template.slug, body: .object(["data": merged]),
            idempotencyKey: idempotencyKey.map { Self.sessionScoped($0, sessionID: verified.session.id) },
            origin: RenderOrigin(source: .form, sessionID: verified.session.id, tenantID: verified.session.tenantID, datasetSelection: selection)
        )
        return render
    }

    /// An end user's `Idempotency-Key` lives in its session's own namespace, so it can neither collide
    /// with nor probe the keys the partner uses on the render API (same project, same table).
    static func sessionScoped(_ key: String, sessionID: String) -> String {
        "form:\(sessionID):\(Hex.sha256(key))"
    }

    /// The path must name the token's own session, and the session must be a fill session.
    static func requireFill(_ verified: VerifiedSession, pathSessionID: String) throws {
        guard pathSessionID == verified.session.id else {
            throw AppError.notFound("session_not_found", "The path's session is not the token's session.")
        }
        guard verified.mode == .fill else { throw VerifiedSession.wrongMode("Only fill sessions can submit forms and upload images.") }
    }

    /// The session's template: `scope.template_id` (a UUID) or `scope.template_external_id` (the slug).
    func resolveTemplate(_ verified: VerifiedSession) async throws -> TemplateRecord {
        let projectID = verified.projectID
        let unresolved = AppError.notFound("template_not_resolved", "The session's template does not exist in this project.")
        do {
            if let id = verified.scope.templateID {
                guard Identifier.isValid(id) else { throw unresolved }
                return try await services.templates.live(projectID: projectID, id: id)
            }
            if let external = verified.scope.templateExternalID {
                // `templateExternalId` names the template by its id in the API we are compatible with; a
                // slug is accepted too, as an extension (the id is tried first, then the slug).
                if Identifier.isValid(external),
                    let template = try await Self.orNil({ try await services.templates.live(projectID: projectID, id: external) })
                {
                    return template
                }
                return try await services.templates.live(projectID: projectID, slug: external)
            }
        } catch let error as AppError where error.status == 404 {
            throw unresolved
        }
        throw AppError.notFound("template_not_resolved", "The session's scope names no template.")
    }

    /// The value, or nil when the lookup answered 404.
    static func orNil<T>(_ lookup: () async throws -> T) async throws -> T? {
        do {
            return try await lookup()
        } catch let error as AppError where error.status == 404 {
            return nil
        }
    }
}

extension JSONValue {
    var isString: Bool { if case .string = self { true } else { false } }
}
