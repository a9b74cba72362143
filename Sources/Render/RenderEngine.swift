import CPangoCairo
import CRenderSupport
import Core
import Foundation

/// A rendered PDF.
public struct RenderedPDF: Sendable, Equatable {
    public let bytes: Data
    public let pageCount: Int
    /// What the PDF shows that the document did not mean: characters no font covers (boxes).
    public var warnings: [RenderWarning] = []
}

/// A problem with a finished render that did not stop it (stored with the render, returned by the API).
public struct RenderWarning: Sendable, Equatable, Codable {
    /// Stable code: `font_coverage`.
    public var code: String
    public var message: String

    public init(code: String, message: String) {
        self.code = code
        self.message = message
    }

    /// Characters that print as boxes, named by code point (at most 20 listed).
    static func fontCoverage(_ characters: Set<Unicode.Scalar>) -> RenderWarning? {
        guard !characters.isEmpty else { return nil }
        let sorted = characters.sorted { $0.value < $1.value }
        let listed = sorted.prefix(20).map { String(format: "U+%04X", $0.value) }.joined(separator: " ")
        let more = sorted.count > 20 ? " and \(sorted.count - 20) more" : ""
        return RenderWarning(
            code: "font_coverage", message: "\(sorted.count) character(s) have no installed font and print as boxes: \(listed)\(more).")
    }
}

/// A rendered PNG preview of one page.
public struct RenderedPNG: Sendable, Equatable {
    public let bytes: Data
    /// 1-based page number.
    public let page: Int
    public let pageCount: Int
    public let width: Int
    public let height: Int
}

/// The render engine: document + data + fonts + image loader in, PDF or PNG bytes out.
///
/// One engine serves any number of concurrent renders. Each render checks out a private workspace
/// (Pango font map, context and caches; Pango objects are not thread-safe) and returns it afterwards,
/// so the expensive font set-up happens once per concurrent render, not once per render.
public final class RenderEngine: @unchecked Sendable {
    public struct Configuration: Sendable {
        /// Font files (TTF/OTF) registered in addition to the system fonts (fontconfig).
        public var fontFiles: [String]
        /// Family used when the document names none.
        public var defaultFontFamily: String
        /// Idle workspaces kept for reuse.
        public var maxIdleWorkspaces: Int
        public init(fontFiles: [String] = [], defaultFontFamily: String = "Noto Sans", maxIdleWorkspaces: Int = 8) {
            self.fontFiles = fontFiles
            self.defaultFontFamily = defaultFontFamily
            self.maxIdleWorkspaces = maxIdleWorkspaces
        }
    }

    public let configuration: Configuration
    private let lock = NSLock()
    private var idle: [Workspace] = []
    private var fontFiles: [String] = []
    private var fontConfig: OpaquePointer?
    private var generation = 0
    /// PNG and WebP pixels decoded by earlier renders (logos, signatures): 16 MB at most.
    let decodedImages = DecodedImageCache(budgetBytes: 16 << 20)

    /// Fonts with a CFF table of this size or more (Noto CJK's is 16 MB) are embedded from the outlines of
    /// the glyphs used rather than through Cairo's CFF subsetter, which copies and parses the whole table
    /// for every PDF (CRenderSupport/font_outline_embedding.c explains the trade). Smaller CFF fonts keep
    /// Cairo's subsetter.
    static let outlineEmbeddingMinCFFBytes: UInt = 1 << 20

    public init(configuration: Configuration = Configuration()) throws {
        self.configuration = configuration
        ck_embed_large_cff_fonts_from_outlines(Self.outlineEmbeddingMinCFFBytes)
        if !configuration.fontFiles.isEmpty { try registerFontFiles(configuration.fontFiles) }
    }

    deinit {
        idle.removeAll()
        if let fontConfig { FcConfigDestroy(fontConfig) }
    }

    /// Registers font files (e.g. a project's brand fonts) for all later renders.
    public func registerFontFiles(_ paths: [String]) throws {
        guard !paths.isEmpty else { return }
        lock.lock()
        defer { lock.unlock() }
        guard let config = FcInitLoadConfigAndFonts() else { throw RenderError.invalidFontFile(paths[0]) }
        for path in fontFiles + paths {
            guard FileManager.default.fileExists(atPath: path), FcConfigAppFontAddFile(config, path) != 0 else {
                FcConfigDestroy(config)
                throw RenderError.invalidFontFile(path)
            }
        }
        fontFiles += paths
        if let old = fontConfig { FcConfigDestroy(old) }
        fontConfig = config
        generation += 1
        idle.removeAll()
    }

    func checkout() -> Workspace {
        lock.lock()
        defer { lock.unlock() }
        if let ws = idle.popLast() { return ws }
        return Workspace(fontConfig: fontConfig, generation: generation)
    }

    func checkin(_ ws: Workspace) {
        lock.lock()
        defer { lock.unlock() }
        if ws.generation == generation, idle.count < configuration.maxIdleWorkspaces { idle.append(ws) }
    }

    /// Renders a PDF. Throws `RenderError` (or `CancellationError`).
    public func renderPDF(
        document: Document, data: JSONValue, images: any ImageLoader = NoImageLoader(),
        options: RenderOptions = RenderOptions()
    ) async throws -> RenderedPDF {
        let ws = checkout()
        defer { checkin(ws) }
        var laid = try await layOut(document: document, data: data, images: images, options: options, ws: ws)
        laid.watermark = options.watermark
        laid.tagging = PDFTagging.Settings(document)
        var pdf = try laid.writePDF(options: options)
        let conformance = options.pdfa ?? document.pdf?.pdfa
        if conformance != nil || !options.attachments.isEmpty || laid.tagging != nil {
            if conformance == .a2b, !options.attachments.isEmpty {
                throw RenderError.invalidDocument("embedded files need PDF/A-3b (pdfa \"3b\") or no PDF/A level; PDF/A-2b forbids them")
            }
            do {
                let bytes = try PDFArchive.finish(
                    Array(pdf.bytes), conformance: conformance, attachments: options.attachments, universalAccess: laid.tagging != nil)
                pdf = RenderedPDF(bytes: Data(bytes), pageCount: pdf.pageCount)
            } catch let error as PDFFileError {
                throw RenderError.outputFailed("archiving: \(error)")
            }
        }
        pdf.warnings = [RenderWarning.fontCoverage(laid.uncoveredCharacters())].compactMap { $0 }
        return pdf
    }

    /// Renders page `page` (1-based) as a PNG at `dpi` (18–600).
    public func renderPNG(
        document: Document, data: JSONValue, page: Int = 1, dpi: Double = 96, images: any ImageLoader = NoImageLoader(),
        options: RenderOptions = RenderOptions()
    ) async throws -> RenderedPNG {
        try await renderPNGPages(document: document, data: data, pages: page...page, dpi: dpi, images: images, options: options)[0]
    }

    /// Renders the pages in `pages` (1-based, clamped to the document) as PNGs from one layout: a share
    /// page's images cost one layout per batch rather than one per page.
    public func renderPNGPages(
        document: Document, data: JSONValue, pages: ClosedRange<Int>, dpi: Double, images: any ImageLoader = NoImageLoader(),
        options: RenderOptions = RenderOptions()
    ) async throws -> [RenderedPNG] {
        guard (18...600).contains(dpi) else { throw RenderError.invalidDocument("dpi must be between 18 and 600") }
        let ws = checkout()
        defer { checkin(ws) }
        var laid = try await layOut(document: document, data: data, images: images, options: options, ws: ws)
        laid.watermark = options.watermark
        let last = min(pages.upperBound, laid.pages.count)
        guard pages.lowerBound >= 1, pages.lowerBound <= last else {
            throw RenderError.pageOutOfRange(page: pages.lowerBound, pageCount: laid.pages.count)
        }
        return try (pages.lowerBound...last).map { try laid.writePNG(page: $0, dpi: dpi, maxPixels: options.limits.maxOutputPixels) }
    }

    /// Lint with this engine's fonts (see `Linter`).
    public func lint(_ document: Document, manifest: Manifest? = nil) -> [LintIssue] {
        let ws = checkout()
        defer { checkin(ws) }
        return Linter.lint(document, manifest: manifest, workspace: ws)
    }

    // MARK: pipeline

    func layOut(document: Document, data: JSONValue, images: any ImageLoader, options: RenderOptions, ws: Workspace) async throws -> LaidOutDocument {
        let limits = options.limits
        let deadline = ContinuousClock.now + limits.timeout
        let formatting = ws.formatting(locale: options.locale ?? document.locale ?? "en-US", timeZone: options.timeZone)
        let resolver = Resolver(
            document: document, data: data, formatting: formatting, limits: limits, deadline: deadline,
            defaultFamily: configuration.defaultFontFamily)
        let body = try resolver.resolveBody()
        let header = try DecorationVariants(document.header, resolver: resolver)
        let footer = try DecorationVariants(document.footer, resolver: resolver)
        let meta = PDFMetadata(
            title: try resolver.bind(document.meta?.title), author: try resolver.bind(document.meta?.author),
            subject: try resolver.bind(document.meta?.subject), keywords: try resolver.bind(document.meta?.keywords),
            creator: try resolver.bind(document.meta?.creator ?? "Craftkit Server"))
        for family in resolver.families.sorted() { try ws.checkFamily(family) }

        let loaded = try await loadImages(resolver.images, loader: images, limits: limits, deadline: deadline)

        // Page frame.
        guard let paper = (document.page?.size ?? .named("A4")).dimensions, paper.width > 0, paper.height > 0 else {
            throw RenderError.invalidDocument("unknown paper size")
        }
        var pw = paper.width, ph = paper.height
        if (document.page?.orientation ?? .portrait) == .landscape, pw < ph { swap(&pw, &ph) }
        guard pw <= 14400, ph <= 14400 else { throw RenderError.invalidDocument("page larger than 200 inches") }
        let m = document.page?.margins ?? Margins(all: .mm(20))
        let contentWidth = pw - m.left.points - m.right.points
        let contentHeight = ph - m.top.points - m.bottom.points
        guard contentWidth >= 36, contentHeight >= 36 else { throw RenderError.invalidDocument("margins leave no room for content") }

        let decoEngine = LayoutEngine(ws: ws, images: loaded, bodyHeight: contentHeight, deadline: deadline, timeout: limits.timeout)
        let headerH = try header?.reservedHeight(engine: decoEngine, x: m.left.points, width: contentWidth) ?? 0
        let footerH = try footer?.reservedHeight(engine: decoEngine, x: m.left.points, width: contentWidth) ?? 0
        let bodyTop = m.top.points + headerH
        let bodyHeight = contentHeight - headerH - footerH
        guard bodyHeight >= 72 else { throw RenderError.invalidDocument("header and footer leave less than 1 inch for the body") }

        let engine = LayoutEngine(ws: ws, images: loaded, bodyHeight: bodyHeight, deadline: deadline, timeout: limits.timeout)
        let chunks = try engine.chunks(body, x: m.left.points, width: contentWidth)
        let pages = try paginate(chunks, headers: engine.headers, bodyTop: bodyTop, bodyHeight: bodyHeight, limits: limits, deadline: deadline)
        return LaidOutDocument(
            width: pw, height: ph, pages: pages, header: header, footer: footer, decoEngine: decoEngine, marginLeft: m.left.points,
            contentWidth: contentWidth, headerTop: m.top.points, footerBottom: ph - m.bottom.points, meta: meta,
            deadline: deadline, timeout: limits.timeout)
    }

    func loadImages(
        _ wanted: Set<BoundImage>, loader: any ImageLoader, limits: RenderLimits, deadline: ContinuousClock.Instant
    ) async throws -> [BoundImage: LoadedImage] {
        guard !wanted.isEmpty else { return [:] }
        guard wanted.count <= limits.maxImages else { throw RenderError.tooManyImages(count: wanted.count, limit: limits.maxImages) }
        var bytes: [BoundImage: Data] = [:]
        var remote: [ImageSource] = []
        for w in wanted {
            switch w {
            case .inline(let d): bytes[w] = d
            case .source(let s): remote.append(s)
            }
        }
        if !remote.isEmpty {
            let timeout = limits.timeout
            let fetched = try await withThrowingTaskGroup(of: (ImageSource, Data)?.self) { group in
                for s in remote {
                    group.addTask {
                        do {
                            return (s, try await loader.load(s))
                        } catch let e as RenderError {
                            throw e
                        } catch is CancellationError {
                            throw CancellationError()
                        } catch {
                            throw RenderError.imageUnavailable(source: s.description, reason: String(describing: error))
                        }
                    }
                }
                group.addTask {
                    try await Task.sleep(until: deadline, clock: .continuous)
                    throw RenderError.timeout(seconds: timeout.seconds)
                }
                var out: [ImageSource: Data] = [:]
                while out.count < remote.count, let r = try await group.next() {
                    if let (s, d) = r { out[s] = d }
                }
                group.cancelAll()
                return out
            }
            for (s, d) in fetched { bytes[.source(s)] = d }
        }
        var loaded: [BoundImage: LoadedImage] = [:]
        var pixels = 0
        for (k, d) in bytes.sorted(by: { $0.key.label < $1.key.label }) {
            let image = try LoadedImage.decode(d, source: k.label, limits: limits, cache: decodedImages)
            pixels += image.pixelWidth * image.pixelHeight
            guard pixels <= limits.maxTotalImagePixels else { throw RenderError.imagePixelBudgetExceeded(limit: limits.maxTotalImagePixels) }
            loaded[k] = image
        }
        return loaded
    }
}

extension LaidOutDocument {
    /// Characters of the body that no font covers. Headers and footers are left out: they are laid out
    /// while drawing, and their text is mostly the template's own, which the publish lint checks.
    func uncoveredCharacters() -> Set<Unicode.Scalar> {
        var found: Set<Unicode.Scalar> = []
        var seen: Set<ObjectIdentifier> = []
        for page in pages {
            for op in page {
                if case .text(let layout, _, _, _) = op, seen.insert(ObjectIdentifier(layout)).inserted {
                    found.formUnion(layout.uncoveredCharacters)
                }
            }
        }
        return found
    }
}

struct PDFMetadata {
    var title, author, subject, keywords, creator: String
}
