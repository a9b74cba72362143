import CPangoCairo
import Core
import Foundation
import Testing

@testable import Render

@Suite("Decoded image cache")
struct DecodedImageCacheTests {
    @Test("a PNG or WebP used by every render is decoded once per engine, and the cached pixels give the same bytes")
    func decodesOnce() async throws {
        let engine = try RenderEngine()
        let doc = try DocumentDecoder.decode(
            Data(#"{"blocks": [{"type": "image", "src": "asset:logo.png"}, {"type": "image", "src": "asset:logo.webp"}]}"#.utf8))
        let first = try await engine.renderPDF(document: doc, data: .object([:]), images: Fixture.assets)
        #expect(engine.decodedImages.count == 2)
        let second = try await engine.renderPDF(document: doc, data: .object([:]), images: Fixture.assets)
        #expect(engine.decodedImages.count == 2)
        #expect(first.bytes == second.bytes)
        let png = try await engine.renderPNG(document: doc, data: .object([:]), images: Fixture.assets)
        #expect(png.bytes.count > 1000)
    }

    @Test("the cache keeps within its budget and refuses images larger than a quarter of it")
    func budget() throws {
        let cache = DecodedImageCache(budgetBytes: 4 * 100 * 100 * 4)
        for i in 0..<6 {
            let surface = try #require(cairo_image_surface_create(CAIRO_FORMAT_ARGB32, 100, 100))
            defer { cairo_surface_destroy(surface) }
            #expect(cache.adopt(surface, for: Data([UInt8(i)])) != nil)
            #expect(cache.count <= 4)
        }
        let big = try #require(cairo_image_surface_create(CAIRO_FORMAT_ARGB32, 200, 100))
        defer { cairo_surface_destroy(big) }
        #expect(cache.adopt(big, for: Data([9])) == nil)
    }
}
