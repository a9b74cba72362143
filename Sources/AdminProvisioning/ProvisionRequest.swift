import Core
import Foundation

/// `POST /v1/admin/provision` body (docs/decisions/0002-admin-provisioning.md). Unknown fields are
/// ignored.
public struct ProvisionRequest: Sendable, Equatable {
    public var externalOrgID: String
    public var name: String?
    public var emailFrom: String?
    public var allowedOrigins: [String]?
    public var appearance: Appearance?

    public init(
        externalOrgID: String, name: String? = nil, emailFrom: String? = nil, allowedOrigins: [String]? = nil, appearance: Appearance? = nil
    ) {
        self.externalOrgID = externalOrgID
        self.name = name
        self.emailFrom = emailFrom
        self.allowedOrigins = allowedOrigins
        self.appearance = appearance
    }

    public init(json: JSONValue) throws {
        var fields = try ObjectValidator(json)
        let externalOrgID = fields.string("externalOrgId", required: true, length: 1...160)
        let name = fields.string("name", length: 1...200)
        let emailFrom = SettingsRules.emailFrom(&fields)
        let origins = SettingsRules.allowedOrigins(&fields)
        let appearance = Appearance.read(&fields)
        try fields.finish()
        self.init(externalOrgID: externalOrgID!, name: name, emailFrom: emailFrom, allowedOrigins: origins, appearance: appearance)
    }
}

/// `PATCH /v1/admin/provision` body: the org to change and the settings to set. An explicit
/// `"emailFrom": null` clears the sender.
public struct ProvisionSettingsUpdate: Sendable, Equatable {
    public var externalOrgID: String
    public var emailFrom: String??
    public var allowedOrigins: [String]?
    /// An object replaces the appearance; `null` clears it.
    public var appearance: Appearance??

    public init(json: JSONValue) throws {
        var fields = try ObjectValidator(json)
        let externalOrgID = fields.string("externalOrgId", required: true, length: 1...160)
        let clearsEmail = json["emailFrom"] == .null
        let emailFrom = SettingsRules.emailFrom(&fields)
        let origins = SettingsRules.allowedOrigins(&fields)
        let clearsAppearance = json["appearance"] == .null
        let appearance = Appearance.read(&fields)
        try fields.finish()
        self.appearance = clearsAppearance ? .some(nil) : appearance.map { .some($0) }
        self.externalOrgID = externalOrgID!
        self.emailFrom = clearsEmail ? .some(nil) : emailFrom.map { .some($0) }
        self.allowedOrigins = origins
    }
}

/// Rules shared by provision and update for the partner settings.
enum SettingsRules {
    static let maxOrigins = 50

    static func emailFrom(_ fields: inout ObjectValidator) -> String? {
        guard let value = fields.string("emailFrom", length: 3...320, nullable: true) else { return nil }
        guard Formats.isSender(value) else {
            fields.fail("emailFrom", "Must be an email address, optionally with a display name: \"Acme <docs@acme.com>\"")
            return nil
        }
        return value
    }

    static func allowedOrigins(_ fields: inout ObjectValidator) -> [String]? {
        let origins = fields.stringArray("allowedOrigins", maxCount: maxOrigins) { origin in
            normalizedOrigin(origin) == nil ? "Must be an origin such as https://app.example.com (scheme, host, optional port; no path)" : nil
        }
        guard let origins else { return nil }
        var seen = Set<String>()
        return origins.compactMap(normalizedOrigin).filter { seen.insert($0).inserted }
    }

    /// `scheme://host[:port]` in lower case, http(s) only, no path, query or credentials: exactly what
    /// openapi.yaml's pattern `^[Hh][Tt][Tt][Pp][Ss]?://[A-Za-z0-9]([A-Za-z0-9.-]{0,200}[A-Za-z0-9])?(:[0-9]{1,5})?/?$`
    /// allows.
    static func normalizedOrigin(_ raw: String) -> String? {
        guard isOriginSyntax(raw) else { return nil }
        var text = raw
        if text.hasSuffix("/") { text.removeLast() }
        guard text.count <= 255, let components = URLComponents(string: text), let scheme = components.scheme?.lowercased(),
            ["http", "https"].contains(scheme), let host = components.host, !host.isEmpty,
            components.path.isEmpty, components.query == nil, components.fragment == nil, components.user == nil
        else { return nil }
        let port = components.port.map { ":\($0)" } ?? ""
        return "\(scheme)://\(host.lowercased())\(port)"
    }

    static func isOriginSyntax(_ raw: String) -> Bool {
        var rest = Substring(raw)
        guard let scheme = ["https://", "http://"].first(where: { rest.lowercased().hasPrefix($0) }) else { return false }
        rest = rest.dropFirst(scheme.count)
        if rest.hasSuffix("/") { rest = rest.dropLast() }
        if let colon = rest.lastIndex(of: ":") {
            let port = rest[rest.index(after: colon)...]
            guard (1...5).contains(port.count), port.unicodeScalars.allSatisfy({ ("0"..."9").contains($0) }) else { return false }
            rest = rest[..<colon]
        }
        let isAlphanumeric = { (scalar: Unicode.Scalar) in
            ("a"..."z").contains(scalar) || ("A"..."Z").contains(scalar) || ("0"..."9").contains(scalar)
        }
        let host = Array(rest.unicodeScalars)
        guard let first = host.first, let last = host.last, host.count <= 202, isAlphanumeric(first), isAlphanumeric(last) else { return false }
        return host.allSatisfy { isAlphanumeric($0) || $0 == "." || $0 == "-" }
    }
}
