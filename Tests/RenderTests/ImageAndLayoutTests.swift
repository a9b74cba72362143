import Core
import Foundation
import Render
import Testing

@Suite("Images")
struct ImageTests {
    func images(_ pdf: Data) throws -> String {
        try Tool.withFile(pdf) { try Tool.output("pdfimages", ["-list", $0]) }
    }

    @Test("a JPEG is embedded as the original JPEG stream, not re-encoded")
    func jpegPassThrough() async throws {
        let jpeg = try Fixture.asset("photo.jpg")
        let pdf = try await render(#"{"blocks": [{"type": "image", "src": "asset:photo.jpg", "width": 300}]}"#, images: Fixture.assets)
        let list = try images(pdf.bytes)
        #expect(list.contains(" jpeg "))
        // The JPEG bytes appear verbatim in the PDF.
        #expect(pdf.bytes.range(of: jpeg.prefix(2048)) != nil)
    }

    @Test("PNG with alpha, WebP and data: URIs are decoded and embedded")
    func pngWebpDataURI() async throws {
        let png = try Fixture.asset("logo.png").base64EncodedString()
        let doc = """
            {"blocks": [{"type": "image", "src": "asset:logo.png"}, {"type": "image", "src": "asset:logo.webp"}, {"type": "image", "src": "data:image/png;base64,\(png)"}]}
            """
        let pdf = try await render(doc, images: Fixture.assets)
        let rows = try images(pdf.bytes).split(separator: "\n").dropFirst(2)
        #expect(rows.filter { $0.contains(" image ") }.count >= 2)
        #expect(rows.contains { $0.contains("smask") })
    }

    @Test("an image bound to a variable loads from the variable's value; a missing optional image renders nothing")
    func boundImage() async throws {
        let doc = #"{"blocks": [{"type": "image", "src": "{{logo}}"}, {"type": "paragraph", "text": "after"}]}"#
        let loader = InMemoryImageLoader([.url("https://cdn.example.com/logo.png"): try Fixture.asset("logo.png")])
        let with = try await render(doc, #"{"logo": "https://cdn.example.com/logo.png"}"#, images: loader)
        #expect(try images(with.bytes).contains(" image "))
        let without = try await render(doc, #"{}"#, images: loader)
        #expect(!(try images(without.bytes).contains(" image ")))
        #expect(try Tool.text(without.bytes).contains("after"))
    }

    @Test("the PNG preview draws JPEG pixels (decoded for raster output)")
    func previewDrawsJPEG() async throws {
        let doc = try DocumentDecoder.decode(
            Data(
                #"{"page": {"size": {"width": 200, "height": 200}, "margins": 0}, "blocks": [{"type": "image", "src": "asset:photo.jpg", "width": 200, "height": 200, "fit": "cover"}]}"#
                    .utf8))
        let png = try await Fixture.engine.renderPNG(document: doc, data: .object([:]), page: 1, dpi: 72, images: Fixture.assets)
        #expect(png.width == 200 && png.height == 200)
        // A blank page compresses to a few hundred bytes; the gradient photo does not.
        #expect(png.bytes.count > 5_000)
    }
}

@Suite("Craftkit document-mode layout")
struct CraftkitLayoutTests {
    @Test("a pages layout maps onto the model: one PDF page per layout page, rich text, loop table, signature")
    func pagesLayout() async throws {
        let doc = try Fixture.document("craftkit-pages.json")
        #expect(doc.blocks.contains { if case .pageBreak = $0 { return true } else { return false } })
        let pdf = try await Fixture.render("craftkit-pages.json", "craftkit-pages.data.json")
        #expect(pdf.pageCount == 2)
        let p1 = try Tool.text(pdf.bytes, page: 1)
        #expect(p1.contains("Service agreement SA-7781"))
        #expect(p1.contains("Between Craftkit Demo AG and Ada Lovelace GmbH."))
        #expect(p1.contains("Support (business hours)"))
        #expect(p1.contains("€120.50"))
        let p2 = try Tool.text(pdf.bytes, page: 2)
        #expect(p2.contains("Customer signature"))
        #expect(p2.contains("Open portal"))
        let raw = String(decoding: pdf.bytes, as: UTF8.self)
        #expect(raw.contains("/URI (https://example.com/terms)"))
    }

    @Test("the native model round-trips through JSON")
    func roundTrip() throws {
        let doc = try Fixture.document("invoice.json")
        let again = try DocumentDecoder.decode(try JSONEncoder().encode(doc))
        #expect(again == doc)
    }
}

@Suite("Documentation")
struct SchemaTests {
    @Test("the JSON Schema lists exactly the block types the decoder accepts")
    func schemaBlockTypes() throws {
        let url = Fixture.directory.deletingLastPathComponent().deletingLastPathComponent().appendingPathComponent("docs/document-model.schema.json")
        let schema = try JSONDecoder().decode(JSONValue.self, from: Data(contentsOf: url))
        guard case .array(let variants)? = schema["definitions"]?["block"]?["oneOf"] else {
            Issue.record("no definitions.block.oneOf")
            return
        }
        let names = variants.compactMap { v -> String? in
            if case .string(let s)? = v["properties"]?["type"]?["const"] { return s }
            return nil
        }
        #expect(names.count == variants.count)
        for name in names {
            let json =
                #"{"blocks": [{"type": "\#(name)", "src": "x", "columns": [], "loop": "l", "blocks": [], "items": [], "height": 1, "when": {"variable": "v"}}]}"#
            #expect(throws: Never.self, "block type \(name)") { _ = try DocumentDecoder.decode(Data(json.utf8)) }
        }
        #expect(
            Set(names).isSuperset(of: [
                "heading", "paragraph", "image", "table", "repeat", "columns", "keyValue", "divider", "spacer", "pageBreak", "group", "conditional",
                "signature",
            ]))
    }
}

@Suite("Benchmark")
struct BenchmarkTests {
    @Test("benchmark data variants shift numbers and suffix longer texts but keep short texts, dates and asset references")
    func variants() {
        let v = data(#"{"n": 1.5, "s": "Ada Lovelace GmbH", "t": "short", "d": "2024-03-05", "a": "asset:logo.png", "l": [{"q": 2}], "b": true}"#)
        #expect(RenderBenchmark.variant(v, 0) == v)
        #expect(
            RenderBenchmark.variant(v, 3)
                == data(
                    #"{"n": 1.53, "s": "Ada Lovelace GmbH 3", "t": "short", "d": "2024-03-05", "a": "asset:logo.png", "l": [{"q": 2.03}], "b": true}"#
                ))
    }

    @Test("the benchmark renders every fixture case and reports percentiles, throughput and sizes")
    func smallRun() async throws {
        let report = try await RenderBenchmark.run(fixturesDirectory: Fixture.directory, iterations: 10, concurrency: 2, warmup: 1)
        #expect(report.results.map(\.name) == ["invoice-12", "invoice-300", "report-1000", "letter-multiscript"])
        for r in report.results {
            #expect(r.p50Ms > 0 && r.p50Ms <= r.p95Ms && r.p95Ms <= r.p99Ms)
            #expect(r.pdfsPerSecond > 0)
            #expect(r.bytes > 1000)
        }
        #expect(RenderBenchmark.markdown(report).contains("| invoice-12 | 1 |"))
    }
}

@Suite("Per-render budgets")
struct RenderBudgetTests {
    func document(_ json: String) throws -> Document { try DocumentDecoder.decode(Data(json.utf8)) }

    @Test("more distinct images than the budget allows is too_many_images, before anything is fetched")
    func imageCount() async throws {
        let doc = try document(#"{"blocks":[{"type":"image","src":"asset:logo.png"},{"type":"image","src":"asset:logo.webp"}]}"#)
        var options = RenderOptions()
        options.limits.maxImages = 1
        await #expect(throws: RenderError.tooManyImages(count: 2, limit: 1)) {
            _ = try await Fixture.engine.renderPDF(document: doc, data: .object([:]), images: Fixture.assets, options: options)
        }
        options.limits.maxImages = 2
        _ = try await Fixture.engine.renderPDF(document: doc, data: .object([:]), images: Fixture.assets, options: options)
    }

    @Test("images whose decoded pixels add up past the budget are image_pixel_budget_exceeded")
    func pixelBudget() async throws {
        let doc = try document(#"{"blocks":[{"type":"image","src":"asset:logo.png"},{"type":"image","src":"asset:photo.jpg"}]}"#)
        var options = RenderOptions()
        options.limits.maxTotalImagePixels = 1_000
        await #expect(throws: RenderError.imagePixelBudgetExceeded(limit: 1_000)) {
            _ = try await Fixture.engine.renderPDF(document: doc, data: .object([:]), images: Fixture.assets, options: options)
        }
    }

    @Test("a PNG page over the output pixel cap is output_too_large, before the surface is allocated")
    func outputPixels() async throws {
        let doc = try document(#"{"page":{"size":{"width":5000,"height":5000}},"blocks":[{"type":"paragraph","text":"big"}]}"#)
        await #expect(throws: RenderError.self) {
            _ = try await Fixture.engine.renderPNG(document: doc, data: .object([:]), page: 1, dpi: 300)
        }
        do {
            _ = try await Fixture.engine.renderPNG(document: doc, data: .object([:]), page: 1, dpi: 300)
        } catch let error as RenderError {
            #expect(error.code == "output_too_large")
        }
        _ = try await Fixture.engine.renderPNG(document: doc, data: .object([:]), page: 1, dpi: 18)
    }

    @Test("a layout nested past the layout limit is an invalid document naming where")
    func nesting() throws {
        var block = #"{"type":"paragraph","text":"deep"}"#
        for _ in 0..<40 { block = #"{"type":"group","blocks":[\#(block)]}"# }
        #expect(throws: RenderError.self) { try document(#"{"blocks":[\#(block)]}"#) }
        do {
            _ = try document(#"{"blocks":[\#(block)]}"#)
        } catch let error as RenderError {
            #expect(error.description.contains("Nested deeper than 64 levels"))
            #expect(error.description.contains("blocks[0].blocks[0]"))
        }
    }
}

@Suite("Watermark")
struct WatermarkTests {
    @Test("a watermark is drawn on every page and reads as text; without one the output has none")
    func everyPage() async throws {
        let doc = try DocumentDecoder.decode(
            Data(#"{"blocks":[{"type":"paragraph","text":"first page"},{"type":"pageBreak"},{"type":"paragraph","text":"second page"}]}"#.utf8))
        let marked = try await Fixture.engine.renderPDF(document: doc, data: .object([:]), options: RenderOptions(watermark: "TEST"))
        #expect(marked.pageCount == 2)
        for page in 1...2 {
            // pdftotext splits diagonal text into lines; the letters are there in order.
            let text = try Tool.text(marked.bytes, page: page).filter { !$0.isWhitespace }
            #expect(text.contains("TEST"), "page \(page): \(text)")
        }
        let clean = try await Fixture.engine.renderPDF(document: doc, data: .object([:]))
        #expect(!(try Tool.text(clean.bytes)).filter { !$0.isWhitespace }.contains("TEST"))
    }
}
