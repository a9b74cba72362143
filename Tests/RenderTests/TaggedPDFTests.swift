import Core
import Foundation
import Testing

@testable import Render

/// Tagged PDF (PDF/UA-1): the structure tree read back with poppler (`pdfinfo -struct`, `-struct-text`)
/// and the content streams with qpdf.
@Suite("Tagged PDFs")
struct TaggedPDFTests {
    /// `pdfinfo -struct-text` (or `-struct`): one element per line, indented by depth, text in quotes.
    static func structure(_ pdf: Data, text: Bool = true) throws -> String {
        try Tool.withFile(pdf) { try Tool.output("pdfinfo", [text ? "-struct-text" : "-struct", $0]) }
    }

    /// The quoted texts of the structure tree, in tree order (what a screen reader reads).
    static func leafTexts(_ structure: String) -> [String] {
        structure.split(separator: "\n").compactMap { line in
            let t = line.trimmingCharacters(in: .whitespaces)
            guard t.hasPrefix("\""), t.hasSuffix("\""), t.count >= 2 else { return nil }
            return String(t.dropFirst().dropLast())
        }
    }

    /// The element names of the tree's top levels (`Document`, `H1`, …), indentation kept.
    static func elements(_ structure: String) -> [String] {
        structure.split(separator: "\n").map(String.init).filter {
            let t = $0.trimmingCharacters(in: .whitespaces)
            return !t.hasPrefix("\"") && !t.hasPrefix("/") && !t.hasPrefix("Object")
        }
    }

    /// The uncompressed page content streams (qpdf --qdf).
    static func contentStreams(_ pdf: Data) throws -> [String] {
        try Tool.withFile(pdf) { path in
            let out = path + ".qdf.pdf"
            defer { try? FileManager.default.removeItem(atPath: out) }
            let r = try Tool.run("qpdf", ["--qdf", "--object-streams=disable", path, out])
            guard r.status == 0 || r.status == 3 else { throw Tool.Failure(description: "qpdf --qdf failed (\(r.status))") }
            let text = String(decoding: try Data(contentsOf: URL(fileURLWithPath: out)), as: UTF8.self)
            // qpdf --qdf labels each page's content stream with a "%% Contents for page N" comment.
            return text.components(separatedBy: "%% Contents for page").dropFirst().map { chunk in
                let body = chunk.components(separatedBy: "stream\n").dropFirst().first ?? ""
                return body.components(separatedBy: "endstream").first ?? ""
            }
        }
    }

    /// Whether a content-stream line shows text, draws an image or paints a path.
    static func paints(_ line: String) -> Bool {
        let suffixes = ["Tj", "TJ", " Do", " re f"]
        return line == "f" || line == "S" || suffixes.contains { line.hasSuffix($0) }
    }

    /// A fixture rendered with `pdf.tagged: true`.
    static func renderTagged(_ doc: String, _ data: String) async throws -> RenderedPDF {
        var document = try Fixture.document(doc)
        document.pdf = PDFSettings(tagged: true, language: document.pdf?.language, pdfa: document.pdf?.pdfa)
        return try await Fixture.engine.renderPDF(document: document, data: Fixture.data(data), images: Fixture.assets)
    }

    static func tagged(_ json: String, language: String? = nil, tagged: Bool? = true) -> String {
        var pdf: [String] = []
        if let tagged { pdf.append("\"tagged\": \(tagged)") }
        if let language { pdf.append("\"language\": \"\(language)\"") }
        return "{ \"pdf\": { \(pdf.joined(separator: ", ")) }, " + json.dropFirst()
    }

    @Test("the invoice's tree has one Document with the key-value block, the heading, the items table with column headers and the signature figure")
    func invoiceTree() async throws {
        let pdf = try await Self.renderTagged("invoice.json", "invoice.data.json")
        let tree = try Self.structure(pdf.bytes, text: false)
        let top = Self.elements(tree).filter { !$0.hasPrefix("    ") }
        #expect(top.first == "Document")
        #expect(top.filter { !$0.hasPrefix(" ") }.count == 1, "one root element")
        #expect(top.contains("  H1 (block)"))
        #expect(top.filter { $0 == "  Table (block)" }.count == 2, "the key-value block and the items table")
        #expect(top.contains("  Figure"))
        #expect(occurrences(of: "/Scope /Column", in: tree) == 5, "the items table's five header cells")
        #expect(occurrences(of: "/Scope /Row", in: tree) == 4, "the key-value block's four labels")
        let raw = String(decoding: pdf.bytes, as: UTF8.self)
        #expect(raw.contains("/A<</O/Table/Scope/Column>>"))
        #expect(raw.contains("/Alt(Signature)"))
        #expect(!raw.contains("/Private"), "artifacts leave the tree")
        // Links sit in Link elements with an object reference to their annotation.
        #expect(tree.contains("Link (inline)"))
        #expect(tree.contains("Object "))
        #expect(raw.contains("/Contents (https://example.com/help)"), "a link annotation describes itself")
        #expect(raw.contains("/Tabs /S"))
        let texts = Self.leafTexts(try Self.structure(pdf.bytes))
        #expect(texts.contains("Invoice 2024-0012"))
        #expect(texts.contains("Description"))
        #expect(!texts.contains { $0.contains("IBAN") || $0.contains("Page 1") }, "the footer is an artifact")
    }

    @Test("the catalog declares the language, marked content and the title as window title; pdf.language wins over locale")
    func catalog() async throws {
        let invoice = String(decoding: try await Self.renderTagged("invoice.json", "invoice.data.json").bytes, as: UTF8.self)
        #expect(invoice.contains("/Lang (de-DE)"))
        #expect(invoice.contains("/MarkInfo << /Marked true >>"))
        #expect(invoice.contains("/ViewerPreferences << /DisplayDocTitle true >>"))
        let doc = Self.tagged(
            #"{ "locale": "de-DE", "meta": { "title": "Lettre" }, "blocks": [ { "type": "paragraph", "text": "Bonjour" } ] }"#, language: "fr-CH")
        let pdf = String(decoding: try await render(doc).bytes, as: UTF8.self)
        #expect(pdf.contains("/Lang (fr-CH)"))
        #expect(!pdf.contains("/Lang (de-DE)"))
    }

    @Test("the letter's headings keep their levels and the logo without alt text reads as a generic Figure")
    func letterTree() async throws {
        let pdf = try await Self.renderTagged("letter.json", "letter.data.json")
        let tree = try Self.structure(pdf.bytes, text: false)
        let roles = Self.elements(tree).map { $0.trimmingCharacters(in: .whitespaces) }.filter { $0.hasPrefix("H") }
        #expect(roles == ["H2 (block)", "H3 (block)", "H3 (block)", "H3 (block)"])
        let raw = String(decoding: pdf.bytes, as: UTF8.self)
        #expect(raw.contains("/Alt(Image)"))
        let texts = Self.leafTexts(try Self.structure(pdf.bytes))
        #expect(texts.contains("العربية"))
        #expect(texts.contains("עברית"))
        let check = try Tool.qpdfCheck(pdf.bytes)
        #expect(check.status == 0, "qpdf --check: \(check.output)")
    }

    @Test("a heading or paragraph in another script than the document's language carries its own /Lang; French text does not")
    func languagePerElement() async throws {
        let pdf = try await Self.renderTagged("letter.json", "letter.data.json")
        let raw = String(decoding: pdf.bytes, as: UTF8.self)
        #expect(raw.contains("/Lang (fr-FR)"))
        #expect(occurrences(of: "/Lang(ar)", in: raw) == 2, "the Arabic heading and paragraph")
        #expect(occurrences(of: "/Lang(he)", in: raw) == 2, "the Hebrew heading and paragraph")
        #expect(occurrences(of: "/Lang(ja)", in: raw) == 1)
        #expect(occurrences(of: "/Lang(ko)", in: raw) == 1)
        #expect(occurrences(of: "/Lang(zh)", in: raw) == 1, "the Chinese paragraph; the mixed CJK heading has none")
        #expect(occurrences(of: "/Lang(", in: raw) == 7, "no other element has a language of its own")
        #expect(ScriptLanguage.of("Grüße aus Zürich") == nil)
        #expect(ScriptLanguage.of("Привет") == nil)
        #expect(ScriptLanguage.of("Καλημέρα") == "el")
        #expect(ScriptLanguage.primary("de-CH") == "de")
    }

    @Test("alt text comes from the block, else the image variable's label, else a generic text")
    func altText() async throws {
        let doc = """
            { "variables": [ { "key": "photo", "label": "Portrait of the author", "dataType": "image" } ],
              "blocks": [
                { "type": "image", "src": "asset:logo.png", "alt": "Craftkit logo", "width": 40 },
                { "type": "image", "src": "{{photo}}", "width": 40 },
                { "type": "image", "src": "asset:logo.png", "width": 40 } ] }
            """
        let pdf = try await render(Self.tagged(doc), #"{ "photo": "asset:logo.png" }"#, images: Fixture.assets)
        let raw = String(decoding: pdf.bytes, as: UTF8.self)
        let alts = raw.components(separatedBy: "/Alt").dropFirst().map { String($0.prefix { $0 != ")" }) + ")" }
        #expect(alts == ["(Craftkit logo)", "(Portrait of the author)", "(Image)"])
    }

    @Test("reading order: the tree's text is the body's blocks in document order; headers, footers and page numbers stay out")
    func readingOrder() async throws {
        let doc = """
            { "header": { "blocks": [ { "type": "paragraph", "text": "Letterhead" } ] },
              "footer": { "blocks": [ { "type": "paragraph", "text": "Page {{page}} of {{pages}}" } ] },
              "blocks": [
                { "type": "heading", "level": 1, "text": "Title" },
                { "type": "paragraph", "text": "First paragraph." },
                { "type": "columns", "columns": [
                  { "blocks": [ { "type": "paragraph", "text": "Left column." } ] },
                  { "blocks": [ { "type": "paragraph", "text": "Right column." } ] } ] },
                { "type": "table", "columns": [ { "header": "Name" }, { "header": "Qty" } ], "rows": [ [ "Apples", "3" ] ] },
                { "type": "keyValue", "items": [ { "label": "Due", "value": "Friday" } ] },
                { "type": "divider" },
                { "type": "heading", "level": 2, "text": "Closing" },
                { "type": "paragraph", "text": "Last paragraph." } ] }
            """
        let pdf = try await render(Self.tagged(doc))
        let texts = Self.leafTexts(try Self.structure(pdf.bytes))
        #expect(
            texts == [
                "Title", "First paragraph.", "Left column.", "Right column.", "Name", "Qty", "Apples", "3", "Due", "Friday", "Closing",
                "Last paragraph.",
            ])
    }

    @Test("every text, image and path painted in a tagged PDF is marked content (a structure element or an artifact)")
    func everythingMarked() async throws {
        for (doc, dataFile) in [("invoice.json", "invoice.data.json"), ("letter.json", "letter.data.json")] {
            let pdf = try await Self.renderTagged(doc, dataFile)
            let streams = try Self.contentStreams(pdf.bytes)
            #expect(!streams.isEmpty)
            var painted = 0
            for stream in streams {
                var depth = 0
                for line in stream.split(separator: "\n") {
                    if line.hasSuffix("BDC") || line.hasSuffix("BMC") { depth += 1 }
                    if line == "EMC" { depth -= 1 }
                    if Self.paints(String(line)) {
                        painted += 1
                        #expect(depth > 0, "\(doc): unmarked \(line)")
                    }
                }
                #expect(depth == 0, "\(doc): unbalanced marked content")
                #expect(!stream.contains("/Private"), "\(doc): artifact markers rewritten")
                #expect(stream.contains("/Artifact BMC"), "\(doc): header, footer and rules are artifacts")
            }
            #expect(painted > 20)
        }
    }

    @Test("a table over twelve pages is one Table: header cells once, the repeated headers artifacts, every row a TR")
    func tableOverPages() async throws {
        let pdf = try await Self.renderTagged("invoice.json", "invoice-300.data.json")
        #expect(pdf.pageCount > 5)
        let tree = try Self.structure(pdf.bytes, text: false)
        #expect(Self.elements(tree).filter { $0 == "  Table (block)" }.count == 2)
        #expect(occurrences(of: "/Scope /Column", in: tree) == 5)
        // 300 rows, the header row and the totals (net, VAT, gross).
        let rows: Int = Self.elements(tree).filter { $0 == "    TR" }.count
        let expected: Int = 4 + 300 + 1 + 3
        #expect(rows == expected)
        let check = try Tool.qpdfCheck(pdf.bytes)
        #expect(check.status == 0, "qpdf --check: \(check.output)")
    }

    @Test("a columns block taller than a page is tagged column by column on every page, its paragraphs all in the tree")
    func flowingColumns() async throws {
        func paragraphs(_ name: String) -> String {
            (1...60).map {
                #"{ "type": "paragraph", "text": "\#(name) \#($0) is a paragraph long enough to wrap onto a second line in a narrow column." }"#
            }
            .joined(separator: ",")
        }
        let columns = #"[ { "blocks": [ \#(paragraphs("Left")) ] }, { "blocks": [ \#(paragraphs("Right")) ] } ]"#
        let pdf = try await render(Self.tagged(#"{ "blocks": [ { "type": "columns", "columns": \#(columns) } ] }"#))
        #expect(pdf.pageCount > 2)
        let check = try Tool.qpdfCheck(pdf.bytes)
        #expect(check.status == 0, "qpdf --check: \(check.output)")
        let tree = try Self.structure(pdf.bytes, text: false)
        // A paragraph cut where the paginator moves to the other column becomes two elements.
        let count = Self.elements(tree).filter { $0 == "  P (block)" }.count
        #expect(count >= 120 && count <= 120 + 2 * pdf.pageCount)
    }

    @Test("pdf.tagged false, like no pdf.tagged, gives an untagged PDF with the same text")
    func untagged() async throws {
        let json = String(decoding: try Data(contentsOf: Fixture.directory.appendingPathComponent("invoice.json")), as: UTF8.self)
        let document = try DocumentDecoder.decode(Data(Self.tagged(json, tagged: false).utf8))
        let data = try Fixture.data("invoice.data.json")
        let plain = try await Fixture.engine.renderPDF(document: document, data: data, images: Fixture.assets)
        let raw = String(decoding: plain.bytes, as: UTF8.self)
        #expect(!raw.contains("/StructTreeRoot"))
        #expect(!raw.contains("/MarkInfo"))
        #expect(!raw.contains("/Lang"))
        let tagged = try await Self.renderTagged("invoice.json", "invoice.data.json")
        #expect(String(decoding: tagged.bytes, as: UTF8.self).contains("/StructTreeRoot"))
        #expect(try Tool.text(plain.bytes) == Tool.text(tagged.bytes))
        let again = try await Fixture.engine.renderPDF(document: document, data: data, images: Fixture.assets)
        #expect(plain.bytes == again.bytes)
        // Tagging is opt-in: without pdf.tagged the fixture renders exactly as with pdf.tagged false.
        let byDefault = try await Fixture.render("invoice.json", "invoice.data.json")
        #expect(byDefault.bytes == plain.bytes)
    }

    @Test("tagged output is deterministic")
    func deterministic() async throws {
        let a = try await Self.renderTagged("invoice.json", "invoice-300.data.json")
        let b = try await Self.renderTagged("invoice.json", "invoice-300.data.json")
        #expect(a.bytes == b.bytes)
    }

    @Test("PDFObjectEditor adds objects and catalog entries, frees objects and writes a file qpdf accepts, the same bytes every time")
    func objectEditor() async throws {
        // The engine's own output (a tagged one ends with the XMP's incremental update, which the editor does not read).
        let pdf = [UInt8](try await Fixture.render("letter.json", "letter.data.json").bytes)
        var editor = try #require(PDFObjectEditor.parse(pdf))
        editor.setCatalogEntry("Lang", Array("(fr-FR)".utf8))
        let catalog = try #require(editor.object(editor.catalogNumber))
        #expect(String(decoding: catalog, as: UTF8.self).contains("/Type /Catalog"))
        let added = editor.add(Array("<< /Type /Example /Note (a \\) b) >>".utf8))
        #expect(added == editor.size - 1)
        editor.setCatalogEntry("Example", Array("\(added) 0 R".utf8))
        let dropped = editor.add(Array("(dropped object)".utf8))
        editor.remove(dropped)
        #expect(editor.object(dropped) == nil)
        editor.setCatalogEntry("Lang", Array("(it-IT)".utf8))
        #expect(editor.catalogEntry("Lang") == Array("(it-IT)".utf8))
        #expect(PDFSyntax.reference(editor.catalogEntry("Example")) == added)
        let out = editor.write()
        #expect(out == editor.write())
        let text = String(decoding: out, as: UTF8.self)
        #expect(text.contains("/Lang (it-IT)"))
        #expect(!text.contains("/Lang (fr-FR)"), "the existing entry was replaced")
        #expect(text.contains("/ID [<"))
        #expect(!text.contains("dropped object"))
        #expect(text.contains("a \\) b"))
        let check = try Tool.qpdfCheck(Data(out))
        #expect(check.status == 0, "qpdf --check: \(check.output)")
        #expect(PDFObjectEditor.parse(Array(pdf.prefix(pdf.count / 2))) == nil)
    }

    @Test("PDF text strings: printable ASCII as a literal with escapes, anything else as UTF-16BE hex; compacted values keep their strings")
    func textStrings() {
        #expect(PDFSyntax.textString("a (b) \\") == Array("(a \\(b\\) \\\\)".utf8))
        #expect(PDFSyntax.textString("é") == Array("<FEFF00E9>".utf8))
        let cairo = "<< /Type /StructElem\n   /S /P\n   /K [ 1 0 R 2 ]\n   /Alt (a  b)\n   /C <FEFF>\n>>"
        #expect(String(decoding: PDFSyntax.compacted(Array(cairo.utf8)), as: UTF8.self) == "<</Type/StructElem/S/P/K[1 0 R 2]/Alt(a  b)/C<FEFF>>>")
    }
}
