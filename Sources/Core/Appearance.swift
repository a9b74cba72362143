import Foundation

/// An org's look on the pages its guests see (share page, emails): logo, display name and a few
/// colours. Every value is checked when it is set, so pages can put them into CSS and HTML as they
/// are (colours are `#rgb`/`#rrggbb` only; the logo is an https URL; the name is escaped like any text).
public struct Appearance: Sendable, Equatable, Codable {
    /// The stored form (JSON text); nil for none.
    public static func stored(_ appearance: Appearance?) throws -> String? {
        try appearance.map { String(decoding: try JSONEncoder().encode($0), as: UTF8.self) }
    }

    /// Read back from its stored form; nil when there is none (or it cannot be read).
    public init?(stored: String?) {
        guard let stored, let decoded = try? JSONDecoder().decode(Appearance.self, from: Data(stored.utf8)) else { return nil }
        self = decoded
    }

    public var displayName: String?
    public var logoUrl: String?
    public var colorPrimary: String?
    public var colorPrimaryForeground: String?
    public var colorBackground: String?

    public init(
        displayName: String? = nil, logoUrl: String? = nil, colorPrimary: String? = nil, colorPrimaryForeground: String? = nil,
        colorBackground: String? = nil
    ) {
        self.displayName = displayName
        self.logoUrl = logoUrl
        self.colorPrimary = colorPrimary
        self.colorPrimaryForeground = colorPrimaryForeground
        self.colorBackground = colorBackground
    }

    public static let colorKeys = ["colorPrimary", "colorPrimaryForeground", "colorBackground"]

    /// Reads the `appearance` object of a settings body, recording every problem under `key`.
    public static func read(_ fields: inout ObjectValidator, _ key: String = "appearance") -> Appearance? {
        guard let value = fields.object(key, nullable: true) else { return nil }
        guard var inner = try? ObjectValidator(value, path: key) else { return nil }
        let name = inner.string("displayName", length: 1...100)
        if let name, name.contains(where: { $0.isNewline }) { inner.fail("displayName", "Must be one line") }
        let logo = inner.string("logoUrl", length: 1...2048)
        if let logo, !(logo.lowercased().hasPrefix("https://") && Formats.isHTTPURL(logo)) {
            inner.fail("logoUrl", "Must be an https URL")
        }
        var colors: [String: String] = [:]
        for colorKey in colorKeys {
            guard let color = inner.string(colorKey, length: 4...7) else { continue }
            if isHexColor(color) { colors[colorKey] = color } else { inner.fail(colorKey, "Must be a hex colour such as #1d4ed8") }
        }
        fields.record(inner.issues)
        return Appearance(
            displayName: name, logoUrl: logo, colorPrimary: colors["colorPrimary"], colorPrimaryForeground: colors["colorPrimaryForeground"],
            colorBackground: colors["colorBackground"])
    }

    public static func isHexColor(_ text: String) -> Bool {
        let digits = text.utf8.dropFirst()
        return text.hasPrefix("#") && (digits.count == 3 || digits.count == 6)
            && digits.allSatisfy { ($0 >= 0x30 && $0 <= 0x39) || ($0 >= 0x61 && $0 <= 0x66) || ($0 >= 0x41 && $0 <= 0x46) }
    }
}
