import CPangoCairo
import Foundation

/// A decoded image as a Cairo surface. JPEGs carry their original bytes as MIME data, so the PDF
/// embeds the JPEG stream unchanged; their pixels are decoded only for PNG output.
final class LoadedImage: @unchecked Sendable {
    let surface: OpaquePointer
    let pixelWidth: Int
    let pixelHeight: Int
    let format: ImageFormat
    private let jpegBytes: Data?
    private var pixelsDecoded: Bool
    /// Cached pixels this image's surface reads from (kept alive as long as the surface).
    private let sharedPixels: DecodedPixels?

    private init(
        surface: OpaquePointer, width: Int, height: Int, format: ImageFormat, jpegBytes: Data?, pixelsDecoded: Bool,
        sharedPixels: DecodedPixels? = nil
    ) {
        self.surface = surface
        self.pixelWidth = width
        self.pixelHeight = height
        self.format = format
        self.jpegBytes = jpegBytes
        self.pixelsDecoded = pixelsDecoded
        self.sharedPixels = sharedPixels
    }

    /// A surface of this render's own over cached pixels: Cairo attaches per-render state (snapshots) to
    /// the surfaces it draws from, so renders never share a surface, only the read-only pixel memory.
    private convenience init(sharing pixels: DecodedPixels, format: ImageFormat) throws {
        let master = pixels.surface
        guard
            let surface = cairo_image_surface_create_for_data(
                cairo_image_surface_get_data(master), cairo_image_surface_get_format(master), cairo_image_surface_get_width(master),
                cairo_image_surface_get_height(master), cairo_image_surface_get_stride(master)),
            cairo_surface_status(surface) == CAIRO_STATUS_SUCCESS
        else { throw RenderError.brokenImage(source: "image", reason: "out of memory") }
        self.init(
            surface: surface, width: pixels.width, height: pixels.height, format: format, jpegBytes: nil, pixelsDecoded: true,
            sharedPixels: pixels)
    }

    /// Decodes `data` like `decode(_:source:limits:)`, taking PNG and WebP pixels from `cache` when the
    /// same bytes were decoded before (a template's logo is decoded once, not on every render).
    static func decode(_ data: Data, source: String, limits: RenderLimits, cache: DecodedImageCache) throws -> LoadedImage {
        if data.count <= limits.maxImageBytes, let format = ImageFormat.sniff(data), format != .jpeg {
            if let pixels = cache.get(data) {
                try checkPixelLimit(pixels.width, pixels.height, source: source, limits: limits)
                return try LoadedImage(sharing: pixels, format: format)
            }
            let image = try decode(data, source: source, limits: limits)
            guard let pixels = cache.adopt(image.surface, for: data) else { return image }
            return try LoadedImage(sharing: pixels, format: format)
        }
        return try decode(data, source: source, limits: limits)
    }

    private static func checkPixelLimit(_ w: Int, _ h: Int, source: String, limits: RenderLimits) throws {
        guard w > 0, h > 0, w <= 32767, h <= 32767 else { throw RenderError.brokenImage(source: source, reason: "invalid dimensions \(w)x\(h)") }
        if w * h > limits.maxImagePixels {
            throw RenderError.imageTooManyPixels(source: source, width: w, height: h, limit: limits.maxImagePixels)
        }
    }

    deinit { cairo_surface_destroy(surface) }

    var aspect: Double { Double(pixelWidth) / Double(max(pixelHeight, 1)) }

    /// Decodes `data`, checking the byte and pixel limits before any pixel is allocated.
    static func decode(_ data: Data, source: String, limits: RenderLimits) throws -> LoadedImage {
        if data.count > limits.maxImageBytes {
            throw RenderError.imageTooLarge(source: source, bytes: data.count, limit: limits.maxImageBytes)
        }
        guard let format = ImageFormat.sniff(data) else { throw RenderError.unsupportedImage(source: source) }
        func checkPixels(_ w: Int, _ h: Int) throws { try checkPixelLimit(w, h, source: source, limits: limits) }
        switch format {
        case .png:
            let b = [UInt8](data.prefix(24))
            guard b.count >= 24, b[12...15] == [0x49, 0x48, 0x44, 0x52] else {
                throw RenderError.brokenImage(source: source, reason: "missing PNG header")
            }
            let w = Int(b[16]) << 24 | Int(b[17]) << 16 | Int(b[18]) << 8 | Int(b[19])
            let h = Int(b[20]) << 24 | Int(b[21]) << 16 | Int(b[22]) << 8 | Int(b[23])
            try checkPixels(w, h)
            let reader = PNGReader(data)
            let box = Unmanaged.passRetained(reader)
            defer { box.release() }
            guard let surface = cairo_image_surface_create_from_png_stream(pngReadCallback, box.toOpaque()) else {
                throw RenderError.brokenImage(source: source, reason: "PNG decoding failed")
            }
            let status = cairo_surface_status(surface)
            guard status == CAIRO_STATUS_SUCCESS else {
                cairo_surface_destroy(surface)
                throw RenderError.brokenImage(source: source, reason: String(cString: cairo_status_to_string(status)))
            }
            return LoadedImage(
                surface: surface, width: Int(cairo_image_surface_get_width(surface)),
                height: Int(cairo_image_surface_get_height(surface)), format: .png, jpegBytes: nil, pixelsDecoded: true)
        case .jpeg:
            var w: Int32 = 0, h: Int32 = 0, comps: Int32 = 0
            let ok = data.withUnsafeBytes { raw in
                ck_jpeg_info(raw.bindMemory(to: UInt8.self).baseAddress, UInt(raw.count), &w, &h, &comps)
            }
            guard ok == 0 else { throw RenderError.brokenImage(source: source, reason: "invalid JPEG header") }
            guard comps == 1 || comps == 3 || comps == 4 else { throw RenderError.brokenImage(source: source, reason: "\(comps) colour components") }
            guard data.suffix(2).elementsEqual([0xFF, 0xD9]) else { throw RenderError.brokenImage(source: source, reason: "truncated JPEG") }
            try checkPixels(Int(w), Int(h))
            // An RGB24 surface of the right size; its (zero, lazily mapped) pixels are only filled for PNG output.
            guard let surface = cairo_image_surface_create(CAIRO_FORMAT_RGB24, w, h), cairo_surface_status(surface) == CAIRO_STATUS_SUCCESS else {
                throw RenderError.brokenImage(source: source, reason: "out of memory")
            }
            let copy = malloc(data.count)!
            data.withUnsafeBytes { raw in copy.copyMemory(from: raw.baseAddress!, byteCount: raw.count) }
            let status = cairo_surface_set_mime_data(
                surface, CAIRO_MIME_TYPE_JPEG, copy.assumingMemoryBound(to: UInt8.self), UInt(data.count), free, copy)
            guard status == CAIRO_STATUS_SUCCESS else {
                free(copy)
                cairo_surface_destroy(surface)
                throw RenderError.brokenImage(source: source, reason: "cannot attach JPEG data")
            }
            return LoadedImage(surface: surface, width: Int(w), height: Int(h), format: .jpeg, jpegBytes: data, pixelsDecoded: false)
        case .webp:
            var w: Int32 = 0, h: Int32 = 0
            let ok = data.withUnsafeBytes { raw in WebPGetInfo(raw.bindMemory(to: UInt8.self).baseAddress, raw.count, &w, &h) }
            guard ok != 0 else { throw RenderError.brokenImage(source: source, reason: "invalid WebP header") }
            try checkPixels(Int(w), Int(h))
            guard let surface = cairo_image_surface_create(CAIRO_FORMAT_ARGB32, w, h), cairo_surface_status(surface) == CAIRO_STATUS_SUCCESS else {
                throw RenderError.brokenImage(source: source, reason: "out of memory")
            }
            cairo_surface_flush(surface)
            let stride = cairo_image_surface_get_stride(surface)
            let pixels = cairo_image_surface_get_data(surface)!
            let decoded = data.withUnsafeBytes { raw in
                WebPDecodeBGRAInto(raw.bindMemory(to: UInt8.self).baseAddress, raw.count, pixels, Int(stride) * Int(h), stride)
            }
            guard decoded != nil else {
                cairo_surface_destroy(surface)
                throw RenderError.brokenImage(source: source, reason: "WebP decoding failed")
            }
            ck_premultiply_argb32(pixels, stride, w, h)
            cairo_surface_mark_dirty(surface)
            return LoadedImage(surface: surface, width: Int(w), height: Int(h), format: .webp, jpegBytes: nil, pixelsDecoded: true)
        }
    }

    /// Fills a JPEG surface's pixels (needed when drawing to a raster target).
    func decodePixelsIfNeeded() throws {
        guard !pixelsDecoded, let bytes = jpegBytes else { return }
        cairo_surface_flush(surface)
        let stride = cairo_image_surface_get_stride(surface)
        let pixels = cairo_image_surface_get_data(surface)
        let rc = bytes.withUnsafeBytes { raw in
            ck_jpeg_decode_rgb24(raw.bindMemory(to: UInt8.self).baseAddress, UInt(raw.count), pixels, stride, Int32(pixelWidth), Int32(pixelHeight))
        }
        guard rc == 0 else { throw RenderError.brokenImage(source: "jpeg", reason: "JPEG decoding failed") }
        cairo_surface_mark_dirty(surface)
        pixelsDecoded = true
    }
}

/// Feeds bytes to cairo's PNG reader.
private final class PNGReader {
    let data: Data
    var offset = 0
    init(_ data: Data) { self.data = data }
}

private let pngReadCallback: cairo_read_func_t = { closure, buffer, length in
    guard let closure, let buffer else { return CAIRO_STATUS_READ_ERROR }
    let reader = Unmanaged<PNGReader>.fromOpaque(closure).takeUnretainedValue()
    let n = Int(length)
    guard reader.offset + n <= reader.data.count else { return CAIRO_STATUS_READ_ERROR }
    reader.data.withUnsafeBytes { raw in
        buffer.update(from: raw.bindMemory(to: UInt8.self).baseAddress! + reader.offset, count: n)
    }
    reader.offset += n
    return CAIRO_STATUS_SUCCESS
}
