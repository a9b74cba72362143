/// Form data as the form page sends it: flat dot keys (`"customer.name"`) that stand for nested
/// objects. Expansion recurses once per level, so callers check `DataLimits.data` first, which bounds
/// both the nesting and the number of segments in a key.
public enum DottedKeys {
    /// Names that must never become object keys downstream (prototype pollution in JavaScript
    /// consumers of webhooks and exports); dropped at any depth.
    public static let reservedKeys: Set<String> = ["__proto__", "constructor", "prototype"]

    /// Flat dot keys become nested objects; keys with a reserved segment or an empty key are dropped.
    public static func expand(_ value: JSONValue) -> JSONValue {
        switch value {
        case .object(let members):
            var result: JSONValue = .object([:])
            // Colliding keys ("a" and "a.b") merge in this order, so it must be a total one: String `<`
            // is not on keys that are not NFC (the form fuzz target found the result changing with the
            // dictionary's iteration order); UTF-8 byte order is, and agrees with `<` on NFC keys.
            for (key, member) in members.sorted(by: { $0.key.utf8.lexicographicallyPrecedes($1.key.utf8) }) {
                let path = key.split(separator: ".").map(String.init)
                guard !path.isEmpty, !path.contains(where: reservedKeys.contains) else { continue }
                result = merge(user: nest(path, expand(member)), under: result)
            }
            return result
        case .array(let items): return .array(items.map(expand))
        default: return value
        }
    }

    static func nest(_ path: [String], _ value: JSONValue) -> JSONValue {
        path.reversed().reduce(value) { inner, key in .object([key: inner]) }
    }

    /// Deep merge: objects merge key by key, anything else from `user` wins.
    public static func merge(user: JSONValue, under base: JSONValue) -> JSONValue {
        guard case .object(let top) = user, case .object(var result) = base else { return user }
        for (key, value) in top { result[key] = result[key].map { merge(user: value, under: $0) } ?? value }
        return .object(result)
    }
}
