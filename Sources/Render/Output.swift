import CPangoCairo
import Foundation

/// Collects the bytes Cairo writes.
final class ByteSink {
    var bytes: [UInt8] = []
}

private let sinkWrite: cairo_write_func_t = { closure, data, length in
    guard let closure, let data else { return CAIRO_STATUS_WRITE_ERROR }
    let sink = Unmanaged<ByteSink>.fromOpaque(closure).takeUnretainedValue()
    sink.bytes.append(contentsOf: UnsafeBufferPointer(start: data, count: Int(length)))
    return CAIRO_STATUS_SUCCESS
}

/// A paginated document, ready to be drawn.
struct LaidOutDocument {
    var width: Double
    var height: Double
    var pages: [[DrawOp]]
    var header: DecorationVariants?
    var footer: DecorationVariants?
    var decoEngine: LayoutEngine
    var marginLeft: Double
    var contentWidth: Double
    var headerTop: Double
    var footerBottom: Double
    var meta: PDFMetadata
    var deadline: ContinuousClock.Instant
    var timeout: Duration
    /// See `RenderOptions.watermark`.
    var watermark: String?
    /// Tagged PDF (structure tree, artifacts, language); nil for an untagged one.
    var tagging: PDFTagging.Settings?

    /// Header/footer chunks per variant when they do not depend on the page number.
    final class DecorationCache {
        var chunks: [String: Chunk] = [:]
    }

    func decoration(_ v: DecorationVariants?, page: Int, cache: DecorationCache, key: String) throws -> Chunk? {
        guard let v else { return nil }
        let (blocks, variant) = v.blocks(page: page, pages: pages.count)
        let cacheKey = "\(key)\(variant)"
        if let c = cache.chunks[cacheKey] { return c }
        let (bound, changed) = substitutePageTokens(blocks, page: String(page), pages: String(pages.count))
        let c = merge(try decoEngine.chunks(bound, x: marginLeft, width: contentWidth))
        if !changed { cache.chunks[cacheKey] = c }
        return c
    }

    /// The header's and the footer's operations on page `index` (0-based), placed on the page.
    func decorationOps(page index: Int, cache: DecorationCache) throws -> (header: [DrawOp], footer: [DrawOp]) {
        let h = try decoration(header, page: index + 1, cache: cache, key: "h")
        let f = try decoration(footer, page: index + 1, cache: cache, key: "f")
        return (h?.ops.map { $0.shifted(headerTop) } ?? [], f.map { f in f.ops.map { $0.shifted(footerBottom - f.height) } } ?? [])
    }

    func draw(page index: Int, cr: OpaquePointer, cache: DecorationCache, tags: TagWriter? = nil) throws {
        if ContinuousClock.now > deadline { throw RenderError.timeout(seconds: timeout.seconds) }
        let decorations = try decorationOps(page: index, cache: cache)
        // Headers, footers (page numbers included) and the watermark are artifacts in a tagged PDF.
        drawOps(tags == nil ? decorations.header : artifact(decorations.header), cr, tags: tags)
        drawOps(pages[index], cr, tags: tags)
        drawOps(tags == nil ? decorations.footer : artifact(decorations.footer), cr, tags: tags)
        if let watermark, !watermark.isEmpty {
            tags?.begin(.artifact, cr)
            drawWatermark(watermark, cr)
            tags?.end(.artifact, cr)
        }
    }

    /// The watermark along the page's diagonal, centred, about a quarter of the diagonal tall per
    /// line, in translucent red: visible on any content, still readable underneath.
    func drawWatermark(_ text: String, _ cr: OpaquePointer) {
        cairo_save(cr)
        cairo_select_font_face(cr, "Noto Sans", CAIRO_FONT_SLANT_NORMAL, CAIRO_FONT_WEIGHT_BOLD)
        let diagonal = (width * width + height * height).squareRoot()
        cairo_set_font_size(cr, 100)
        var extents = cairo_text_extents_t()
        cairo_text_extents(cr, text, &extents)
        // Sized so the text spans about 60 % of the diagonal.
        let size = 100 * diagonal * 0.6 / max(extents.x_advance, 1)
        cairo_set_font_size(cr, size)
        cairo_text_extents(cr, text, &extents)
        cairo_translate(cr, width / 2, height / 2)
        cairo_rotate(cr, -atan2(height, width))
        cairo_set_source_rgba(cr, 0.85, 0.1, 0.1, 0.2)
        cairo_move_to(cr, -(extents.x_bearing + extents.width / 2), -(extents.y_bearing + extents.height / 2))
        cairo_show_text(cr, text)
        cairo_restore(cr)
    }

    func drawOps(_ ops: [DrawOp], _ cr: OpaquePointer, tags: TagWriter? = nil) {
        // Consecutive lines of one colour and width go out as one path and one stroke (a bordered table
        // row is a dozen lines; one stroke each makes Cairo redo clip and extents work per line).
        var pendingLine: (color: RGBA, width: Double)?
        func flushLines() {
            guard let p = pendingLine else { return }
            cairo_set_source_rgba(cr, p.color.r, p.color.g, p.color.b, p.color.a)
            cairo_set_line_width(cr, p.width)
            cairo_stroke(cr)
            pendingLine = nil
        }
        // Tagged: an artifact that ends where the next begins (a table row's rules, the next row's background)
        // goes on as one: half the elements Cairo creates and the tagging pass removes.
        var continuedArtifact = false
        for (index, op) in ops.enumerated() {
            if tags != nil, case .endTag(let tag) = op, tag == .artifact, index + 1 < ops.count, case .beginTag(.artifact) = ops[index + 1] {
                continuedArtifact = true
                continue
            }
            if continuedArtifact, case .beginTag = op {
                continuedArtifact = false
                continue
            }
            if case .line(let x1, let y1, let x2, let y2, let c, let w) = op {
                if let p = pendingLine, p.color != c || p.width != w { flushLines() }
                pendingLine = (c, w)
                cairo_move_to(cr, x1, y1)
                cairo_line_to(cr, x2, y2)
                continue
            }
            // Untagged, structure tags are no ops and must not split a batch of lines.
            if tags == nil {
                if case .beginTag = op { continue }
                if case .endTag = op { continue }
            }
            flushLines()
            switch op {
            case .text(let l, let x, let y, let lines):
                cairo_set_source_rgba(cr, l.color.r, l.color.g, l.color.b, l.color.a)
                for i in lines where i < l.lines.count {
                    let line = l.lines[i]
                    cairo_move_to(cr, x + line.x, y + line.baseline)
                    pango_cairo_show_layout_line(cr, line.line)
                }
            case .fill(let x, let y, let w, let h, let c):
                cairo_set_source_rgba(cr, c.r, c.g, c.b, c.a)
                cairo_rectangle(cr, x, y, w, h)
                cairo_fill(cr)
            case .line:
                break
            case .image(let img, let x, let y, let w, let h, let clip):
                cairo_save(cr)
                if let clip {
                    cairo_rectangle(cr, clip.x, clip.y, clip.w, clip.h)
                    cairo_clip(cr)
                }
                cairo_translate(cr, x, y)
                cairo_scale(cr, w / Double(img.pixelWidth), h / Double(img.pixelHeight))
                cairo_set_source_surface(cr, img.surface, 0, 0)
                cairo_pattern_set_filter(cairo_get_source(cr), CAIRO_FILTER_GOOD)
                cairo_rectangle(cr, 0, 0, Double(img.pixelWidth), Double(img.pixelHeight))
                cairo_fill(cr)
                cairo_restore(cr)
            case .link(let x, let y, let w, let h, let uri):
                let escaped = uri.replacingOccurrences(of: "\\", with: "\\\\").replacingOccurrences(of: "'", with: "\\'")
                let attrs = String(format: "rect=[%.2f %.2f %.2f %.2f] uri='%@'", x, y, w, h, escaped)
                cairo_tag_begin(cr, CAIRO_TAG_LINK, attrs)
                cairo_tag_end(cr, CAIRO_TAG_LINK)
                tags?.linkDrawn()
            case .beginTag(let tag):
                tags?.begin(tag, cr)
            case .endTag(let tag):
                tags?.end(tag, cr)
            }
        }
        flushLines()
    }

    static func pdfDate(_ d: Date) -> String {
        var cal = Calendar(identifier: .gregorian)
        cal.timeZone = TimeZone(identifier: "UTC")!
        let c = cal.dateComponents([.year, .month, .day, .hour, .minute, .second], from: d)
        return String(format: "%04d-%02d-%02dT%02d:%02d:%02dZ", c.year ?? 2000, c.month ?? 1, c.day ?? 1, c.hour ?? 0, c.minute ?? 0, c.second ?? 0)
    }

    func writePDF(options: RenderOptions) throws -> RenderedPDF {
        let sink = ByteSink()
        sink.bytes.reserveCapacity(32 * 1024)
        let box = Unmanaged.passRetained(sink)
        defer { box.release() }
        guard let surface = cairo_pdf_surface_create_for_stream(sinkWrite, box.toOpaque(), width, height) else {
            throw RenderError.outputFailed("cannot create PDF surface")
        }
        defer { cairo_surface_destroy(surface) }
        let date = LaidOutDocument.pdfDate(options.creationDate)
        let fields: [(cairo_pdf_metadata_t, String)] = [
            (CAIRO_PDF_METADATA_TITLE, meta.title), (CAIRO_PDF_METADATA_AUTHOR, meta.author), (CAIRO_PDF_METADATA_SUBJECT, meta.subject),
            (CAIRO_PDF_METADATA_KEYWORDS, meta.keywords), (CAIRO_PDF_METADATA_CREATOR, meta.creator),
            (CAIRO_PDF_METADATA_CREATE_DATE, date), (CAIRO_PDF_METADATA_MOD_DATE, date),
        ]
        for (k, v) in fields where !v.isEmpty { cairo_pdf_surface_set_metadata(surface, k, v) }
        guard let cr = cairo_create(surface) else { throw RenderError.outputFailed("cannot create context") }
        let cache = DecorationCache()
        let tags = tagging.map { TagWriter(language: $0.language) }
        // One root element (PDF/UA): the tree's top is a Document holding the body's elements.
        if let tags { tags.begin(StructTag(role: "Document"), cr) }
        do {
            for i in pages.indices {
                try draw(page: i, cr: cr, cache: cache, tags: tags)
                if i == pages.count - 1 { tags?.closeAll(cr) }
                cairo_show_page(cr)
            }
        } catch {
            cairo_destroy(cr)
            throw error
        }
        let status = cairo_status(cr)
        cairo_destroy(cr)
        cairo_surface_finish(surface)
        let s2 = cairo_surface_status(surface)
        guard status == CAIRO_STATUS_SUCCESS, s2 == CAIRO_STATUS_SUCCESS else {
            throw RenderError.outputFailed(String(cString: cairo_status_to_string(status != CAIRO_STATUS_SUCCESS ? status : s2)))
        }
        PDFRepair.fixDanglingXrefEntries(&sink.bytes)
        var bytes = PDFFontSlimmer.slim(sink.bytes)
        if let tagging, let tags { bytes = PDFTagging.finish(bytes, attributes: tags.attributes, settings: tagging) }
        return RenderedPDF(bytes: Data(bytes), pageCount: pages.count)
    }

    func writePNG(page: Int, dpi: Double, maxPixels: Int) throws -> RenderedPNG {
        guard page >= 1, page <= pages.count else { throw RenderError.pageOutOfRange(page: page, pageCount: pages.count) }
        let scale = dpi / 72
        // Checked in Double before narrowing: a huge page size must not overflow Int32.
        let w = (width * scale).rounded(), h = (height * scale).rounded()
        guard w * h <= Double(maxPixels) else {
            throw RenderError.outputTooLarge(width: Int(min(w, 1e12)), height: Int(min(h, 1e12)), limit: maxPixels)
        }
        let pxW = Int32(w), pxH = Int32(h)
        for op in pages[page - 1] { if case .image(let img, _, _, _, _, _) = op { try img.decodePixelsIfNeeded() } }
        guard let surface = cairo_image_surface_create(CAIRO_FORMAT_RGB24, pxW, pxH) else { throw RenderError.outputFailed("cannot create image") }
        defer { cairo_surface_destroy(surface) }
        guard let cr = cairo_create(surface) else { throw RenderError.outputFailed("cannot create context") }
        defer { cairo_destroy(cr) }
        cairo_set_source_rgb(cr, 1, 1, 1)
        cairo_paint(cr)
        cairo_scale(cr, scale, scale)
        let cache = DecorationCache()
        // Header/footer images are drawn too; make sure their JPEG pixels exist.
        for key in ["h", "f"] {
            let v = key == "h" ? header : footer
            if let c = try decoration(v, page: page, cache: cache, key: key) {
                for op in c.ops { if case .image(let img, _, _, _, _, _) = op { try img.decodePixelsIfNeeded() } }
            }
        }
        try draw(page: page - 1, cr: cr, cache: cache)
        cairo_surface_flush(surface)
        let sink = ByteSink()
        let box = Unmanaged.passRetained(sink)
        defer { box.release() }
        let status = cairo_surface_write_to_png_stream(surface, sinkWrite, box.toOpaque())
        guard status == CAIRO_STATUS_SUCCESS else { throw RenderError.outputFailed(String(cString: cairo_status_to_string(status))) }
        return RenderedPNG(bytes: Data(sink.bytes), page: page, pageCount: pages.count, width: Int(pxW), height: Int(pxH))
    }
}
