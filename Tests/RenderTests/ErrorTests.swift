import Core
import Foundation
import Render
import Testing

@Suite("Limits and bad input give typed errors")
struct ErrorTests {
    func imageDoc(_ src: String = "asset:x") -> String {
        #"{"blocks": [{"type": "image", "src": "\#(src)"}]}"#
    }

    @Test("a broken PNG is a brokenImage error")
    func brokenPNG() async throws {
        let logo = try Fixture.asset("logo.png")
        let truncated = Data(logo.prefix(logo.count / 2))
        await #expect(throws: RenderError.self) {
            try await render(imageDoc(), images: InMemoryImageLoader([.asset("x"): truncated]))
        }
        do {
            _ = try await render(imageDoc(), images: InMemoryImageLoader([.asset("x"): truncated]))
        } catch let e as RenderError {
            #expect(e.code == "broken_image")
        }
    }

    @Test("bytes that are no PNG, JPEG or WebP are an unsupportedImage error")
    func unsupported() async throws {
        await #expect(throws: RenderError.unsupportedImage(source: "asset:x")) {
            try await render(imageDoc(), images: InMemoryImageLoader([.asset("x"): Data("GIF89a....".utf8)]))
        }
    }

    @Test("an 11 MB image is an imageTooLarge error")
    func tooLarge() async throws {
        var big = try Fixture.asset("logo.png")
        big.append(Data(count: 11 * 1024 * 1024))
        await #expect(throws: RenderError.imageTooLarge(source: "asset:x", bytes: big.count, limit: 10 * 1024 * 1024)) {
            try await render(imageDoc(), images: InMemoryImageLoader([.asset("x"): big]))
        }
    }

    @Test("an image with more pixels than allowed is rejected before decoding")
    func tooManyPixels() async throws {
        let photo = try Fixture.asset("photo.jpg")
        var limits = RenderLimits()
        limits.maxImagePixels = 100_000
        await #expect(throws: RenderError.imageTooManyPixels(source: "asset:x", width: 800, height: 500, limit: 100_000)) {
            try await render(imageDoc(), images: InMemoryImageLoader([.asset("x"): photo]), options: RenderOptions(limits: limits))
        }
    }

    @Test("an image the loader cannot deliver is a transient imageUnavailable error")
    func unavailable() async throws {
        do {
            _ = try await render(imageDoc("https://example.com/missing.png"))
            Issue.record("expected an error")
        } catch let e as RenderError {
            #expect(e.code == "image_unavailable")
            #expect(e.isTransient)
        }
    }

    @Test("10,001 loop items are a tooManyLoopItems error")
    func tooManyItems() async throws {
        let items = JSONValue.array(Array(repeating: .object(["a": .string("x")]), count: 10_001))
        let doc = try DocumentDecoder.decode(
            Data(#"{"blocks": [{"type": "table", "loop": "rows", "columns": [{"header": "A", "cell": "{{a}}"}]}]}"#.utf8))
        await #expect(throws: RenderError.tooManyLoopItems(loop: "rows", count: 10_001, limit: 10_000)) {
            try await Fixture.engine.renderPDF(document: doc, data: .object(["rows": items]))
        }
    }

    @Test("more pages than the limit is a tooManyPages error")
    func tooManyPages() async throws {
        var limits = RenderLimits()
        limits.maxPages = 3
        await #expect(throws: RenderError.tooManyPages(limit: 3)) {
            try await Fixture.render("invoice.json", "invoice-300.data.json", options: RenderOptions(limits: limits))
        }
    }

    @Test("a render over its time budget is a timeout error")
    func timeout() async throws {
        var limits = RenderLimits()
        limits.timeout = .microseconds(1)
        do {
            _ = try await Fixture.render("report.json", "report-1000.data.json", options: RenderOptions(limits: limits))
            Issue.record("expected a timeout")
        } catch let e as RenderError {
            #expect(e.code == "render_timeout")
        }
    }

    @Test("an unknown formatter is an unknownFormatter error")
    func unknownFormatter() async throws {
        await #expect(throws: RenderError.unknownFormatter("shout")) {
            try await render(#"{"blocks": [{"type": "paragraph", "text": "{{x | shout}}"}]}"#, #"{"x": "hi"}"#)
        }
        await #expect(throws: RenderError.invalidFormatterArgument(formatter: "money", argument: "EURO")) {
            try await render(#"{"blocks": [{"type": "paragraph", "text": "{{x | money:EURO}}"}]}"#, #"{"x": 1}"#)
        }
    }

    @Test("an unknown font family is an unknownFont error")
    func unknownFont() async throws {
        await #expect(throws: RenderError.unknownFont("Comic Nonexistent")) {
            try await render(#"{"blocks": [{"type": "paragraph", "text": "x", "fontFamily": "Comic Nonexistent"}]}"#)
        }
    }

    @Test("a font file that does not exist cannot be registered")
    func invalidFontFile() throws {
        #expect(throws: RenderError.invalidFontFile("/nonexistent/font.ttf")) {
            _ = try RenderEngine(configuration: .init(fontFiles: ["/nonexistent/font.ttf"]))
        }
    }

    @Test("a PNG preview of a page the document does not have is pageOutOfRange")
    func pageOutOfRange() async throws {
        let doc = try DocumentDecoder.decode(Data(#"{"blocks": [{"type": "paragraph", "text": "x"}]}"#.utf8))
        await #expect(throws: RenderError.pageOutOfRange(page: 2, pageCount: 1)) {
            try await Fixture.engine.renderPNG(document: doc, data: .object([:]), page: 2)
        }
    }

    @Test("malformed documents are invalidDocument errors naming the field")
    func invalidDocuments() throws {
        #expect(throws: RenderError.self) { try DocumentDecoder.decode(Data("[1]".utf8)) }
        do {
            _ = try DocumentDecoder.decode(Data(#"{"blocks": [{"type": "hologram"}]}"#.utf8))
            Issue.record("expected an error")
        } catch let e as RenderError {
            #expect(e.code == "invalid_document")
            #expect(e.description.contains("hologram"))
        }
    }
}

@Suite("Fonts")
struct FontTests {
    @Test("a font file registered at run time makes its family usable and embedded")
    func registeredFont() async throws {
        let doc = try DocumentDecoder.decode(
            Data(#"{"blocks": [{"type": "paragraph", "text": "Brand text", "fontFamily": "Craftkit Test Sans"}]}"#.utf8))
        let engine = try RenderEngine()
        await #expect(throws: RenderError.unknownFont("Craftkit Test Sans")) {
            try await engine.renderPDF(document: doc, data: .object([:]))
        }
        try engine.registerFontFiles([Fixture.directory.appendingPathComponent("assets/CraftkitTestSans.ttf").path])
        let pdf = try await engine.renderPDF(document: doc, data: .object([:]))
        let fonts = try Tool.withFile(pdf.bytes) { try Tool.output("pdffonts", [$0]) }
        #expect(fonts.contains("CraftkitTestSans"))
        #expect(try Tool.text(pdf.bytes).contains("Brand text"))
        // Other engines are unaffected.
        await #expect(throws: RenderError.unknownFont("Craftkit Test Sans")) {
            try await Fixture.engine.renderPDF(document: doc, data: .object([:]))
        }
    }
}
