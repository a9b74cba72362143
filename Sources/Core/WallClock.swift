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
    /// Built from whole milliseconds so a stored timestamp always prints the same digits (the
    /// floating-point fraction of `Date` can round .123 down to .122), and by hand because it runs for
    /// every timestamp of every response.
    public var iso8601: String {
        let millis = epochMillis
        var seconds = time_t(millis.quotient(dividingBy: 1000))
        var parts = tm()
        gmtime_r(&seconds, &parts)
        func pad(_ value: Int32, _ width: Int) -> String {
            let digits = String(value)
            return String(repeating: "0", count: max(0, width - digits.count)) + digits
        }
        let fraction = Int32(millis - millis.quotient(dividingBy: 1000) * 1000)
        return "\(pad(parts.tm_year + 1900, 4))-\(pad(parts.tm_mon + 1, 2))-\(pad(parts.tm_mday, 2))T"
            + "\(pad(parts.tm_hour, 2)):\(pad(parts.tm_min, 2)):\(pad(parts.tm_sec, 2)).\(pad(fraction, 3))Z"
    }
}

extension Int64 {
    /// Floor division, so times before 1970 still split into whole seconds and a positive remainder.
    func quotient(dividingBy divisor: Int64) -> Int64 {
        let q = self / divisor
        return (self % divisor < 0) ? q - 1 : q
    }
}
