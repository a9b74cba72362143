import Core

/// What an embed session may open.
public enum ScopeMode: String, Sendable, Codable, CaseIterable {
    case edit, create, view, fill
}

/// The 13 permission flags of an embed session (docs/embedding.md#2-default-permissions-per-mode).
/// The mint API names them in camelCase; the JWT carries them snake_case (`save_draft`,
/// `rollback_version`).
public struct EmbedPermissions: Sendable, Equatable {
    public var publish, saveDraft, delete, rename, rollback, createCustomVariables, changePageSettings: Bool
    public var viewVersionHistory, submitForm, saveFormDraft, shareDocument, emailDocument, viewEngagement: Bool

    /// (API name, JWT name, key path) for every flag.
    static let flags: [(api: String, claim: String, path: any WritableKeyPath<EmbedPermissions, Bool> & Sendable)] = [
        ("publish", "publish", \.publish), ("saveDraft", "save_draft", \.saveDraft), ("delete", "delete", \.delete),
        ("rename", "rename", \.rename), ("rollback", "rollback_version", \.rollback),
        ("createCustomVariables", "create_custom_variables", \.createCustomVariables),
        ("changePageSettings", "change_page_settings", \.changePageSettings), ("viewVersionHistory", "view_version_history", \.viewVersionHistory),
        ("submitForm", "submit_form", \.submitForm), ("saveFormDraft", "save_form_draft", \.saveFormDraft),
        ("shareDocument", "share_document", \.shareDocument), ("emailDocument", "email_document", \.emailDocument),
        ("viewEngagement", "view_engagement", \.viewEngagement),
    ]

    /// Defaults per mode (docs/embedding.md). Builder modes follow the JWT design doc's example values;
    /// `view` is read-only; `fill` may submit and use the produced document but not edit the template.
    public static func defaults(for mode: ScopeMode) -> EmbedPermissions {
        switch mode {
        case .edit, .create:
            EmbedPermissions(
                publish: true, saveDraft: true, delete: false, rename: false, rollback: false, createCustomVariables: false,
                changePageSettings: true, viewVersionHistory: true, submitForm: false, saveFormDraft: false, shareDocument: false,
                emailDocument: false, viewEngagement: false
            )
        case .view:
            EmbedPermissions(
                publish: false, saveDraft: false, delete: false, rename: false, rollback: false, createCustomVariables: false,
                changePageSettings: false, viewVersionHistory: true, submitForm: false, saveFormDraft: false, shareDocument: false,
                emailDocument: false, viewEngagement: false
            )
        case .fill:
            EmbedPermissions(
                publish: false, saveDraft: false, delete: false, rename: false, rollback: false, createCustomVariables: false,
                changePageSettings: false, viewVersionHistory: false, submitForm: true, saveFormDraft: true, shareDocument: false,
                emailDocument: false, viewEngagement: false
            )
        }
    }

    /// The defaults of `mode` with the flags of a partial `permissions` object applied. `view` stays
    /// read-only whatever is asked: a view session never writes.
    public static func resolve(mode: ScopeMode, overrides: JSONValue?, issues: inout ValidationIssues) -> EmbedPermissions {
        var permissions = defaults(for: mode)
        guard let overrides else { return permissions }
        guard case .object(let members) = overrides else {
            issues.add("Expected object, received \(overrides.typeName)", at: "permissions")
            return permissions
        }
        for (key, value) in members {
            guard let flag = flags.first(where: { $0.api == key }) else {
                issues.add("Unknown permission; use one of \(flags.map(\.api).joined(separator: ", "))", at: "permissions.\(key)")
                continue
            }
            guard case .bool(let enabled) = value else {
                issues.add("Expected boolean, received \(value.typeName)", at: "permissions.\(key)")
                continue
            }
            permissions[keyPath: flag.path] = enabled
        }
        if mode == .view {
            permissions.publish = false
            permissions.saveDraft = false
            permissions.delete = false
            permissions.rename = false
            permissions.rollback = false
            permissions.createCustomVariables = false
            permissions.changePageSettings = false
        }
        return permissions
    }

    /// The JWT claim object (snake_case).
    public var claims: JSONValue {
        .object(Dictionary(uniqueKeysWithValues: Self.flags.map { ($0.claim, JSONValue.bool(self[keyPath: $0.path])) }))
    }

    /// A claim object re-keyed with the API (camelCase) names, for the embed pages.
    public static func apiNames(of claims: JSONValue?) -> JSONValue {
        .object(Dictionary(uniqueKeysWithValues: flags.map { ($0.api, JSONValue.bool(claims?[$0.claim] == .bool(true))) }))
    }
}
