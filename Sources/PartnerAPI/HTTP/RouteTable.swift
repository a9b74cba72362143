import Hummingbird
import Synchronization

/// The (method, path pattern) pairs the router serves. Hummingbird answers an unknown method on a known
/// path with 404; this table lets the error layer answer 405 with an `Allow` header instead. Routes are
/// registered through `add`, which records them here and on the router.
public final class RouteTable: Sendable {
    private let entries = Mutex<[(method: String, segments: [Substring])]>([])

    init() {}

    /// Registers `path` on `router` (a group whose own prefix is `prefix`) and records the full path.
    func add<Context: RequestContext>(
        _ router: some RouterMethods<Context>, _ method: HTTPRequest.Method, _ path: String, under prefix: String = "",
        _ handler: @escaping @Sendable (Request, Context) async throws -> Response
    ) {
        entries.withLock { $0.append((method.rawValue, (prefix + path).split(separator: "/"))) }
        router.on(RouterPath(path), method: method, use: handler)
    }

    /// Every registered route as `METHOD /path/:param`, sorted.
    public var all: [String] {
        entries.withLock { $0.map { "\($0.method) /\($0.segments.joined(separator: "/"))" } }.sorted()
    }

    /// Methods registered for the route the router picks for `path` (`:name` segments match any one
    /// segment). As in the router's trie, a literal segment wins over a parameter at the first segment
    /// where they differ: `/v1/embed/sessions/refresh` is the refresh route only, never `sessions/:id`.
    func methods(matching path: String) -> [String] {
        let segments = path.split(separator: "/")
        let matching = entries.withLock { entries in
            entries.filter { entry in
                entry.segments.count == segments.count
                    && zip(entry.segments, segments).allSatisfy { pattern, segment in pattern.hasPrefix(":") || pattern == segment }
            }
        }
        let literal = { (entry: (method: String, segments: [Substring])) in entry.segments.map { !$0.hasPrefix(":") } }
        guard let best = matching.map(literal).max(by: { $0.lexicographicallyPrecedes($1) { !$0 && $1 } }) else { return [] }
        return Array(Set(matching.filter { literal($0) == best }.map(\.method))).sorted()
    }
}
