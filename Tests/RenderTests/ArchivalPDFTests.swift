import Core
import Foundation
import Testing

@testable import Render

/// A Factur-X-shaped invoice XML (the guideline identifier is what the profile detection reads).
let facturXML = Data(
    """
    <?xml version="1.0" encoding="UTF-8"?>
    <rsm:CrossIndustryInvoice xmlns:rsm="urn:un:unece:uncefact:data:standard:CrossIndustryInvoice:100" xmlns:ram="urn:un:unece:uncefact:data:standard:ReusableAggregateBusinessInformationEntity:100">
     <rsm:ExchangedDocumentContext><ram:GuidelineSpecifiedDocumentContextParameter><ram:ID>urn:cen.eu:en16931:2017</ram:ID></ram:GuidelineSpecifiedDocumentContextParameter></rsm:ExchangedDocumentContext>
    </rsm:CrossIndustryInvoice>
    """.utf8)

@Suite("PDF/A and embedded files")
struct ArchivalPDFTests {
    static func archived(_ level: PDFAConformance?, attachments: [EmbeddedFile] = []) async throws -> RenderedPDF {
        var options = RenderOptions()
        options.pdfa = level
        options.attachments = attachments
        return try await Fixture.render("invoice.json", "invoice.data.json", options: options)
    }

    static let invoiceXML = EmbeddedFile(
        filename: "factur-x.xml", mimeType: "text/xml", relationship: .alternative, description: "Factur-X invoice", content: facturXML)

    /// The catalog and trailer of the newest revision, read with the engine's own PDF reader.
    static func catalog(_ pdf: RenderedPDF) throws -> (structure: PDFStructure, catalog: PDFObject) {
        let structure = try PDFStructure(Array(pdf.bytes))
        return (structure, try structure.object(try structure.rootReference))
    }

    static func streamText(_ structure: PDFStructure, _ reference: PDFReference) throws -> String {
        let entry = try #require(structure.offsets[reference.number])
        let tail = structure.bytes[entry.offset...]
        let start = try #require(PDFXref.find(Array("stream\n".utf8), in: Array(tail.prefix(4096))))
        let body = Array(tail.dropFirst(start + 7))
        let end = try #require(PDFXref.find(Array("\nendstream".utf8), in: body))
        return String(decoding: body[0..<end], as: UTF8.self)
    }

    @Test("PDF/A-3b with a Factur-X XML: XMP identification and fx schema, sRGB output intent, the file with its relationship, an ID, qpdf clean")
    func facturX() async throws {
        let pdf = try await Self.archived(.a3b, attachments: [Self.invoiceXML])
        let (structure, catalog) = try Self.catalog(pdf)
        let xmp = try Self.streamText(structure, try #require(catalog["Metadata"]?.reference))
        #expect(xmp.contains("<pdfaid:part>3</pdfaid:part>"))
        #expect(xmp.contains("<pdfaid:conformance>B</pdfaid:conformance>"))
        #expect(xmp.contains("<fx:DocumentFileName>factur-x.xml</fx:DocumentFileName>"))
        #expect(xmp.contains("<fx:ConformanceLevel>EN 16931</fx:ConformanceLevel>"))
        #expect(xmp.contains("<dc:title><rdf:Alt><rdf:li xml:lang=\"x-default\">Invoice 2024-0012</rdf:li>"))
        #expect(xmp.contains("<xmp:CreateDate>2000-01-01T00:00:00Z</xmp:CreateDate>"))
        guard case .array(let intents)? = catalog["OutputIntents"], let intent = intents.first else {
            Issue.record("no /OutputIntents")
            return
        }
        #expect(intent["S"]?.isName("GTS_PDFA1") == true)
        #expect(intent["DestOutputProfile"]?.reference != nil)
        guard case .array(let associated)? = catalog["AF"], let spec = associated.first?.reference else {
            Issue.record("no /AF")
            return
        }
        let filespec = try structure.object(spec)
        #expect(filespec["AFRelationship"]?.isName("Alternative") == true)
        #expect(filespec["EF"] != nil)
        #expect(structure.trailer["ID"] != nil)
        let info = try structure.object(try #require(structure.trailer["Info"]?.reference))
        #expect(info["CreationDate"] == .string(Array("(D:20000101000000Z)".utf8)))
        #expect(!String(decoding: pdf.bytes, as: UTF8.self).contains("/Interpolate true"))
        let check = try Tool.qpdfCheck(pdf.bytes)
        #expect(check.status == 0, "qpdf --check: \(check.output)")
        let attached = try Tool.withFile(pdf.bytes) { try Tool.output("pdfdetach", ["-list", $0]) }
        #expect(attached.contains("factur-x.xml"))
    }

    @Test("archiving keeps output deterministic: the same input gives the same bytes")
    func deterministic() async throws {
        let first = try await Self.archived(.a3b, attachments: [Self.invoiceXML])
        let second = try await Self.archived(.a3b, attachments: [Self.invoiceXML])
        #expect(first.bytes == second.bytes)
        let plain = try await Self.archived(nil)
        #expect(plain.bytes != first.bytes)
    }

    @Test("PDF/A-2b carries the identification and no embedded files; asking for files under 2b is refused")
    func twoB() async throws {
        let pdf = try await Self.archived(.a2b)
        let (structure, catalog) = try Self.catalog(pdf)
        let xmp = try Self.streamText(structure, try #require(catalog["Metadata"]?.reference))
        #expect(xmp.contains("<pdfaid:part>2</pdfaid:part>"))
        #expect(!xmp.contains("fx:"))
        #expect(catalog["AF"] == nil)
        await #expect(throws: RenderError.self) { try await Self.archived(.a2b, attachments: [Self.invoiceXML]) }
    }

    @Test("a document's pdf.pdfa setting is the default; a render's option overrides it")
    func documentDefault() async throws {
        var document = try Fixture.document("invoice.json")
        document.pdf = PDFSettings(pdfa: .a2b)
        let data = try Fixture.data("invoice.data.json")
        let byDefault = try await Fixture.engine.renderPDF(document: document, data: data, images: Fixture.assets)
        var options = RenderOptions()
        options.pdfa = .a3b
        let overridden = try await Fixture.engine.renderPDF(document: document, data: data, images: Fixture.assets, options: options)
        let first = try Self.catalog(byDefault), second = try Self.catalog(overridden)
        #expect(try Self.streamText(first.structure, try #require(first.catalog["Metadata"]?.reference)).contains("<pdfaid:part>2</pdfaid:part>"))
        #expect(try Self.streamText(second.structure, try #require(second.catalog["Metadata"]?.reference)).contains("<pdfaid:part>3</pdfaid:part>"))
    }

    @Test("a tagged document declares PDF/UA-1 in its XMP; with PDF/A the pdfuaid schema is declared as an extension")
    func universalAccess() async throws {
        var document = try Fixture.document("invoice.json")
        document.pdf = PDFSettings(tagged: true)
        let data = try Fixture.data("invoice.data.json")
        let tagged = try await Fixture.engine.renderPDF(document: document, data: data, images: Fixture.assets)
        let (structure, catalog) = try Self.catalog(tagged)
        let xmp = try Self.streamText(structure, try #require(catalog["Metadata"]?.reference))
        #expect(xmp.contains("<pdfuaid:part>1</pdfuaid:part>"))
        #expect(!xmp.contains("pdfaid:part"))
        #expect(!xmp.contains("pdfaExtension"))
        #expect(xmp.contains("Invoice 2024-0012"))
        #expect(catalog["StructTreeRoot"] != nil)
        var options = RenderOptions()
        options.pdfa = .a2b
        let both = try await Fixture.engine.renderPDF(document: document, data: data, images: Fixture.assets, options: options)
        let archived = try Self.catalog(both)
        let xmpBoth = try Self.streamText(archived.structure, try #require(archived.catalog["Metadata"]?.reference))
        #expect(xmpBoth.contains("<pdfuaid:part>1</pdfuaid:part>"))
        #expect(xmpBoth.contains("<pdfaid:part>2</pdfaid:part>"))
        #expect(xmpBoth.contains("<pdfaSchema:prefix>pdfuaid</pdfaSchema:prefix>"))
        #expect(try Tool.qpdfCheck(both.bytes).status == 0)
        let untagged = try await Fixture.render("invoice.json", "invoice.data.json")
        #expect(try Self.catalog(untagged).catalog["Metadata"] == nil)
    }

    @Test("files without PDF/A are embedded too, with non-ASCII names kept in /UF")
    func attachmentsWithoutArchiving() async throws {
        let csv = EmbeddedFile(filename: "Positionen-Größe.csv", mimeType: "text/csv", relationship: .data, content: Data("a,b\n1,2\n".utf8))
        let pdf = try await Self.archived(nil, attachments: [csv])
        let (_, catalog) = try Self.catalog(pdf)
        #expect(catalog["Metadata"] == nil)
        #expect(catalog["AF"] != nil)
        let list = try Tool.withFile(pdf.bytes) { try Tool.output("pdfdetach", ["-list", $0]) }
        #expect(list.contains("Positionen-Größe.csv"))
        #expect(try Tool.qpdfCheck(pdf.bytes).status == 0)
    }

    @Test("the sRGB profile is a well-formed ICC v2 display profile")
    func iccProfile() {
        let bytes = SRGBProfile.bytes
        let size = bytes[0..<4].reduce(0) { $0 << 8 | Int($1) }
        #expect(size == bytes.count)
        #expect(String(decoding: bytes[36..<40], as: UTF8.self) == "acsp")
        #expect(String(decoding: bytes[12..<20], as: UTF8.self) == "mntrRGB ")
        let tags = bytes[128..<132].reduce(0) { $0 << 8 | Int($1) }
        #expect(tags == 9)
    }

    @Test("PDF dates become XMP dates with their zone")
    func xmpDates() {
        #expect(XMPPacket.isoDate("D:20240131235959Z") == "2024-01-31T23:59:59Z")
        #expect(XMPPacket.isoDate("20000101000000Z") == "2000-01-01T00:00:00Z")
        #expect(XMPPacket.isoDate("D:20240131120000+05'30'") == "2024-01-31T12:00:00+05:30")
        #expect(XMPPacket.isoDate("nonsense") == nil)
    }
}

@Suite("Every character renders")
struct GlyphCoverageTests {
    static func paragraph(_ text: String) throws -> Document {
        let json = try JSONEncoder().encode(JSONValue.object(["blocks": .array([.object(["type": .string("paragraph"), "text": .string(text)])])]))
        return try DocumentDecoder.decode(json)
    }

    @Test("every script the engine shapes, emoji, symbols and combining marks: no box drawn, no warning")
    func everyScript() async throws {
        let text = """
            Latin Größe ñ ø · Ελληνικά · Кириллица · עברית · العربية · हिन्दी · ไทย · 日本語 中文 한국어 · Tiếng Việt ·
            Emoji 😀🎉👍🏽🇩🇪❤️ · ✓ ✗ € ∑ ∞ ★ ⚠ ⌘ Ω₂ · e\u{301} a\u{308} n\u{303}
            """
        let pdf = try await Fixture.engine.renderPDF(document: try Self.paragraph(text), data: .object([:]))
        #expect(pdf.warnings.isEmpty, "\(pdf.warnings)")
        #expect(try Tool.qpdfCheck(pdf.bytes).status == 0)
    }

    @Test("a character no font covers is reported in the render's warnings by code point")
    func uncovered() async throws {
        let pdf = try await Fixture.engine.renderPDF(document: try Self.paragraph("Box \u{10FFFD} here \u{0378}"), data: .object([:]))
        let warning = try #require(pdf.warnings.first)
        #expect(warning.code == "font_coverage")
        #expect(warning.message.contains("U+10FFFD"))
        #expect(warning.message.contains("U+0378"))
        #expect(warning.message.hasPrefix("2 character(s)"))
    }

    @Test("the publish lint names the uncovered characters of the template's own text")
    func lintNamesCharacters() throws {
        let issues = Linter.lint(try Self.paragraph("Fixed text \u{10FFFD} and ✓"))
        let coverage = issues.filter { $0.code == "font_coverage" }
        #expect(coverage.count == 1)
        #expect(coverage.first?.message.contains("U+10FFFD") == true)
        #expect(coverage.first?.message.contains("U+2713") == false)
    }
}
