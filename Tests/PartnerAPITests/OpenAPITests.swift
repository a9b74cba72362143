import Foundation
import PartnerAPI
import TestSupport
import Testing

@Suite("openapi.yaml")
struct OpenAPITests {
    /// `METHOD /path/:param` for every operation in openapi.yaml (path keys at two spaces, methods at four).
    func documentedOperations() throws -> [String] {
        let file = URL(fileURLWithPath: #filePath).deletingLastPathComponent().appendingPathComponent("../../openapi.yaml")
        let lines = try String(contentsOf: file, encoding: .utf8).split(separator: "\n", omittingEmptySubsequences: false)
        var operations: [String] = []
        var inPaths = false
        var path: String?
        for line in lines {
            if line == "paths:" {
                inPaths = true
                continue
            }
            guard inPaths else { continue }
            if line.hasPrefix("  /"), line.hasSuffix(":") {
                path = String(line.dropFirst(2).dropLast()).replacingOccurrences(of: "{", with: ":").replacingOccurrences(of: "}", with: "")
            } else if let path, line.hasPrefix("    "), !line.hasPrefix("     "), line.hasSuffix(":") {
                let method = line.trimmingCharacters(in: .whitespaces).dropLast().uppercased()
                if ["GET", "POST", "PUT", "PATCH", "DELETE"].contains(method) { operations.append("\(method) \(path)") }
            }
        }
        return operations.sorted()
    }

    @Test("GET /openapi.yaml serves the document")
    func served() async throws {
        try await TestApp.run(.sqlite) { client, _ in
            let result = try await client.call(.get, "/openapi.yaml")
            #expect(result.status == 200)
            #expect(result.body.hasPrefix("openapi: 3"))
        }
    }

    @Test("every route is documented in openapi.yaml and every documented operation is served")
    func inStep() async throws {
        let documented = try documentedOperations()
        try await TestApp.run(.sqlite) { _, services in
            let served = buildRoutes(services: services).table.all
            #expect(!served.isEmpty)
            // The document itself is the one route it does not list.
            #expect(served.filter { $0 != "GET /openapi.yaml" } == documented)
        }
    }
}
