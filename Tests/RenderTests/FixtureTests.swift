import Core
import Foundation
import Render
import Testing

@Suite("Fixtures render to valid PDFs with the expected text")
struct FixtureTests {
    @Test("every fixture passes qpdf --check and matches its pdftotext golden", arguments: Fixture.all.map { $0.2 })
    func goldenText(name: String) async throws {
        let (doc, dataFile, golden) = try #require(Fixture.all.first { $0.2 == name })
        let pdf = try await Fixture.render(doc, dataFile)
        let check = try Tool.qpdfCheck(pdf.bytes)
        #expect(check.status == 0, "qpdf --check: \(check.output)")
        #expect(check.output.contains("No syntax or stream encoding errors found"))
        let expected = try String(contentsOf: Fixture.directory.appendingPathComponent("golden/\(golden).txt"), encoding: .utf8)
        let actual = try Tool.text(pdf.bytes)
        #expect(actual == expected, "pdftotext output of \(golden) differs from golden/\(golden).txt")
    }

    @Test("every fixture renders a PNG preview of page 1 at the requested DPI", arguments: Fixture.all.map { $0.2 })
    func pngPreview(name: String) async throws {
        let (doc, dataFile, _) = try #require(Fixture.all.first { $0.2 == name })
        let png = try await Fixture.engine.renderPNG(
            document: Fixture.document(doc), data: Fixture.data(dataFile), page: 1, dpi: 60,
            images: Fixture.assets)
        #expect(png.bytes.starts(with: [0x89, 0x50, 0x4E, 0x47]))
        #expect(png.page == 1)
        #expect(png.pageCount >= 1)
        // A4 (595 x 842 pt) at 60 dpi is 496 x 702 px; Letter is 510 x 660.
        #expect(png.width > 450 && png.width < 520)
        #expect(png.height > 640 && png.height < 710)
    }

    @Test("the same document and data give byte-identical PDFs, also from a fresh engine")
    func determinism() async throws {
        for (doc, dataFile, _) in Fixture.all {
            let a = try await Fixture.render(doc, dataFile)
            let b = try await Fixture.render(doc, dataFile)
            #expect(a.bytes == b.bytes, "\(doc) + \(dataFile) differs between two renders")
            let fresh = try RenderEngine()
            let c = try await fresh.renderPDF(document: Fixture.document(doc), data: Fixture.data(dataFile), images: Fixture.assets)
            #expect(a.bytes == c.bytes, "\(doc) + \(dataFile) differs on a fresh engine")
        }
    }

    @Test("the PDF carries the bound title, author and subject and a fixed creation date")
    func metadata() async throws {
        let pdf = try await Fixture.render("invoice.json", "invoice.data.json")
        let info = try Tool.withFile(pdf.bytes) { try Tool.output("pdfinfo", [$0]) }
        #expect(info.contains("Title:           Invoice 2024-0012"))
        #expect(info.contains("Author:          Craftkit Demo AG"))
        #expect(info.contains("Subject:         Invoice for Ada Lovelace GmbH"))
        #expect(info.contains("CreationDate:    Sat Jan  1 00:00:00 2000 UTC"))
        let dated = try await Fixture.render(
            "invoice.json", "invoice.data.json",
            options: RenderOptions(creationDate: Date(timeIntervalSince1970: 1_700_000_000)))
        let info2 = try Tool.withFile(dated.bytes) { try Tool.output("pdfinfo", [$0]) }
        #expect(info2.contains("2023"))
    }

    @Test("links in rich text become PDF link annotations")
    func links() async throws {
        let pdf = try await Fixture.render("invoice.json", "invoice.data.json")
        let raw = String(decoding: pdf.bytes, as: UTF8.self)
        #expect(raw.contains("/URI (https://example.com/help)"))
        #expect(raw.contains("/URI (mailto:billing@example.com)"))
    }

    @Test("fonts are embedded as subsets")
    func fontsEmbedded() async throws {
        let pdf = try await Fixture.render("letter.json", "letter.data.json")
        let fonts = try Tool.withFile(pdf.bytes) { try Tool.output("pdffonts", [$0]) }
        let rows = fonts.split(separator: "\n").dropFirst(2)
        #expect(rows.count >= 3)
        for row in rows {
            let cols = row.split(separator: " ")
            #expect(cols.contains("yes"), "font not embedded: \(row)")
            #expect(String(row).range(of: "^[A-Z]{6}\\+", options: .regularExpression) != nil, "not a subset: \(row)")
        }
        #expect(fonts.contains("NotoSansArabic"))
    }

    @Test("CJK faces are embedded from the outlines of the glyphs used, so a page of CJK text stays small")
    func cjkFromOutlines() async throws {
        let pdf = try await Fixture.render("letter.json", "letter.data.json")
        let fonts = try Tool.withFile(pdf.bytes) { try Tool.output("pdffonts", [$0]) }
        // Cairo's own CFF subsetter would embed "NotoSansCJK…" with its full subroutine index (210 KB).
        #expect(!fonts.contains("CJK"))
        #expect(fonts.contains("CID Type 0C"))
        #expect(pdf.bytes.count < 80_000)
        #expect(try Tool.text(pdf.bytes).contains("日本語の文章も正しく表示されるか確認します。"))
        #expect(try Tool.qpdfCheck(pdf.bytes).status == 0)
    }
}

@Suite("Pagination")
struct PaginationTests {
    @Test("a 300-row invoice repeats the header row on every page, never splits a row, and keeps its page count")
    func threeHundredRows() async throws {
        let pdf = try await Fixture.render("invoice.json", "invoice-300.data.json")
        #expect(pdf.pageCount == 12)
        let again = try await Fixture.render("invoice.json", "invoice-300.data.json")
        #expect(again.pageCount == pdf.pageCount)
        var seen: [Int] = []
        for page in 1...pdf.pageCount {
            let t = try Tool.text(pdf.bytes, page: page)
            #expect(t.contains("Description\nQty\nUnit price\nAmount") || t.contains("Description"), "no header on page \(page)")
            #expect(occurrences(of: "Unit price", in: t) == 1, "header row missing or doubled on page \(page)")
            #expect(t.contains("Page \(page) of \(pdf.pageCount)"))
            // A wrapped description stays on the page of its row.
            #expect(
                occurrences(of: " — ", in: t) == occurrences(of: "documentation", in: t),
                "a row is split across pages at page \(page)")
            // Row numbers are the lines that are only digits in the first column.
            for line in t.split(separator: "\n") where line.allSatisfy(\.isNumber) {
                if let n = Int(line), n >= 1, n <= 300 { seen.append(n) }
            }
        }
        #expect(Array(Set(seen)).sorted() == Array(1...300))
        let last = try Tool.text(pdf.bytes, page: pdf.pageCount)
        #expect(last.contains("Total"))
        #expect(last.contains("Approved by Craftkit Demo AG"))
    }

    @Test("a row taller than a page is split at line boundaries instead of overflowing")
    func tallRow() async throws {
        let long = (1...160).map { "Line \($0)" }.joined(separator: "\\n")
        let doc = """
            {"blocks": [{"type": "table", "columns": [{"header": "A"}, {"header": "B"}], "rows": [["short", "\(long)"], ["after", "end"]]}]}
            """
        let pdf = try await render(doc)
        #expect(pdf.pageCount >= 2)
        let t = try Tool.text(pdf.bytes)
        for n in [1, 80, 160] { #expect(t.contains("Line \(n)\n")) }
        #expect(occurrences(of: "Line 160\n", in: t) == 1)
        #expect(t.contains("after"))
    }

    @Test("columns taller than a page continue side by side on the next page, a table in a column with its header")
    func tallColumns() async throws {
        let left = (1...50).map { #"{"type": "paragraph", "text": "Left \#($0)"}"# }.joined(separator: ",")
        let rows = (1...50).map { #"["Item \#($0)", "\#($0)"]"# }.joined(separator: ",")
        let doc = """
            {"blocks": [{"type": "paragraph", "text": "Intro"}, {"type": "columns", "columns": [{"blocks": [\(left)]},
              {"blocks": [{"type": "table", "columns": [{"header": "Name"}, {"header": "Qty"}], "rows": [\(rows)]}]}]},
              {"type": "paragraph", "text": "After the columns"}]}
            """
        let pdf = try await render(doc)
        #expect(pdf.pageCount == 2)
        let p1 = try Tool.text(pdf.bytes, page: 1)
        let p2 = try Tool.text(pdf.bytes, page: 2)
        #expect(p1.contains("Intro") && p1.contains("Left 1\n") && p1.contains("Item 1\n"))
        #expect(p2.contains("Left 50") && p2.contains("Item 50") && p2.contains("After the columns"))
        #expect(p2.contains("Qty"), "the table header is repeated in its column")
        let all = try Tool.text(pdf.bytes)
        for n in [1, 25, 50] {
            #expect(occurrences(of: "Left \(n)\n", in: all) == 1)
            #expect(occurrences(of: "Item \(n)\n", in: all) == 1)
        }
        // Side by side on the second page: the right column's rows start at the top, not below the left one.
        let bbox = try Tool.withFile(pdf.bytes) { try Tool.output("pdftotext", ["-f", "2", "-l", "2", "-bbox", $0, "-"]) }
        func yMin(_ word: String) -> Double? {
            bbox.split(separator: "\n").first { $0.hasSuffix(">\(word)</word>") }.flatMap { line in
                line.range(of: "yMin=\"").flatMap { Double(line[$0.upperBound...].prefix { $0 != "\"" }) }
            }
        }
        let leftTop = try #require(yMin("Left"))
        let rightTop = try #require(yMin("Qty"))
        #expect(abs(leftTop - rightTop) < 30)
    }

    @Test("an explicit page break starts a new page and a keep-together group moves as a whole")
    func breaksAndGroups() async throws {
        let filler = (1...40).map { _ in #"{"type": "paragraph", "text": "Filler paragraph"}"# }.joined(separator: ",")
        let doc = """
            {"blocks": [{"type": "paragraph", "text": "First"}, {"type": "pageBreak"}, {"type": "paragraph", "text": "Second"}, \(filler),
              {"type": "group", "blocks": [{"type": "heading", "text": "Group heading"}, {"type": "paragraph", "text": "Group body"}]}]}
            """
        let pdf = try await render(doc)
        #expect(pdf.pageCount == 3)
        #expect(try Tool.text(pdf.bytes, page: 2).contains("Second"))
        let p3 = try Tool.text(pdf.bytes, page: 3)
        #expect(p3.contains("Group heading") && p3.contains("Group body"))
    }

    @Test("a heading is never left alone at the bottom of a page")
    func headingKeepsWithNext() async throws {
        // 35 paragraphs leave ~42 pt of an A4 body: room for the heading (~25 pt), not for it and a body line.
        let filler = (1...35).map { _ in #"{"type": "paragraph", "text": "Filler paragraph"}"# }.joined(separator: ",")
        let doc = """
            {"blocks": [\(filler), {"type": "heading", "level": 2, "text": "Section heading"},
              {"type": "paragraph", "text": "\((1...12).map { "Body line \($0)" }.joined(separator: "\\n"))"}]}
            """
        let pdf = try await render(doc)
        #expect(pdf.pageCount == 2)
        let p2 = try Tool.text(pdf.bytes, page: 2)
        #expect(p2.contains("Section heading"))
        #expect(!(try Tool.text(pdf.bytes, page: 1).contains("Section heading")))
    }

    @Test("first-page and last-page header variants replace the default one")
    func decorationVariants() async throws {
        let doc = """
            {"header": {"blocks": [{"type": "paragraph", "text": "Running header {{page}}"}], "firstPage": [{"type": "paragraph", "text": "Cover header"}],
                        "lastPage": [{"type": "paragraph", "text": "Closing header {{page}}/{{pages}}"}]},
             "blocks": [{"type": "paragraph", "text": "One"}, {"type": "pageBreak"}, {"type": "paragraph", "text": "Two"}, {"type": "pageBreak"}, {"type": "paragraph", "text": "Three"}]}
            """
        let pdf = try await render(doc)
        #expect(pdf.pageCount == 3)
        #expect(try Tool.text(pdf.bytes, page: 1).contains("Cover header"))
        #expect(try Tool.text(pdf.bytes, page: 2).contains("Running header 2"))
        #expect(try Tool.text(pdf.bytes, page: 3).contains("Closing header 3/3"))
    }
}

@Suite("Scripts")
struct ScriptTests {
    @Test("Arabic, Hebrew, CJK and combining marks are extracted in logical order")
    func multilingual() async throws {
        let pdf = try await Fixture.render("letter.json", "letter.data.json")
        let t = try Tool.text(pdf.bytes)
        #expect(t.contains("مرحبا بكم"))
        #expect(t.contains("هذه رسالة تجريبية"))
        #expect(t.contains("שלום רב"))
        #expect(t.contains("您好，这是一封用于测试中文排版的示例信函。"))
        #expect(t.contains("ひらがな、カタカナ、漢字"))
        #expect(t.contains("한국어 문장도"))
        #expect(t.contains("vérifier la mise en forme"))
    }

    @Test("right-to-left paragraphs are aligned to the right edge")
    func rtlAlignment() async throws {
        let doc = #"{"blocks": [{"type": "paragraph", "text": "שלום"}, {"type": "paragraph", "text": "Hello"}]}"#
        let pdf = try await render(doc)
        let bbox = try Tool.withFile(pdf.bytes) { try Tool.output("pdftotext", ["-bbox", $0, "-"]) }
        // pdftotext -bbox lists right-to-left text letter by letter; take the leftmost edge of each script.
        func xMin(where matches: (String) -> Bool) -> Double? {
            bbox.split(separator: "\n").compactMap { line -> Double? in
                guard let r = line.range(of: "xMin=\""), let open = line.firstIndex(of: ">"), line.hasSuffix("</word>") else { return nil }
                let word = String(line[line.index(after: open)...].dropLast("</word>".count))
                guard matches(word) else { return nil }
                return Double(line[r.upperBound...].prefix(while: { $0 != "\"" }))
            }.min()
        }
        let hebrew = try #require(xMin { $0.unicodeScalars.contains { (0x0590...0x05FF).contains($0.value) } })
        let latin = try #require(xMin { $0 == "Hello" })
        #expect(hebrew > 400)
        #expect(latin < 100)
    }
}
