import Core
import Foundation
import Testing

@Suite("RFC 3339 date-times")
struct DateTimeFormatTests {
    @Test(
        "every RFC 3339 offset reads as the same instant, including those past Foundation's ±18:00",
        arguments: [
            ("2026-12-03T10:00:00Z", 0.0), ("2026-12-03T10:00:00.250Z", 0.25), ("2026-12-03T12:00:00+02:00", 0.0),
            ("2026-12-04T06:45:00+20:45", 0.0), ("2026-12-02T13:00:00-21:00", 0.0), ("2026-12-04T09:59:00+23:59", 0.0),
        ])
    func offsets(text: String, fraction: Double) throws {
        let expected = Date(timeIntervalSince1970: 1_796_292_000 + fraction)  // 2026-12-03T10:00:00Z
        let parsed = try #require(Formats.dateTime(text), "\(text)")
        #expect(abs(parsed.timeIntervalSince1970 - expected.timeIntervalSince1970) < 0.001, "\(text) → \(parsed)")
    }

    @Test(
        "what is not a date-time stays nil",
        arguments: ["2026-12-03T10:00:00+24:00", "2026-12-03T10:00:00+20:60", "2026-12-03", "yesterday", "", "+20:45"])
    func refused(text: String) {
        #expect(Formats.dateTime(text) == nil, "\(text)")
    }
}
