import Foundation
import PartnerAPI
import TestSupport
import Testing

@Suite("Compatibility table in docs/api.md")
struct CompatibilityTableTests {
    /// `(METHOD /path/:param, status)` for every row of the table (`{name}` written as `:name`).
    func rows() throws -> [(operation: String, status: String)] {
        let file = URL(fileURLWithPath: #filePath).deletingLastPathComponent().appendingPathComponent("../../docs/api.md")
        let text = try String(contentsOf: file, encoding: .utf8)
        let after = try #require(text.components(separatedBy: "## Compatibility with Craftkit").dropFirst().first)
        let section = after.components(separatedBy: "\n## ").first ?? after
        return section.split(separator: "\n").compactMap { line in
            let cells = line.split(separator: "|", omittingEmptySubsequences: false).map { $0.trimmingCharacters(in: .whitespaces) }
            guard cells.count >= 4, cells[1].hasPrefix("`"), cells[1].hasSuffix("`") else { return nil }
            let operation = cells[1].trimmingCharacters(in: CharacterSet(charactersIn: "`"))
                .replacingOccurrences(of: "{", with: ":").replacingOccurrences(of: "}", with: "")
            return (operation, cells[2])
        }
    }

    /// `/v1/renders/:id` and `/v1/renders/:renderId` are the same route.
    func shape(_ operation: String) -> String {
        operation.split(separator: " ").map { part in
            part.split(separator: "/", omittingEmptySubsequences: false).map { $0.hasPrefix(":") ? ":" : String($0) }.joined(separator: "/")
        }.joined(separator: " ")
    }

    @Test("every Craftkit operation is in the table, and the table agrees with the routes this server serves")
    func tableMatchesRoutes() async throws {
        let rows = try rows()
        #expect(rows.count == 38, "the Craftkit API has 38 operations")
        #expect(Set(rows.map(\.status)).isSubset(of: ["supported", "extended", "different", "planned"]))
        try await TestApp.run(.sqlite) { _, services in
            let served = Set(buildRoutes(services: services).table.all.map(shape))
            for row in rows {
                let isServed = served.contains(shape(row.operation))
                switch row.status {
                case "supported", "extended": #expect(isServed, "\(row.operation) is \(row.status) but not served")
                default: #expect(!isServed, "\(row.operation) is served: mark it supported or extended")
                }
            }
        }
    }
}
