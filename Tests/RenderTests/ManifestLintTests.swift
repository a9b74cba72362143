import Core
import Foundation
import Render
import Testing

@Suite("Manifest extraction")
struct ManifestTests {
    @Test("the invoice's manifest lists its declared variables and the line-item loop with typed fields")
    func invoiceManifest() throws {
        let m = ManifestExtractor.extract(try Fixture.document("invoice.json"))
        let keys = m.variables.map(\.key)
        #expect(keys.contains("invoice.number"))
        #expect(keys.contains("customer.name"))
        #expect(!keys.contains("page") && !keys.contains("pages") && !keys.contains("@number"))
        #expect(m.variables.first { $0.key == "totals.gross" }?.dataType == .currency)
        #expect(m.variables.first { $0.key == "invoice.number" }?.required == true)
        #expect(m.variables.first { $0.key == "signatureImageUrl" }?.dataType == .image)
        #expect(m.loops.map(\.key) == ["lineItems"])
        let fields = try #require(m.loops.first).itemFields
        #expect(fields.map(\.key) == ["description", "quantity", "unitPrice", "amount"])
        #expect(fields.first { $0.key == "unitPrice" }?.dataType == .currency)
    }

    @Test("undeclared usage infers types from formatters, image sources and links")
    func inference() throws {
        let doc = try DocumentDecoder.decode(
            Data(
                """
                {"blocks": [
                  {"type": "paragraph", "text": "{{total | money:EUR}} {{due | date:long}} {{at | datetime}} {{n | number:2}} {{ok | yesno}} {{name}}"},
                  {"type": "paragraph", "runs": [{"text": "site", "link": "{{website}}"}]},
                  {"type": "image", "src": "{{company.logo}}"},
                  {"type": "table", "loop": "rows", "columns": [{"header": "A", "cell": "{{price | money:USD}}"}, {"header": "B", "cell": "{{name}}"}]}
                ]}
                """.utf8))
        let m = ManifestExtractor.extract(doc)
        func type(_ k: String) -> DataType? { m.variables.first { $0.key == k }?.dataType }
        #expect(type("total") == .currency)
        #expect(m.variables.first { $0.key == "total" }?.format == "money:EUR")
        #expect(type("due") == .date)
        #expect(type("at") == .datetime)
        #expect(type("n") == .number)
        #expect(type("ok") == .boolean)
        #expect(type("name") == .text)
        #expect(type("website") == .url)
        #expect(type("company.logo") == .image)
        #expect(m.variables.first { $0.key == "company.logo" }?.label == "Company logo")
        let rows = try #require(m.loops.first { $0.key == "rows" })
        // `name` is used at the root too, so inside the loop it is the root variable, not an item field.
        #expect(rows.itemFields.map(\.key) == ["price"])
        #expect(rows.itemFields.first?.dataType == .currency)
    }

    @Test("a declared catalog manifest supplies types and labels")
    func declared() throws {
        let doc = try DocumentDecoder.decode(Data(#"{"blocks": [{"type": "paragraph", "text": "{{customer.email}}"}]}"#.utf8))
        let catalog = Manifest(variables: [VariableDefinition(key: "customer.email", label: "E-mail", dataType: .email, required: true)])
        let m = ManifestExtractor.extract(doc, declared: catalog)
        #expect(m.variables == catalog.variables)
    }

    @Test("a nested loop's fields are listed under the outer loop as inner[].field")
    func nested() throws {
        let doc = try DocumentDecoder.decode(
            Data(
                """
                {"blocks": [{"type": "repeat", "loop": "orders", "blocks": [{"type": "paragraph", "text": "{{number}}"},
                  {"type": "table", "loop": "items", "columns": [{"header": "SKU", "cell": "{{sku}}"}]}]}]}
                """.utf8))
        let m = ManifestExtractor.extract(doc)
        #expect(m.loops.map(\.key) == ["orders"])
        #expect(m.loops[0].itemFields.map(\.key) == ["number", "items[].sku"])
    }

    @Test("the manifest round-trips through JSON with the API's field names")
    func codable() throws {
        let m = ManifestExtractor.extract(try Fixture.document("invoice.json"))
        let json = try JSONEncoder().encode(m)
        let s = String(decoding: json, as: UTF8.self)
        #expect(s.contains("\"dataType\":\"currency\""))
        #expect(s.contains("\"itemFields\""))
        #expect(try JSONDecoder().decode(Manifest.self, from: json) == m)
    }
}

@Suite("Lint")
struct LintTests {
    func lint(_ json: String, manifest: Manifest? = nil) throws -> [LintIssue] {
        Fixture.engine.lint(try DocumentDecoder.decode(Data(json.utf8)), manifest: manifest)
    }

    @Test("the fixtures lint clean")
    func fixturesClean() throws {
        for name in ["invoice.json", "report.json", "letter.json", "craftkit-pages.json"] {
            let issues = Fixture.engine.lint(try Fixture.document(name))
            #expect(issues.filter { $0.severity == .error }.isEmpty, "\(name): \(issues)")
        }
    }

    @Test("a loop-prefixed binding inside the loop is reported with the item-relative spelling")
    func loopPrefixed() throws {
        let issues = try lint(
            #"{"blocks": [{"type": "table", "loop": "lineItems", "columns": [{"header": "D", "cell": "{{lineItems.description}}"}]}]}"#)
        let issue = try #require(issues.first { $0.code == "loop_prefixed_binding" })
        #expect(issue.severity == .error)
        #expect(issue.path == "blocks[0].columns[0].cell")
        #expect(issue.message.contains("{{description}}"))
    }

    @Test("a loop field used outside its loop is reported")
    func loopOutside() throws {
        let issues = try lint(
            #"{"blocks": [{"type": "paragraph", "text": "{{lineItems.description}}"}, {"type": "repeat", "loop": "lineItems", "blocks": []}]}"#)
        #expect(issues.contains { $0.code == "loop_outside_loop" && $0.path == "blocks[0].text" })
    }

    @Test("a dotted loop key is reported as the silent-empty trap")
    func dottedLoop() throws {
        let issues = try lint(#"{"blocks": [{"type": "repeat", "loop": "handover.areas", "blocks": []}]}"#)
        #expect(issues.contains { $0.code == "dotted_loop_key" && $0.severity == .error })
    }

    @Test("a loop nested two levels deep is reported")
    func nestedDepth() throws {
        let issues = try lint(
            #"{"blocks": [{"type": "repeat", "loop": "a", "blocks": [{"type": "repeat", "loop": "b", "blocks": [{"type": "repeat", "loop": "c", "blocks": []}]}]}]}"#
        )
        #expect(issues.map(\.code).filter { $0 == "nested_loop_depth" }.count == 1)
    }

    @Test("bindings missing from the declared manifest can never resolve")
    func undeclared() throws {
        let manifest = Manifest(
            variables: [VariableDefinition(key: "customer.name")],
            loops: [LoopDefinition(key: "rows", itemFields: [VariableDefinition(key: "sku")])])
        let issues = try lint(
            """
            {"blocks": [{"type": "paragraph", "text": "{{customer.name}} {{customer.nmae}}"},
              {"type": "table", "loop": "rows", "columns": [{"cell": "{{sku}}"}, {"cell": "{{price}}"}]},
              {"type": "repeat", "loop": "other", "blocks": []}]}
            """, manifest: manifest)
        #expect(issues.filter { $0.code == "undeclared_variable" }.map(\.path) == ["blocks[0].text", "blocks[1].columns[1].cell"])
        #expect(issues.contains { $0.code == "undeclared_loop" && $0.path == "blocks[2].loop" })
    }

    @Test("unknown formatters and bad formatter arguments are errors")
    func formatters() throws {
        let issues = try lint(#"{"blocks": [{"type": "paragraph", "text": "{{a | shout}} {{b | money:EURO}} {{c | number:x}}"}]}"#)
        #expect(issues.filter { $0.code == "unknown_formatter" }.count == 1)
        #expect(issues.filter { $0.code == "invalid_formatter_argument" }.count == 2)
    }

    @Test("an image without a source is an error")
    func imageWithoutSource() throws {
        let issues = try lint(#"{"blocks": [{"type": "image", "src": ""}]}"#)
        #expect(issues.contains { $0.code == "image_without_source" && $0.path == "blocks[0].src" })
    }

    @Test("text no installed font covers is a warning, an unknown font an error")
    func fonts() throws {
        let issues = try lint(
            #"{"blocks": [{"type": "paragraph", "text": "Plane 16: \uDBFF\uDFFD"}, {"type": "paragraph", "text": "x", "fontFamily": "Nope Sans"}]}"#)
        #expect(issues.contains { $0.code == "font_coverage" && $0.severity == .warning && $0.path == "blocks[0].text" })
        #expect(issues.contains { $0.code == "unknown_font" && $0.severity == .error })
        let clean = try lint(#"{"blocks": [{"type": "paragraph", "text": "مرحبا 你好 שלום"}]}"#)
        #expect(!clean.contains { $0.code == "font_coverage" })
    }
}
