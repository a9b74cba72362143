import Core
import Foundation
import Render
import Testing

@Suite("Binding and formatters")
struct BindingTests {
    /// The text a one-paragraph document prints for `template`; no-break spaces read as spaces (as
    /// pdftotext prints them).
    func line(_ template: String, _ dataJSON: String, locale: String = "en-US") async throws -> String {
        let escaped = template.replacingOccurrences(of: "\\", with: "\\\\").replacingOccurrences(of: "\"", with: "\\\"")
        let doc = """
            {"locale": "\(locale)", "blocks": [{"type": "paragraph", "text": "[\(escaped)]"}]}
            """
        let t = try await text(doc, dataJSON)
        let start = try #require(t.firstIndex(of: "["))
        let end = try #require(t.lastIndex(of: "]"))
        return String(t[t.index(after: start)..<end])
    }

    @Test("dot-path scalars resolve and missing optional values render empty")
    func scalars() async throws {
        #expect(try await line("{{customer.name}}", #"{"customer": {"name": "Ada"}}"#) == "Ada")
        #expect(try await line("a{{customer.missing}}b", #"{"customer": {}}"#) == "ab")
        #expect(try await line("{{count}}", #"{"count": 12}"#) == "12")
        #expect(try await line("{{items.1.name}}", #"{"items": [{"name": "x"}, {"name": "y"}]}"#) == "y")
    }

    @Test("money is locale-aware")
    func money() async throws {
        #expect(try await line("{{t | money:EUR}}", #"{"t": 1234.5}"#, locale: "de-DE") == "1.234,50 €")
        #expect(try await line("{{t | money:EUR}}", #"{"t": 1234.5}"#, locale: "en-US") == "€1,234.50")
        #expect(try await line("{{t | currency:USD}}", #"{"t": "99"}"#) == "$99.00")
    }

    @Test("number, percent, upper, lower, default and yesno format their values")
    func formatters() async throws {
        #expect(try await line("{{n | number:2}}", #"{"n": 1234.5678}"#) == "1,234.57")
        #expect(try await line("{{n | percent}}", #"{"n": 0.157}"#) == "16%")
        #expect(try await line("{{n | percent:1}}", #"{"n": 0.157}"#) == "15.7%")
        #expect(try await line("{{s | upper}}", #"{"s": "straße"}"#) == "STRASSE")
        #expect(try await line("{{s | lower}}", #"{"s": "ABC"}"#) == "abc")
        #expect(try await line("{{s | default:\"n/a\"}}", #"{}"#) == "n/a")
        #expect(try await line("{{s | default:\"n/a\"}}", #"{"s": "set"}"#) == "set")
        #expect(try await line("{{b | yesno}}", #"{"b": true}"#) == "Yes")
        #expect(try await line("{{b | yesno:\"Ja\",\"Nein\"}}", #"{"b": false}"#) == "Nein")
        #expect(try await line("{{s | upper | default:\"-\"}}", #"{}"#) == "-")
    }

    @Test("dates format by pattern, by locale style, and datetimes in the requested zone")
    func dates() async throws {
        #expect(try await line("{{d | date:YYYY-MM-DD}}", #"{"d": "2024-03-05"}"#) == "2024-03-05")
        #expect(try await line("{{d | date:DD/MM/YYYY}}", #"{"d": "2024-03-05T23:30:00Z"}"#) == "05/03/2024")
        #expect(try await line("{{d | date:long}}", #"{"d": "2024-03-05"}"#) == "March 5, 2024")
        #expect(try await line("{{d | date:long}}", #"{"d": "2024-03-05"}"#, locale: "de-DE") == "5. März 2024")
        let dt = try await line("{{d | datetime}}", #"{"d": "2024-03-05T14:07:00Z"}"#)
        #expect(dt.hasPrefix("Mar 5, 2024"))
        #expect(dt.contains("2:07"))
    }

    @Test("loop fields are item-relative, @number counts items, and root values stay reachable inside loops")
    func loops() async throws {
        let doc = """
            {"blocks": [{"type": "repeat", "loop": "people", "blocks": [{"type": "paragraph", "text": "{{@number}}. {{name}} ({{company}})"}]}]}
            """
        let t = try await text(doc, #"{"company": "ACME", "people": [{"name": "Ada"}, {"name": "Grace"}]}"#)
        #expect(t.contains("1. Ada (ACME)"))
        #expect(t.contains("2. Grace (ACME)"))
    }

    @Test("one level of nested loops binds the inner array of each outer item")
    func nestedLoops() async throws {
        let doc = """
            {"blocks": [{"type": "repeat", "loop": "orders", "blocks": [
              {"type": "heading", "level": 3, "text": "Order {{number}}"},
              {"type": "table", "loop": "items", "columns": [{"header": "SKU", "cell": "{{sku}}"}, {"header": "Order", "cell": "{{number}}"}]}
            ]}]}
            """
        let t = try await text(
            doc, #"{"orders": [{"number": "A1", "items": [{"sku": "S-1"}, {"sku": "S-2"}]}, {"number": "B2", "items": [{"sku": "S-3"}]}]}"#)
        let lines = t.split(separator: "\n").map(String.init).filter { !$0.trimmingCharacters(in: .whitespaces).isEmpty }
        #expect(lines.contains("Order A1"))
        #expect(lines.joined(separator: "|").contains("S-1|A1|S-2|A1"))
        #expect(lines.joined(separator: "|").contains("Order B2"))
        #expect(lines.joined(separator: "|").contains("S-3|B2"))
    }

    @Test("a dotted loop key binds only the literal top-level key, so nested data renders nothing")
    func dottedLoopKey() async throws {
        // The title keeps text on the page, so the nested case is read (not an empty extraction) and the
        // loop shown to render nothing.
        let doc = """
            {"blocks": [{"type": "paragraph", "text": "Handover"},
              {"type": "repeat", "loop": "handover.areas", "blocks": [{"type": "paragraph", "text": "Area {{areaKey}}"}]}]}
            """
        #expect(try await text(doc, #"{"handover.areas": [{"areaKey": "hull"}]}"#).contains("Area hull"))
        let nested = try await text(doc, #"{"handover": {"areas": [{"areaKey": "hull"}]}}"#)
        #expect(nested.contains("Handover"))
        #expect(nested.contains("Area hull") == false)
    }

    @Test("conditional blocks show on truthy values or equality, else their otherwise blocks")
    func conditionals() async throws {
        let doc = """
            {"blocks": [
              {"type": "conditional", "when": {"variable": "paid"}, "blocks": [{"type": "paragraph", "text": "PAID"}], "otherwise": [{"type": "paragraph", "text": "OPEN"}]},
              {"type": "conditional", "when": {"variable": "tier", "equals": "gold"}, "blocks": [{"type": "paragraph", "text": "GOLD"}]},
              {"type": "conditional", "when": {"variable": "count", "equals": 3}, "blocks": [{"type": "paragraph", "text": "THREE"}]}
            ]}
            """
        let a = try await text(doc, #"{"paid": true, "tier": "gold", "count": 3}"#)
        #expect(a.contains("PAID") && a.contains("GOLD") && a.contains("THREE") && !a.contains("OPEN"))
        let b = try await text(doc, #"{"paid": false, "tier": "silver", "count": "4"}"#)
        #expect(b.contains("OPEN") && !b.contains("GOLD") && !b.contains("THREE"))
    }

    @Test("columns and key-value lists lay their content side by side")
    func columnsAndKeyValue() async throws {
        let doc = """
            {"blocks": [{"type": "columns", "columns": [{"blocks": [{"type": "paragraph", "text": "Left column"}]}, {"blocks": [{"type": "keyValue", "items": [{"label": "Total", "value": "{{t}}"}]}]}]}]}
            """
        let pdf = try await render(doc, #"{"t": "42"}"#)
        let layout = try Tool.withFile(pdf.bytes) { try Tool.output("pdftotext", ["-layout", $0, "-"]) }
        let row = try #require(layout.split(separator: "\n").first { $0.contains("Left column") })
        #expect(row.contains("Total"))
        #expect(row.contains("42"))
    }
}
