import Core
import EmbedSessions
import Foundation
import Render
import Templates

/// The builder's writes span the session (its flags and its draft and publish counters, EmbedSessions)
/// and the template (Templates): create, save a draft, publish, roll back. Routes authenticate and
/// find the template; the rules live here.
struct BuilderTemplates {
    let services: AppServices

    /// Who creates a template: a partner key has every right; a session has its flags and limits.
    enum Creator {
        case partner(projectID: String)
        case session(VerifiedSession)

        var projectID: String {
            switch self {
            case .partner(let projectID): projectID
            case .session(let session): session.projectID
            }
        }

        var session: VerifiedSession? { if case .session(let session) = self { session } else { nil } }
    }

    /// `POST /v1/embed/builder/templates`: a template holding the builder's draft verbatim; version 1 is
    /// published at once when the creator may publish and the layout is a render-ready document.
    /// Returns the reference's `documentTemplate`.
    func create(_ creator: Creator, body: JSONValue) async throws -> JSONValue {
        var fields = try ObjectValidator(body)
        let raw = fields.object("documentTemplate", required: true)
        // Extension: the builder page creates the template on its first save and publishes only when
        // the user asks, so it sends `autoPublish: false`.
        let autoPublish = fields.bool("autoPublish") ?? true
        try fields.finish()
        guard case .object(var draft)? = raw else { throw AppError.invalidRequest(ValidationIssues(formErrors: ["documentTemplate is required"])) }
        if let session = creator.session {
            try session.requirePermission(\.saveDraft)
            try await services.sessions.consume(.draftsSaved, sessionID: session.id, limit: session.limits.maxSaveDrafts)
        }
        var issues = ValidationIssues()
        var name = "Untitled template"
        if case .string(let given)? = draft["name"] {
            if (1...120).contains(given.unicodeScalars.count) {
                name = given
            } else {
                issues.add("Must be 1 to 120 characters", at: "documentTemplate.name")
            }
        } else if let given = draft["name"] {
            issues.add("Expected string, received \(given.typeName)", at: "documentTemplate.name")
        }
        // The layout is stored as sent, but it is an object (a document) or absent, as the reference says;
        // `presetKey` is the one member the reference lets be null.
        if let layout = draft["layout"], layout.typeName != "object" {
            issues.add("Expected object, received \(layout.typeName)", at: "documentTemplate.layout")
        }
        if let preset = draft["presetKey"], preset != .null, !preset.isString {
            issues.add("Expected string or null", at: "documentTemplate.presetKey")
        }
        if !issues.isEmpty { throw AppError.invalidRequest(issues) }
        draft["name"] = .string(name)
        if draft["presetKey"] == nil { draft["presetKey"] = .null }
        let text = String(decoding: try JSONBody.encoder.encode(JSONValue.object(draft)), as: UTF8.self)
        var template = try await services.templates.createDraft(
            projectID: creator.projectID, name: name, draft: text, category: Self.category(of: draft["category"]), sessionID: creator.session?.id
        )

        // Auto-publish: only with the right to publish and a layout that is a render-ready document.
        let canPublish = creator.session?.permissions.publish ?? true
        if autoPublish, canPublish, let layout = draft["layout"], let document = try? DocumentDecoder.decode(json: layout), !document.blocks.isEmpty {
            let allowed: Bool
            if let session = creator.session {
                allowed = (try? await services.sessions.consume(.publishes, sessionID: session.id, limit: session.limits.maxPublishes)) != nil
            } else {
                allowed = true
            }
            if allowed, let published = try? await services.templates.publish(projectID: creator.projectID, template: template, document: document) {
                template = published.template
            }
        }
        return TemplateBody.documentTemplate(draft: draft, template: template, projectID: creator.projectID)
    }

    /// `PUT …/draft`: the builder's document stored verbatim, within the layout limits and the
    /// session's draft budget.
    func saveDraft(_ session: VerifiedSession, _ template: TemplateRecord, body: JSONValue) async throws {
        guard case .object(let draft)? = body["documentTemplate"] else {
            var issues = ValidationIssues()
            issues.add("Required object", at: "documentTemplate")
            throw AppError.invalidRequest(issues)
        }
        try DataLimits.layout.check(.object(draft), at: "documentTemplate")
        try await services.sessions.consume(.draftsSaved, sessionID: session.id, limit: session.limits.maxSaveDrafts)
        try await services.templates.saveDraft(
            template, draft: String(decoding: try JSONBody.encoder.encode(body["documentTemplate"]!), as: UTF8.self),
            category: Self.category(of: draft["category"]))
    }

    /// `POST …/publish`: the request's layout, else the draft's, as the next version.
    func publish(_ session: VerifiedSession, _ template: TemplateRecord, body: JSONValue?) async throws -> TemplateService.Published {
        let layout = body?["layout"] ?? template.draft.flatMap { try? JSONValue.parse(Data($0.utf8))["layout"] } ?? nil
        guard let layout, let document = try? DocumentDecoder.decode(json: layout) else {
            throw AppError(status: 422, code: "template_invalid", message: "The draft's layout is not a render-ready document yet.")
        }
        try await services.sessions.consume(.publishes, sessionID: session.id, limit: session.limits.maxPublishes)
        return try await services.templates.publish(projectID: template.projectID, template: template, document: document)
    }

    /// `POST …/rollback`: an old version's document published again as the newest version (it counts
    /// as a publish).
    func rollback(_ session: VerifiedSession, _ template: TemplateRecord, body: JSONValue) async throws -> TemplateService.Published {
        var fields = try ObjectValidator(body)
        let number = fields.integer("versionNumber", range: 1...1_000_000)
        // Required (a null once reached the unwrap below and crashed the process; null is now refused).
        if number == nil, fields.raw("versionNumber") == nil { fields.fail("versionNumber", "Required") }
        try fields.finish()
        guard let number else { throw AppError.invalidRequest(ValidationIssues(formErrors: ["versionNumber is required"])) }
        let versions = try await services.templates.versions(of: template)
        guard let old = versions.first(where: { $0.number == number }) else {
            throw AppError.notFound("version_not_found", "Template \(template.slug) has no version \(number).")
        }
        try await services.sessions.consume(.publishes, sessionID: session.id, limit: session.limits.maxPublishes)
        return try await services.templates.publish(
            projectID: template.projectID, template: template, document: try DocumentDecoder.decode(Data(old.layout.utf8)))
    }

    static func category(of value: JSONValue?) -> String? {
        if case .string(let category)? = value { String(category.prefix(120)) } else { nil }
    }
}
