import CPangoCairo
import Foundation
import Render

/// Pixels of a stamp drawn as an image: a decoded PNG, or text drawn through Pango (a handwriting
/// font, or characters Helvetica cannot encode). Straight (not premultiplied) RGB, and alpha when any
/// pixel is not opaque; written to the PDF as an image XObject with an `/SMask`.
struct StampRaster {
    static let maxSide = 2000
    static let maxPNGBytes = 512 * 1024
    /// Pixels per point of a text raster (288 dpi), lowered when a side would pass `maxSide`.
    static let textPixelsPerPoint = 4.0
    static let maxTextPixels = 1_500_000
    /// Families for text drawn through Pango; fontconfig falls back per character for other scripts.
    static let handwritingFamily = "Dancing Script"
    static let textFamily = "Noto Sans"

    let width: Int
    let height: Int
    /// `width * height * 3` bytes.
    let rgb: [UInt8]
    /// `width * height` bytes, nil when every pixel is opaque.
    let alpha: [UInt8]?

    enum Failure: Error {
        case notAPNG
        case tooLarge(String)
    }

    /// The PNG's width and height from its header, without decoding it.
    static func pngSize(_ png: [UInt8]) -> (width: Int, height: Int)? {
        let signature: [UInt8] = [0x89, 0x50, 0x4E, 0x47, 0x0D, 0x0A, 0x1A, 0x0A]
        guard png.count >= 33, Array(png[0..<8]) == signature, Array(png[12..<16]) == Array("IHDR".utf8) else { return nil }
        func word(_ at: Int) -> Int { png[at..<(at + 4)].reduce(0) { $0 << 8 | Int($1) } }
        return (word(16), word(20))
    }

    /// Decodes a PNG (any bit depth and color type libpng reads) through Cairo.
    static func decodePNG(_ png: [UInt8]) throws -> StampRaster {
        guard png.count <= maxPNGBytes else { throw Failure.tooLarge("\(png.count) bytes, at most \(maxPNGBytes)") }
        guard let size = pngSize(png) else { throw Failure.notAPNG }
        guard size.width >= 1, size.height >= 1, size.width <= maxSide, size.height <= maxSide else {
            throw Failure.tooLarge("\(size.width)×\(size.height) pixels, at most \(maxSide)×\(maxSide)")
        }
        let reader = PNGReader(png)
        let decoded = withExtendedLifetime(reader) {
            cairo_image_surface_create_from_png_stream(
                { closure, data, length in
                    guard let closure, let data else { return CAIRO_STATUS_READ_ERROR }
                    return Unmanaged<PNGReader>.fromOpaque(closure).takeUnretainedValue().read(into: data, count: Int(length))
                }, Unmanaged.passUnretained(reader).toOpaque())
        }
        defer { cairo_surface_destroy(decoded) }
        guard cairo_surface_status(decoded) == CAIRO_STATUS_SUCCESS, cairo_image_surface_get_width(decoded) == Int32(size.width),
            cairo_image_surface_get_height(decoded) == Int32(size.height)
        else { throw Failure.notAPNG }
        // Whatever format Cairo decoded into (RGB24, ARGB32, the float formats of 16-bit PNGs), painted
        // onto ARGB32.
        guard let surface = cairo_image_surface_create(CAIRO_FORMAT_ARGB32, Int32(size.width), Int32(size.height)) else { throw Failure.notAPNG }
        defer { cairo_surface_destroy(surface) }
        let cr = cairo_create(surface)
        cairo_set_source_surface(cr, decoded, 0, 0)
        cairo_paint(cr)
        cairo_destroy(cr)
        return try pixels(of: surface)
    }

    /// `text` on one line in `family`, as large as fits a box of `boxWidth` × `boxHeight` points, left
    /// aligned and centered vertically, in `color` on transparency.
    static func drawText(_ text: String, family: String, boxWidth: Double, boxHeight: Double, color: (Double, Double, Double)) throws -> StampRaster {
        // At most `maxSide` on a side and `maxTextPixels` in all: a page-sized box is drawn at a lower
        // resolution rather than as tens of megabytes.
        let pixelsPerPoint = min(
            textPixelsPerPoint, Double(maxSide) / max(boxWidth, boxHeight), (Double(maxTextPixels) / (boxWidth * boxHeight)).squareRoot())
        let width = max(1, Int((boxWidth * pixelsPerPoint).rounded(.up)))
        let height = max(1, Int((boxHeight * pixelsPerPoint).rounded(.up)))
        guard let surface = cairo_image_surface_create(CAIRO_FORMAT_ARGB32, Int32(width), Int32(height)) else { throw Failure.tooLarge("text") }
        defer { cairo_surface_destroy(surface) }
        let cr = cairo_create(surface)
        defer { cairo_destroy(cr) }
        // The thread's default Pango font map (system fonts through fontconfig); not shared across threads.
        guard let layout = pango_cairo_create_layout(cr) else { throw Failure.tooLarge("text") }
        defer { g_object_unref(UnsafeMutableRawPointer(layout)) }
        pango_layout_set_single_paragraph_mode(layout, 1)
        let description = pango_font_description_new()
        defer { pango_font_description_free(description) }
        pango_font_description_set_family(description, family)
        let nominal = 100.0
        pango_font_description_set_absolute_size(description, nominal * Double(PANGO_SCALE))
        pango_layout_set_font_description(layout, description)
        pango_layout_set_text(layout, text, -1)
        // Fit the union of the ink and logical extents: script fonts' swashes reach past the logical box.
        var ink = PangoRectangle()
        var logical = PangoRectangle()
        pango_layout_get_pixel_extents(layout, &ink, &logical)
        let left = Double(min(ink.x, logical.x))
        let top = Double(min(ink.y, logical.y))
        let right = Double(max(ink.x + ink.width, logical.x + logical.width))
        let bottom = Double(max(ink.y + ink.height, logical.y + logical.height))
        guard right > left, bottom > top else { return try pixels(of: surface) }
        let scale = min(Double(width) / (right - left), Double(height) * 0.9 / (bottom - top))
        cairo_translate(cr, -left * scale, (Double(height) - (bottom - top) * scale) / 2 - top * scale)
        cairo_scale(cr, scale, scale)
        pango_cairo_update_layout(cr, layout)
        cairo_set_source_rgb(cr, color.0, color.1, color.2)
        pango_cairo_show_layout(cr, layout)
        cairo_surface_flush(surface)
        return try pixels(of: surface)
    }

    /// Straight RGB and alpha from a premultiplied ARGB32 surface (native-endian 32-bit pixels).
    static func pixels(of surface: OpaquePointer) throws -> StampRaster {
        cairo_surface_flush(surface)
        let width = Int(cairo_image_surface_get_width(surface))
        let height = Int(cairo_image_surface_get_height(surface))
        let stride = Int(cairo_image_surface_get_stride(surface))
        guard let data = cairo_image_surface_get_data(surface), width > 0, height > 0 else { throw Failure.notAPNG }
        var rgb = [UInt8](repeating: 0, count: width * height * 3)
        var alpha = [UInt8](repeating: 0, count: width * height)
        var opaque = true
        data.withMemoryRebound(to: UInt8.self, capacity: stride * height) { base in
            for y in 0..<height {
                let row = UnsafeRawPointer(base + y * stride).assumingMemoryBound(to: UInt32.self)
                for x in 0..<width {
                    let pixel = row[x]
                    let a = pixel >> 24
                    var r = (pixel >> 16) & 0xFF
                    var g = (pixel >> 8) & 0xFF
                    var b = pixel & 0xFF
                    if a != 255 {
                        opaque = false
                        if a == 0 {
                            (r, g, b) = (0, 0, 0)
                        } else {
                            r = min(255, (r * 255 + a / 2) / a)
                            g = min(255, (g * 255 + a / 2) / a)
                            b = min(255, (b * 255 + a / 2) / a)
                        }
                    }
                    let index = y * width + x
                    rgb[index * 3] = UInt8(r)
                    rgb[index * 3 + 1] = UInt8(g)
                    rgb[index * 3 + 2] = UInt8(b)
                    alpha[index] = UInt8(a)
                }
            }
        }
        return StampRaster(width: width, height: height, rgb: rgb, alpha: opaque ? nil : alpha)
    }

    /// zlib (FlateDecode) at level 6.
    static func deflate(_ data: [UInt8]) -> [UInt8] { Flate.deflate(data) }
}

/// The PNG bytes Cairo's read callback pulls from.
private final class PNGReader {
    let bytes: [UInt8]
    var offset = 0

    init(_ bytes: [UInt8]) {
        self.bytes = bytes
    }

    func read(into destination: UnsafeMutablePointer<UInt8>, count: Int) -> cairo_status_t {
        guard count >= 0, count <= bytes.count - offset else { return CAIRO_STATUS_READ_ERROR }
        bytes.withUnsafeBufferPointer { source in
            destination.update(from: source.baseAddress! + offset, count: count)
        }
        offset += count
        return CAIRO_STATUS_SUCCESS
    }
}
