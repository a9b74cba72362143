import Core
import Foundation
import Testing

@Suite("Identifiers")
struct IdentifierTests {
    @Test("ids are UUIDv7 in canonical form and sort by creation time")
    func uuidV7() {
        let early = Identifier.make(now: Date(timeIntervalSince1970: 1_700_000_000))
        let late = Identifier.make(now: Date(timeIntervalSince1970: 1_800_000_000))
        #expect(Identifier.isValid(early))
        #expect(Array(early)[14] == "7")
        #expect(early < late)
        #expect(UUID(uuidString: early) != nil)
    }

    @Test("garbage is not an id", arguments: ["", "not-an-id", "01A213EF-DB0C-7B8B-A7FD-FDB092ED9AED", "'; DROP TABLE x; --"])
    func rejectsGarbage(input: String) {
        #expect(!Identifier.isValid(input))
    }

    @Test("timestamps round-trip through epoch milliseconds and print as ISO 8601")
    func timestamps() {
        let date = Date(epochMillis: 1_795_000_000_123)
        #expect(date.epochMillis == 1_795_000_000_123)
        #expect(date.iso8601 == "2026-11-18T11:06:40.123Z")
    }
}
