/// Shape limits on JSON that reaches the server from people nobody vetted: render and form `data`,
/// prefill, preview data and template layouts. Checked at the edge, before anything walks the value
/// recursively (dotted-key expansion, validation, hashing, decoding), so a hostile body is refused
/// with a path-precise 400 instead of exhausting the stack or the heap. See docs/security.md.
///
/// The check itself walks with an explicit stack: it is safe on any value, however deep.
public struct DataLimits: Sendable, Equatable {
    /// Deepest nesting of objects and arrays. With `dottedKeysNest`, a key `"a.b.c"` counts as three
    /// levels, because form data expands it into three nested objects.
    public var maxDepth: Int
    /// Most dot-separated segments in one key (only with `dottedKeysNest`).
    public var maxKeySegments: Int
    /// Longest key, in UTF-8 bytes.
    public var maxKeyLength: Int
    public var maxKeysPerObject: Int
    public var maxArrayLength: Int
    /// Most values (objects, arrays and scalars) in the whole document.
    public var maxNodes: Int
    /// Whether keys are dot paths that expand into nested objects (render and form data).
    public var dottedKeysNest: Bool

    public init(
        maxDepth: Int, maxKeySegments: Int, maxKeyLength: Int, maxKeysPerObject: Int, maxArrayLength: Int, maxNodes: Int,
        dottedKeysNest: Bool
    ) {
        self.maxDepth = maxDepth
        self.maxKeySegments = maxKeySegments
        self.maxKeyLength = maxKeyLength
        self.maxKeysPerObject = maxKeysPerObject
        self.maxArrayLength = maxArrayLength
        self.maxNodes = maxNodes
        self.dottedKeysNest = dottedKeysNest
    }

    /// Render, form, prefill and preview data. Loops hold at most 10,000 rows (the validator's cap).
    public static let data = DataLimits(
        maxDepth: 32, maxKeySegments: 16, maxKeyLength: 256, maxKeysPerObject: 1_000, maxArrayLength: 10_000, maxNodes: 200_000,
        dottedKeysNest: true
    )

    /// Template layouts (stored, saved as drafts, previewed): deeper than data, since blocks nest in
    /// columns, groups and loops, but still far from what a stack can hold.
    public static let layout = DataLimits(
        maxDepth: 64, maxKeySegments: .max, maxKeyLength: 256, maxKeysPerObject: 1_000, maxArrayLength: 10_000, maxNodes: 500_000,
        dottedKeysNest: false
    )

    /// The first limit `value` breaks, as a path (rooted at `root`) and a message; nil when it fits.
    public func violation(in value: JSONValue, at root: String) -> (path: String, message: String)? {
        var stack: [(value: JSONValue, path: String, depth: Int)] = [(value, root, 0)]
        var nodes = 0
        while let (node, path, depth) = stack.popLast() {
            nodes += 1
            if nodes > maxNodes { return (root, "Must contain at most \(maxNodes) values in all") }
            if depth > maxDepth { return (path, "Nested deeper than \(maxDepth) levels") }
            switch node {
            case .object(let members):
                if members.count > maxKeysPerObject {
                    return (path, "Must have at most \(maxKeysPerObject) keys (got \(members.count))")
                }
                for (key, member) in members {
                    let memberPath = Self.join(path, key)
                    var levels = 1
                    if dottedKeysNest {
                        levels = key.utf8.reduce(1) { $1 == UInt8(ascii: ".") ? $0 + 1 : $0 }
                        if levels > maxKeySegments {
                            return (memberPath, "A key may have at most \(maxKeySegments) dot-separated segments (got \(levels))")
                        }
                    }
                    if key.utf8.count > maxKeyLength {
                        return (memberPath, "Keys must be at most \(maxKeyLength) bytes long (got \(key.utf8.count))")
                    }
                    stack.append((member, memberPath, depth + levels))
                }
            case .array(let items):
                if items.count > maxArrayLength {
                    return (path, "Must contain at most \(maxArrayLength) items (got \(items.count))")
                }
                for (index, item) in items.enumerated() { stack.append((item, "\(path)[\(index)]", depth + 1)) }
            default:
                break
            }
        }
        return nil
    }

    /// The violation as validation issues (empty when `value` fits).
    public func issues(in value: JSONValue, at root: String) -> ValidationIssues {
        var issues = ValidationIssues()
        if let (path, message) = violation(in: value, at: root) { issues.add(message, at: path) }
        return issues
    }

    /// Throws 400 `invalid_request` with the path-precise issue when `value` breaks a limit.
    public func check(_ value: JSONValue, at root: String) throws {
        let issues = issues(in: value, at: root)
        if !issues.isEmpty { throw AppError.invalidRequest(issues) }
    }

    /// `root.key`; a key too long to read in an error (a hostile one can be megabytes) is cut short.
    static func join(_ path: String, _ key: String) -> String {
        let shown = key.utf8.count > 64 ? String(key.prefix(40)) + "…" : key
        return path.isEmpty ? shown : "\(path).\(shown)"
    }
}
