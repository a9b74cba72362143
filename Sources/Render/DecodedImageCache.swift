import CPangoCairo
import Foundation

/// Decoded pixels shared between renders: an image surface that is never drawn from itself.
final class DecodedPixels: @unchecked Sendable {
    let surface: OpaquePointer
    var width: Int { Int(cairo_image_surface_get_width(surface)) }
    var height: Int { Int(cairo_image_surface_get_height(surface)) }
    var byteCount: Int { Int(cairo_image_surface_get_stride(surface)) * height }

    init(adopting surface: OpaquePointer) { self.surface = surface }
    deinit { cairo_surface_destroy(surface) }
}

/// Decoded PNG and WebP pixels by the image's bytes, within a memory budget (cleared whole when full,
/// like `TTLCache`: the images every render uses come straight back).
final class DecodedImageCache: @unchecked Sendable {
    let budgetBytes: Int
    private let lock = NSLock()
    private var entries: [Data: DecodedPixels] = [:]
    private var bytes = 0

    init(budgetBytes: Int) { self.budgetBytes = budgetBytes }

    var count: Int { lock.withLock { entries.count } }

    func get(_ data: Data) -> DecodedPixels? { lock.withLock { entries[data] } }

    /// Takes over a freshly decoded surface (one reference) as the cached pixels of `data`; nil, with the
    /// surface left alone, when it alone exceeds a quarter of the budget.
    func adopt(_ surface: OpaquePointer, for data: Data) -> DecodedPixels? {
        let pixels = DecodedPixels(adopting: cairo_surface_reference(surface))
        let size = pixels.byteCount
        guard size <= budgetBytes / 4, cairo_image_surface_get_data(surface) != nil else { return nil }
        return lock.withLock {
            if let known = entries[data] { return known }
            if bytes + size > budgetBytes {
                entries.removeAll()
                bytes = 0
            }
            entries[data] = pixels
            bytes += size
            return pixels
        }
    }
}
