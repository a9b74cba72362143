import Foundation

/// Value formats checked in several places (render data, session requests, provisioning), in one home.
public enum Formats {
    /// An absolute http(s) URL with a host, at most 2,048 characters.
    public static func isHTTPURL(_ text: String) -> Bool {
        guard text.count <= 2048, let components = URLComponents(string: text), let scheme = components.scheme?.lowercased(),
            scheme == "http" || scheme == "https", let host = components.host, !host.isEmpty
        else { return false }
        return true
    }

    /// `local@domain.tld`: one `@`, a dotted domain, no whitespace or angle brackets, at most 320 characters.
    public static func isEmail(_ text: String) -> Bool {
        let parts = text.split(separator: "@", omittingEmptySubsequences: false)
        guard text.count <= 320, parts.count == 2, !parts[0].isEmpty, parts[1].contains("."), !parts[1].hasPrefix("."),
            !parts[1].hasSuffix(".")
        else { return false }
        return !text.contains(where: { $0.isWhitespace || $0 == "<" || $0 == ">" })
    }

    /// An RFC 3339 date-time (`2026-12-03T10:00:00Z`, fractional seconds and offsets allowed), or nil.
    public static func dateTime(_ text: String) -> Date? {
        guard text.count <= 40 else { return nil }
        var plain = Date.ISO8601FormatStyle()
        plain.timeZone = .gmt
        if let date = try? plain.parse(text) { return date }
        return try? Date.ISO8601FormatStyle(includingFractionalSeconds: true).parse(text)
    }
}
