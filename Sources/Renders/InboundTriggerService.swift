import Core
import Foundation

/// Manages a template's inbound trigger and turns an inbound request into a render through the same
/// pipeline as `POST /v1/templates/:slug/render` (validation, versioning, idempotency, webhooks).
public struct InboundTriggerService: Sendable {
    let triggers: any InboundTriggerRepository
    /// Only reads templates; their writes (and the unit of work) are the render service's.
    let templates: any RenderableVersionSource
    let renders: RenderService
    let secrets: SecretBox
    let clock: any WallClock

    public init(
        triggers: any InboundTriggerRepository, templates: any RenderableVersionSource, renders: RenderService, secrets: SecretBox,
        clock: any WallClock = SystemClock()
    ) {
        self.triggers = triggers
        self.templates = templates
        self.renders = renders
        self.secrets = secrets
        self.clock = clock
    }

    /// Creates (or replaces) the trigger; returns it with the token and secret, shown this once.
    public func create(projectID: String, slug: String, json: JSONValue?) async throws -> (InboundTrigger, token: String, secret: String) {
        var enforce = false
        if let json {
            var fields = try ObjectValidator(json)
            enforce = fields.bool("enforceSignature") ?? false
            try fields.finish()
        }
        let template = try await templates.live(projectID: projectID, slug: slug)
        let id = Identifier.make()
        let token = "ckh_" + APIKeyMaterial.generate(.live).dropFirst(APIKeyMaterial.Environment.live.prefix.count)
        let secret = "ckhs_" + APIKeyMaterial.generate(.live).dropFirst(APIKeyMaterial.Environment.live.prefix.count)
        let trigger = InboundTrigger(
            id: id, projectID: projectID, templateID: template.id, tokenPrefix: String(token.prefix(9)),
            sealedSecret: try secrets.seal(secret, context: InboundTrigger.sealContext(id: id)), enforceSignature: enforce,
            createdAt: clock.now().epochMillis
        )
        try await triggers.replace(trigger, tokenHash: InboundTrigger.hash(token: token))
        return (trigger, token, secret)
    }

    public func get(projectID: String, slug: String) async throws -> InboundTrigger {
        let template = try await templates.live(projectID: projectID, slug: slug)
        guard let trigger = try await triggers.find(templateID: template.id, projectID: projectID) else {
            throw AppError.notFound("not_found", "Template \"\(slug)\" has no inbound trigger.")
        }
        return trigger
    }

    public func delete(projectID: String, slug: String) async throws {
        let template = try await templates.live(projectID: projectID, slug: slug)
        guard try await triggers.delete(templateID: template.id, projectID: projectID) else {
            throw AppError.notFound("not_found", "Template \"\(slug)\" has no inbound trigger.")
        }
    }

    /// The trigger a `POST /v1/hooks/:token` names. Looked up before the body is read, so an unknown
    /// token costs the server no body upload.
    public func lookup(token: String) async throws -> InboundTrigger {
        guard token.count <= 200, let trigger = try await triggers.find(tokenHash: InboundTrigger.hash(token: token)) else {
            throw AppError.notFound("invalid_token", "No inbound trigger has this token.")
        }
        return trigger
    }

    /// `POST /v1/hooks/:token`: the raw body is the flat render data.
    public func trigger(_ trigger: InboundTrigger, rawBody: Data, signature: String?, idempotencyKey: String?) async throws -> RenderRecord {
        if signature != nil || trigger.enforceSignature {
            let secret = try secrets.open(trigger.sealedSecret, context: InboundTrigger.sealContext(id: trigger.id))
            // Hex HMAC-SHA256 of the raw body (docs/api.md#inbound-trigger-requests), compared in
            // constant time.
            guard let signature, HMACHex.verify(secret: secret, body: rawBody, signature: signature) else {
                throw AppError.unauthorized("invalid_signature", "x-craftkit-signature is missing or does not match the body.")
            }
        }
        let data = try JSONValue.parse(rawBody)
        guard case .object = data else {
            var issues = ValidationIssues()
            issues.add("The body must be a JSON object of template data, received \(data.typeName)", at: nil)
            throw AppError(status: 400, code: "invalid_input_data", message: "The body is not template data.", issues: issues)
        }
        guard let template = try await templates.renderableTemplate(id: trigger.templateID, projectID: trigger.projectID) else {
            throw AppError.notFound("invalid_token", "The template of this trigger was deleted.")
        }
        let (render, _) = try await renders.enqueue(
            projectID: trigger.projectID, slug: template.slug, body: .object(["data": data]), idempotencyKey: idempotencyKey,
            origin: RenderOrigin(source: .inbound)
        )
        return render
    }
}
