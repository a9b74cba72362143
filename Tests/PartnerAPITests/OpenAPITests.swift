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

    /// Per operation: whether it declares `security`, has a request body or path parameters, and its
    /// documented status codes (responses at eight spaces, in the document's one-line style).
    func documentedResponses() throws -> [String: (secured: Bool, body: Bool, path: Bool, codes: Set<String>)] {
        let file = URL(fileURLWithPath: #filePath).deletingLastPathComponent().appendingPathComponent("../../openapi.yaml")
        let lines = try String(contentsOf: file, encoding: .utf8).split(separator: "\n", omittingEmptySubsequences: false)
        var result: [String: (secured: Bool, body: Bool, path: Bool, codes: Set<String>)] = [:]
        var path: String?
        var operation: String?
        var inPaths = false
        for line in lines {
            if line == "paths:" { inPaths = true }
            if inPaths, !line.isEmpty, !line.hasPrefix(" "), line != "paths:" { break }
            if line.hasPrefix("  /"), line.hasSuffix(":") {
                path = String(line.dropFirst(2).dropLast())
                operation = nil
            } else if let path, line.hasPrefix("    "), !line.hasPrefix("     "), line.hasSuffix(":") {
                let method = line.trimmingCharacters(in: .whitespaces).dropLast().uppercased()
                guard ["GET", "POST", "PUT", "PATCH", "DELETE"].contains(method) else { continue }
                operation = "\(method) \(path)"
                result[operation!] = (false, false, path.contains("{"), [])
            } else if let operation, line.hasPrefix("      security:") {
                result[operation]?.secured = true
            } else if let operation, line.hasPrefix("      requestBody:") {
                result[operation]?.body = true
            } else if let operation, line.hasPrefix("        \""), let code = line.split(separator: "\"").dropFirst().first, code.count == 3 {
                result[operation]?.codes.insert(String(code))
            }
        }
        return result
    }

    @Test("every operation documents the errors every request can meet: 429, and 401/400/413/404 where they apply")
    func commonErrorsDocumented() throws {
        let operations = try documentedResponses()
        #expect(operations.count > 50)
        for (operation, facts) in operations {
            var wanted: Set<String> = ["429"]
            if facts.secured { wanted.insert("401") }
            if facts.body { wanted.formUnion(["400", "413"]) }
            if facts.path { wanted.insert("404") }
            #expect(wanted.isSubset(of: facts.codes), "\(operation) lacks \(wanted.subtracting(facts.codes).sorted())")
        }
    }

    @Test(
        "every documented 4xx and 5xx answer is the error envelope (health's 503 is the health body, pages answer HTML, credential refusals on admin and partner-key embed routes are flat)"
    )
    func errorsUseTheEnvelope() throws {
        let file = URL(fileURLWithPath: #filePath).deletingLastPathComponent().appendingPathComponent("../../openapi.yaml")
        let lines = try String(contentsOf: file, encoding: .utf8).split(separator: "\n", omittingEmptySubsequences: false)
        let errors = lines.filter { $0.hasPrefix("        \"4") || $0.hasPrefix("        \"5") }
        #expect(errors.count > 200)
        for line in errors where !line.contains("#/components/responses/Error") && !line.contains("#/components/schemas/Error") {
            let flat = line.hasPrefix("        \"401\"") && (line.contains("CredentialError") || line.contains("FlatError"))
            #expect(line.contains("#/components/schemas/Health") || line.contains("text/html") || flat, "\(line) is not the error envelope")
        }
    }

    @Test("request bodies say what the server refuses: null only where it clears a setting")
    func requestConstraints() throws {
        let file = URL(fileURLWithPath: #filePath).deletingLastPathComponent().appendingPathComponent("../../openapi.yaml")
        let text = try String(contentsOf: file, encoding: .utf8)
        // The request schemas schemathesis checks the server against (scripts/contract-test.sh).
        for schema in ["ProvisionRequest", "TemplateBody", "TemplateCreateBody", "RenderRequest", "Catalog", "SessionRequest", "HTTPURL", "Origins"] {
            #expect(text.contains("\n    \(schema):\n"), "components.schemas.\(schema) is missing")
        }
        // Craftkit's schemas refuse null for optional fields; only a setting null clears is nullable.
        // The lines of a component schema: from its name to the next line indented as little.
        func component(_ name: String) -> String {
            let lines = text.components(separatedBy: "\n").drop { $0 != "    \(name):" }.dropFirst()
            return lines.prefix { $0.hasPrefix("      ") }.joined(separator: "\n")
        }
        for schema in ["ProvisionRequest", "TemplateBody", "TemplateCreateBody", "RenderRequest", "Catalog", "SessionRequest", "Origins"] {
            let section = component(schema)
            #expect(section.contains("type:") && !section.contains("nullable"), "components.schemas.\(schema) lets a field be null")
        }
        for clearable in ["Sender", "Appearance"] {
            #expect(component(clearable).contains("nullable: true"), "components.schemas.\(clearable) is cleared with null")
        }
        #expect(text.contains("additionalProperties: false"))
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
