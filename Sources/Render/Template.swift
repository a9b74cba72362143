import Core
import Foundation

/// One `{{ path | formatter:arg | … }}` token.
struct Token: Equatable, Sendable {
    var path: String
    var formatters: [FormatterCall]
    /// The token as written, braces included.
    var raw: String
}

/// A formatter invocation: `money:EUR` → name `money`, args `["EUR"]`.
struct FormatterCall: Equatable, Sendable {
    var name: String
    var args: [String]
}

/// A string with `{{tokens}}`, parsed once.
struct TextTemplate: Sendable {
    enum Segment: Sendable {
        case literal(String)
        case token(Token)
    }

    var segments: [Segment]

    var tokens: [Token] {
        segments.compactMap { if case .token(let t) = $0 { return t } else { return nil } }
    }

    var isLiteral: Bool {
        segments.allSatisfy { if case .literal = $0 { return true } else { return false } }
    }

    /// The whole string is exactly one token (e.g. an image `src` bound to a variable).
    var singleToken: Token? {
        let nonEmpty = segments.filter {
            if case .literal(let s) = $0 { return !s.trimmingCharacters(in: .whitespaces).isEmpty } else { return true }
        }
        if nonEmpty.count == 1, case .token(let t) = nonEmpty[0] { return t }
        return nil
    }

    init(_ source: String) {
        var segments: [Segment] = []
        var rest = Substring(source)
        while let open = rest.range(of: "{{") {
            guard let close = rest[open.upperBound...].range(of: "}}") else { break }
            if open.lowerBound > rest.startIndex { segments.append(.literal(String(rest[..<open.lowerBound]))) }
            let inner = String(rest[open.upperBound..<close.lowerBound])
            let raw = String(rest[open.lowerBound..<close.upperBound])
            if let token = TextTemplate.parseToken(inner, raw: raw) {
                segments.append(.token(token))
            } else {
                segments.append(.literal(raw))
            }
            rest = rest[close.upperBound...]
        }
        if !rest.isEmpty { segments.append(.literal(String(rest))) }
        self.segments = segments
    }

    static func parseToken(_ inner: String, raw: String) -> Token? {
        let parts = splitOutsideQuotes(inner, separator: "|")
        guard let first = parts.first else { return nil }
        let path = first.trimmingCharacters(in: .whitespaces)
        guard !path.isEmpty, path.allSatisfy({ $0.isLetter || $0.isNumber || "_.-@$".contains($0) }) else { return nil }
        var calls: [FormatterCall] = []
        for part in parts.dropFirst() {
            let p = part.trimmingCharacters(in: .whitespaces)
            guard !p.isEmpty else { continue }
            if let colon = p.firstIndex(of: ":") {
                let name = String(p[..<colon]).trimmingCharacters(in: .whitespaces)
                let argString = String(p[p.index(after: colon)...])
                let args = splitOutsideQuotes(argString, separator: ",").map { unquote($0.trimmingCharacters(in: .whitespaces)) }
                calls.append(FormatterCall(name: name, args: args))
            } else {
                calls.append(FormatterCall(name: p, args: []))
            }
        }
        return Token(path: path, formatters: calls, raw: raw)
    }

    static func splitOutsideQuotes(_ s: String, separator: Character) -> [String] {
        var parts: [String] = []
        var current = ""
        var quote: Character?
        for ch in s {
            if let q = quote {
                current.append(ch)
                if ch == q { quote = nil }
            } else if ch == "\"" || ch == "'" {
                quote = ch
                current.append(ch)
            } else if ch == separator {
                parts.append(current)
                current = ""
            } else {
                current.append(ch)
            }
        }
        parts.append(current)
        return parts
    }

    static func unquote(_ s: String) -> String {
        if s.count >= 2, let f = s.first, f == "\"" || f == "'", s.last == f {
            return String(s.dropFirst().dropLast())
        }
        return s
    }
}

/// Every `{{path}}` path in a string (used by extraction and lint).
func tokenPaths(in s: String?) -> [Token] {
    guard let s, s.contains("{{") else { return [] }
    return TextTemplate(s).tokens
}

extension JSONValue {
    /// The value as text: integral numbers without a decimal point, booleans as `true`/`false`,
    /// null/objects/arrays as the empty string.
    public var plainText: String {
        switch self {
        case .null, .object, .array: return ""
        case .string(let s): return s
        case .bool(let b): return b ? "true" : "false"
        case .number(let n):
            if n.isFinite, n == n.rounded(), abs(n) < 1e15 { return String(Int64(n)) }
            return String(n)
        }
    }

    /// Truthiness for conditionals and `yesno`.
    var isTruthy: Bool {
        switch self {
        case .null: return false
        case .bool(let b): return b
        case .number(let n): return n != 0
        case .string(let s): return !s.isEmpty && s.lowercased() != "false"
        case .array(let a): return !a.isEmpty
        case .object(let o): return !o.isEmpty
        }
    }

    var numberValue: Double? {
        switch self {
        case .number(let n): return n
        case .string(let s): return Double(s.trimmingCharacters(in: .whitespaces))
        default: return nil
        }
    }
}

/// The scopes a binding resolves in: loop items (innermost first), then the root data.
struct Scope {
    struct Frame {
        var item: JSONValue
        var index: Int
        var loopKey: String
    }

    var root: JSONValue
    var frames: [Frame] = []

    /// Resolves `path` against the innermost loop item first, then outer items, then the root.
    /// At the root a key is first tried verbatim (a dotted key such as `"handover.areas"`), then as a
    /// dot-path. `this` is the current item, `@index` its 0-based index, `@number` its 1-based number.
    func lookup(_ path: String) -> JSONValue? {
        if let frame = frames.last {
            switch path {
            case "this": return frame.item
            case "@index": return .number(Double(frame.index))
            case "@number": return .number(Double(frame.index + 1))
            default: break
            }
        }
        let segments = path.split(separator: ".", omittingEmptySubsequences: false).map(String.init)
        guard let head = segments.first else { return nil }
        for frame in frames.reversed() {
            if case .object(let o) = frame.item, let v = o[head] {
                return Scope.descend(v, segments.dropFirst())
            }
        }
        if case .object(let o) = root {
            if let v = o[path] { return v }
            if let v = o[head] { return Scope.descend(v, segments.dropFirst()) }
        }
        return nil
    }

    /// A loop's array: the key verbatim in the innermost item that has it, else verbatim at the root
    /// (a dotted loop key never nests: `"handover.areas"` binds only `data["handover.areas"]`).
    func lookupLoop(_ key: String) -> JSONValue? {
        for frame in frames.reversed() {
            if case .object(let o) = frame.item, let v = o[key] { return v }
        }
        if case .object(let o) = root { return o[key] }
        return nil
    }

    static func descend(_ value: JSONValue, _ rest: ArraySlice<String>) -> JSONValue? {
        var current = value
        for seg in rest {
            switch current {
            case .object(let o):
                guard let v = o[seg] else { return nil }
                current = v
            case .array(let a):
                guard let i = Int(seg), a.indices.contains(i) else { return nil }
                current = a[i]
            default:
                return nil
            }
        }
        return current
    }
}
