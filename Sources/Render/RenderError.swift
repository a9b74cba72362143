import Foundation

/// Every way a render can fail. Each case has a stable `code` for error envelopes and render records.
public enum RenderError: Error, Sendable, Equatable, CustomStringConvertible {
    /// The document JSON is not a valid document (decoding failed or a value is out of range).
    case invalidDocument(String)
    /// More pages than `RenderLimits.maxPages`.
    case tooManyPages(limit: Int)
    /// A loop array longer than `RenderLimits.maxLoopItems`.
    case tooManyLoopItems(loop: String, count: Int, limit: Int)
    /// Image bytes over `RenderLimits.maxImageBytes`.
    case imageTooLarge(source: String, bytes: Int, limit: Int)
    /// Image pixels over `RenderLimits.maxImagePixels`.
    case imageTooManyPixels(source: String, width: Int, height: Int, limit: Int)
    /// More distinct images than `RenderLimits.maxImages`.
    case tooManyImages(count: Int, limit: Int)
    /// The images' decoded pixels add up to more than `RenderLimits.maxTotalImagePixels`.
    case imagePixelBudgetExceeded(limit: Int)
    /// A PNG page larger than `RenderLimits.maxOutputPixels` (a huge page size at a high dpi).
    case outputTooLarge(width: Int, height: Int, limit: Int)
    /// Not PNG, JPEG or WebP.
    case unsupportedImage(source: String)
    /// PNG/JPEG/WebP that does not decode.
    case brokenImage(source: String, reason: String)
    /// The image loader could not deliver the bytes (network, missing asset). May be transient.
    case imageUnavailable(source: String, reason: String)
    /// A file a render embeds by URL could not be fetched (retried like an image).
    case attachmentUnavailable(filename: String)
    /// A `{{value | name}}` with a formatter the engine does not know.
    case unknownFormatter(String)
    /// A known formatter with a bad argument (`money:EURO`, `number:x`).
    case invalidFormatterArgument(formatter: String, argument: String)
    /// A font family that no installed or registered font provides.
    case unknownFont(String)
    /// A font file that could not be registered.
    case invalidFontFile(String)
    /// The render took longer than `RenderLimits.timeout`.
    case timeout(seconds: Double)
    /// A PNG preview of a page the document does not have.
    case pageOutOfRange(page: Int, pageCount: Int)
    /// Cairo reported an error while writing output.
    case outputFailed(String)

    /// Stable machine-readable code.
    public var code: String {
        switch self {
        case .invalidDocument: return "invalid_document"
        case .tooManyPages: return "too_many_pages"
        case .tooManyLoopItems: return "too_many_loop_items"
        case .imageTooLarge: return "image_too_large"
        case .imageTooManyPixels: return "image_too_many_pixels"
        case .tooManyImages: return "too_many_images"
        case .imagePixelBudgetExceeded: return "image_pixel_budget_exceeded"
        case .outputTooLarge: return "output_too_large"
        case .unsupportedImage: return "unsupported_image"
        case .brokenImage: return "broken_image"
        case .imageUnavailable: return "image_unavailable"
        case .attachmentUnavailable: return "attachment_unavailable"
        case .unknownFormatter: return "unknown_formatter"
        case .invalidFormatterArgument: return "invalid_formatter_argument"
        case .unknownFont: return "unknown_font"
        case .invalidFontFile: return "invalid_font_file"
        case .timeout: return "render_timeout"
        case .pageOutOfRange: return "page_out_of_range"
        case .outputFailed: return "output_failed"
        }
    }

    /// Whether retrying the same render may succeed (an image host that timed out), as opposed to a
    /// problem with the template or the data.
    public var isTransient: Bool {
        switch self {
        case .imageUnavailable, .attachmentUnavailable, .timeout: return true
        default: return false
        }
    }

    /// A message a partner can act on.
    public var description: String {
        switch self {
        case .invalidDocument(let m): return "Invalid document: \(m)"
        case .tooManyPages(let l): return "The document has more than \(l) pages."
        case .tooManyLoopItems(let loop, let n, let l): return "Loop \"\(loop)\" has \(n) items; the limit is \(l)."
        case .imageTooLarge(let s, let b, let l): return "Image \(s) is \(b) bytes; the limit is \(l)."
        case .imageTooManyPixels(let s, let w, let h, let l): return "Image \(s) is \(w)x\(h) pixels; the limit is \(l) pixels."
        case .tooManyImages(let n, let l): return "The document uses \(n) images; the limit is \(l)."
        case .imagePixelBudgetExceeded(let l): return "The document's images add up to more than \(l) pixels."
        case .outputTooLarge(let w, let h, let l): return "A \(w)x\(h) pixel page is larger than the limit of \(l) pixels; lower the dpi."
        case .unsupportedImage(let s): return "Image \(s) is not PNG, JPEG or WebP."
        case .brokenImage(let s, let r): return "Image \(s) could not be decoded: \(r)."
        case .imageUnavailable(let s, let r): return "Image \(s) could not be loaded: \(r)."
        case .attachmentUnavailable(let name): return "Attachment \(name) could not be fetched from its URL."
        case .unknownFormatter(let n): return "Unknown formatter \"\(n)\"; known: \(Formatters.names.sorted().joined(separator: ", "))."
        case .invalidFormatterArgument(let f, let a): return "Formatter \"\(f)\" does not accept \"\(a)\"."
        case .unknownFont(let f): return "No installed or registered font provides the family \"\(f)\"."
        case .invalidFontFile(let p): return "Font file \(p) could not be registered."
        case .timeout(let s): return "The render took longer than \(s) seconds."
        case .pageOutOfRange(let p, let n): return "Page \(p) does not exist; the document has \(n) pages."
        case .outputFailed(let m): return "Writing the output failed: \(m)."
        }
    }
}
