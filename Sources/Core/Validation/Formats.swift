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

    /// A sender: `addr@domain.tld` or `Name <addr@domain.tld>` (the address checked by `isEmail`).
    public static func isSender(_ value: String) -> Bool {
        var address = value
        if let open = value.lastIndex(of: "<"), value.hasSuffix(">") {
            address = String(value[value.index(after: open)..<value.index(before: value.endIndex)])
        }
        return isEmail(address)
    }

    /// `local@domain.tld`: one `@`, a dotted domain, no whitespace or angle brackets, at most 320 characters.
    public static func isEmail(_ text: String) -> Bool {
        let parts = text.split(separator: "@", omittingEmptySubsequences: false)
        guard text.count <= 320, parts.count == 2, !parts[0].isEmpty, parts[1].contains("."), !parts[1].hasPrefix("."),
            !parts[1].hasSuffix(".")
        else { return false }
        return !text.contains(where: { $0.isWhitespace || $0 == "<" || $0 == ">" })
    }

    /// An ISO 8601 date-time (`2026-12-03T10:00:00Z`, fractional seconds and offsets allowed), or nil.
    /// Callers bound the text's length.
    public static func dateTime(_ text: String) -> Date? {
        var plain = Date.ISO8601FormatStyle()
        plain.timeZone = .gmt
        if let date = try? plain.parse(text) { return date }
        if let date = try? Date.ISO8601FormatStyle(includingFractionalSeconds: true).parse(text) { return date }
        return offsetDateTime(text)
    }

    /// RFC 3339 allows any offset up to ±23:59; Foundation's parser stops at ±18:00. Such a time is read
    /// as the same wall-clock time in UTC, moved by the offset.
    static func offsetDateTime(_ text: String) -> Date? {
        let utf8 = Array(text.utf8)
        guard utf8.count > 6, utf8[utf8.count - 3] == UInt8(ascii: ":"), let sign = utf8.dropLast(5).last,
            sign == UInt8(ascii: "+") || sign == UInt8(ascii: "-"),
            let hours = Int(String(decoding: utf8.suffix(5).prefix(2), as: UTF8.self)),
            let minutes = Int(String(decoding: utf8.suffix(2), as: UTF8.self)), (0...23).contains(hours), (0...59).contains(minutes),
            let local = dateTime(String(decoding: utf8.dropLast(6), as: UTF8.self) + "Z")
        else { return nil }
        let offset = TimeInterval(hours * 3600 + minutes * 60)
        return sign == UInt8(ascii: "+") ? local - offset : local + offset
    }
}
