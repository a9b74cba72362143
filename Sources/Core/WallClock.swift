import Foundation

/// The source of "now". Injected so that tests can pin time (token expiry, key rotation windows).
public protocol WallClock: Sendable {
    func now() -> Date
}

public struct SystemClock: WallClock {
    public init() {}
    public func now() -> Date { Date() }
}

extension Date {
    /// Milliseconds since the Unix epoch: the portable timestamp form stored in both SQL engines.
    public var epochMillis: Int64 { Int64((timeIntervalSince1970 * 1000).rounded(.down)) }

    public init(epochMillis: Int64) { self.init(timeIntervalSince1970: Double(epochMillis) / 1000) }

    /// ISO 8601 with milliseconds and `Z`, the form every API timestamp uses.
    public var iso8601: String {
        var style = Date.ISO8601FormatStyle(includingFractionalSeconds: true)
        style.timeZone = .gmt
        return self.formatted(style)
    }
}
