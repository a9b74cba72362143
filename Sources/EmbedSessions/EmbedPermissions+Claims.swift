import Core

extension EmbedPermissions {
    /// The flags a verified token carries (`ck.permissions`, snake_case); a flag that is absent or not
    /// `true` is off, so a token minted before a flag existed grants nothing new.
    public init(claims: JSONValue?) {
        self = .defaults(for: .view)
        for flag in Self.flags { self[keyPath: flag.path] = claims?[flag.claim] == .bool(true) }
    }

    /// The flags by their API (camelCase) names, as the embed pages read them.
    public var apiNames: [String: Bool] {
        Dictionary(uniqueKeysWithValues: Self.flags.map { ($0.api, self[keyPath: $0.path]) })
    }

    /// The API name of one flag (`saveDraft` for `\.saveDraft`), for messages that name it.
    public static func apiName(of flag: KeyPath<EmbedPermissions, Bool>) -> String {
        flags.first { ($0.path as AnyKeyPath) == flag }?.api ?? "\(flag)"
    }
}
