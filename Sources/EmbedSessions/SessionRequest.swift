import Core
import Foundation

/// The `POST /v1/embed/sessions` body (docs/api.md#embed-session-requests), validated. Problems are
/// 422 `invalid_request` with paths.
public struct SessionRequest: Sendable {
    public struct Party: Sendable, Equatable {
        public var externalID: String
        public var displayName: String?
        public var email: String?
        public var avatarURL: String?
        public var branding: JSONValue?
    }

    public var tenant: Party
    public var actor: Party
    public var mode: ScopeMode
    public var templateExternalID: String?
    public var templateID: String?
    public var inlineCatalog: JSONValue?
    public var catalogRef: (name: String, version: Int?)?
    public var permissions: EmbedPermissions
    public var branding: JSONValue?
    public var appearance: JSONValue?
    public var callbacks: JSONValue?
    public var limits: (maxPublishes: Int, maxSaveDrafts: Int, maxUploadsBytes: Int)
    public var form: JSONValue?

    public init(json: JSONValue) throws {
        var fields = try ObjectValidator(json)
        var issues = ValidationIssues()

        var tenantParty: Party?
        if let raw = fields.object("tenant", required: true), var tenant = try? ObjectValidator(raw, path: "tenant") {
            let id = tenant.string("externalId", required: true, length: 1...160)
            let name = tenant.string("displayName", required: true, length: 1...200)
            let branding = Self.urlObject(&tenant, "branding", urls: ["logoUrl", "fontUrl"])
            issues.merge(tenant.issues)
            if let id, let name { tenantParty = Party(externalID: id, displayName: name, branding: branding) }
        }
        var actorParty: Party?
        if let raw = fields.object("actor", required: true), var actor = try? ObjectValidator(raw, path: "actor") {
            let id = actor.string("externalId", required: true, length: 1...160)
            let name = actor.string("displayName", length: 0...200)
            let email = actor.string("email", length: 3...320)
            if let email, !Formats.isEmail(email) { actor.fail("email", "Must be an email address") }
            let avatar = actor.string("avatarUrl", length: 1...2048)
            if let avatar, !Formats.isHTTPURL(avatar) { actor.fail("avatarUrl", "Must be an http(s) URL") }
            issues.merge(actor.issues)
            if let id { actorParty = Party(externalID: id, displayName: name, email: email, avatarURL: avatar) }
        }

        var mode = ScopeMode.edit
        var templateExternalID: String?
        var templateID: String?
        if let raw = fields.object("scope"), var scope = try? ObjectValidator(raw, path: "scope") {
            if let name = scope.string("mode") {
                if let parsed = ScopeMode(rawValue: name) { mode = parsed } else { scope.fail("mode", "Must be edit, create, view or fill") }
            }
            templateExternalID = scope.string("templateExternalId", length: 1...160)
            templateID = scope.string("templateId", length: 1...160)
            issues.merge(scope.issues)
        }
        if mode == .fill, templateExternalID == nil, templateID == nil {
            issues.add("A fill session needs scope.templateExternalId (the template's slug) or scope.templateId", at: "scope")
        }

        let inline = fields.object("variableCatalog")
        var catalogRef: (String, Int?)?
        if let raw = fields.object("catalogRef"), var ref = try? ObjectValidator(raw, path: "catalogRef") {
            let name = ref.string("name", required: true, length: 1...120)
            let version = ref.integer("version", range: 1...1_000_000)
            issues.merge(ref.issues)
            if let name { catalogRef = (name, version) }
        }
        if inline != nil, fields.raw("catalogRef") != nil {
            issues.add("Send either variableCatalog or catalogRef, not both", at: "catalogRef")
        }

        let permissions = EmbedPermissions.resolve(
            mode: mode, overrides: fields.object("permissions"), issues: &issues)
        _ = fields.string("permissionsPreset", length: 0...60)  // accepted, reserved (no effect), as in the reference
        let branding = Self.urlObject(&fields, "branding", urls: ["logoUrl", "fontUrl"])
        let appearance = Self.urlObject(&fields, "appearance", urls: ["stylesheetUrl", "fontUrl", "logoUrl"])
        let callbacks = Self.urlObject(&fields, "callbacks", urls: ["onPublishedUrl", "onCloseUrl"])

        var limits = (maxPublishes: 10, maxSaveDrafts: 200, maxUploadsBytes: 5 * 1024 * 1024)
        if let raw = fields.object("limits"), var limit = try? ObjectValidator(raw, path: "limits") {
            limits.maxPublishes = limit.integer("maxPublishes", range: 0...10_000) ?? limits.maxPublishes
            limits.maxSaveDrafts = limit.integer("maxSaveDrafts", range: 0...100_000) ?? limits.maxSaveDrafts
            limits.maxUploadsBytes = limit.integer("maxUploadsBytes", range: 0...(100 * 1024 * 1024)) ?? limits.maxUploadsBytes
            issues.merge(limit.issues)
        }
        var form: JSONValue?
        if let raw = fields.object("form"), var formFields = try? ObjectValidator(raw, path: "form") {
            let prefill = formFields.object("prefill")
            if let prefill { formFields.record(DataLimits.data.issues(in: prefill, at: "form.prefill")) }
            let showPreview = formFields.bool("showPreview") ?? false
            let showDocument = formFields.bool("showDocumentAfterSubmit") ?? true
            let redirect = formFields.string("redirectUrl", length: 1...2048)
            if let redirect, !Formats.isHTTPURL(redirect) { formFields.fail("redirectUrl", "Must be an http(s) URL") }
            let capture = formFields.string("captureMode", length: 1...40)
            issues.merge(formFields.issues)
            var members: [String: JSONValue] = ["show_preview": .bool(showPreview), "show_document_after_submit": .bool(showDocument)]
            if let prefill { members["prefill"] = prefill }
            if let redirect { members["redirect_url"] = .string(redirect) }
            if let capture { members["capture_mode"] = .string(capture) }
            form = .object(members)
        }
        issues.merge(fields.issues)
        if !issues.isEmpty { throw AppError.invalidRequest(issues, status: 422) }

        self.tenant = tenantParty!
        self.actor = actorParty!
        self.mode = mode
        self.templateExternalID = templateExternalID
        self.templateID = templateID
        self.inlineCatalog = inline
        self.catalogRef = catalogRef
        self.permissions = permissions
        self.branding = branding
        self.appearance = appearance
        self.callbacks = callbacks
        self.limits = limits
        self.form = form
    }

    /// An optional object member whose listed URL fields must be http(s); kept as sent otherwise.
    static func urlObject(_ fields: inout ObjectValidator, _ key: String, urls: [String]) -> JSONValue? {
        guard let value = fields.object(key) else { return nil }
        for name in urls {
            guard let member = value[name] else { continue }
            if case .string(let url) = member, Formats.isHTTPURL(url) { continue }
            fields.fail("\(key).\(name)", "Must be an http(s) URL")
        }
        if let text = try? JSONEncoder().encode(value), text.count > 16_384 { fields.fail(key, "Must be at most 16 KB of JSON") }
        return value
    }
}
