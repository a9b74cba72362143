import Foundation

/// Hard limits of one render; each one exceeded is a typed `RenderError`.
public struct RenderLimits: Sendable, Equatable {
    /// Pages per document (default 2,000).
    public var maxPages: Int
    /// Items per loop (default 10,000).
    public var maxLoopItems: Int
    /// Bytes per image (default 10 MiB).
    public var maxImageBytes: Int
    /// Pixels per image (default 40 megapixels).
    public var maxImagePixels: Int
    /// Distinct images per render (default 200): each one is a fetch and a decode.
    public var maxImages: Int
    /// Decoded pixels of all images of one render together (default 150 megapixels, about 600 MB of
    /// pixels): many images each under `maxImagePixels` must not add up to an out-of-memory.
    public var maxTotalImagePixels: Int
    /// Pixels of one PNG page (default 40 megapixels: an A4 page at 600 dpi is 35).
    public var maxOutputPixels: Int
    /// Wall time of the whole render, image loading included (default 60 s).
    public var timeout: Duration

    public init(
        maxPages: Int = 2_000, maxLoopItems: Int = 10_000, maxImageBytes: Int = 10 * 1024 * 1024,
        maxImagePixels: Int = 40_000_000, maxImages: Int = 200, maxTotalImagePixels: Int = 150_000_000,
        maxOutputPixels: Int = 40_000_000, timeout: Duration = .seconds(60)
    ) {
        self.maxPages = maxPages
        self.maxLoopItems = maxLoopItems
        self.maxImageBytes = maxImageBytes
        self.maxImagePixels = maxImagePixels
        self.maxImages = maxImages
        self.maxTotalImagePixels = maxTotalImagePixels
        self.maxOutputPixels = maxOutputPixels
        self.timeout = timeout
    }
}

/// Per-render options.
public struct RenderOptions: Sendable, Equatable {
    /// Overrides the document's `locale` for formatters.
    public var locale: String?
    /// Time zone for `datetime` values (date-only values never shift); UTC by default.
    public var timeZone: TimeZone
    /// The PDF's CreationDate/ModDate. Fixed (2000-01-01T00:00:00Z) by default so that the same input
    /// gives the same bytes; pass the render record's creation time for a meaningful date.
    public var creationDate: Date
    public var limits: RenderLimits
    /// Text drawn large, light and diagonally across every page (renders made with a test key carry
    /// "TEST"), over the content so that it cannot be hidden by it.
    public var watermark: String?
    /// PDF/A level of this render, over the document's `pdf.pdfa` default.
    public var pdfa: PDFAConformance?
    /// Files embedded in the PDF (with PDF/A, only under PDF/A-3b).
    public var attachments: [EmbeddedFile] = []

    public init(
        locale: String? = nil, timeZone: TimeZone = TimeZone(identifier: "UTC")!, creationDate: Date = Date(timeIntervalSince1970: 946_684_800),
        limits: RenderLimits = RenderLimits(), watermark: String? = nil
    ) {
        self.locale = locale
        self.timeZone = timeZone
        self.creationDate = creationDate
        self.limits = limits
        self.watermark = watermark
    }
}
