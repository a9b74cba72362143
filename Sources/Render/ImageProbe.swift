import Foundation

/// The image path a render takes over untrusted bytes (format sniffing, the PNG/JPEG/WebP header and
/// dimension readers, then the decode), exposed to the fuzz harness in Sources/Fuzz. It is SPI so the
/// harness needs no testable import, which would only build in debug.
@_spi(Fuzzing)
public enum ImageProbe {
    /// What a successful probe found.
    public struct Result: Sendable, Equatable {
        /// "png", "jpeg" or "webp".
        public let format: String
        public let width: Int
        public let height: Int
    }

    /// The format the engine recognises in `data` ("png", "jpeg", "webp"), or nil.
    public static func sniff(_ data: Data) -> String? { ImageFormat.sniff(data).map(name) }

    /// Decodes `data` as a render would, under `limits`. JPEG pixels are decoded too (a PDF render
    /// skips that; a PNG render does it). Nil when the engine refuses the image.
    public static func decode(_ data: Data, limits: RenderLimits) -> Result? {
        guard let image = try? LoadedImage.decode(data, source: "probe", limits: limits) else { return nil }
        guard (try? image.decodePixelsIfNeeded()) != nil else { return nil }
        return Result(format: name(image.format), width: image.pixelWidth, height: image.pixelHeight)
    }

    /// The bytes of a `data:` URI as a bound `src` carries them; nil for anything else.
    public static func inlineBytes(ofSource src: String) -> Data? {
        guard case .inline(let data)? = try? BoundImage.classify(src) else { return nil }
        return data
    }

    static func name(_ format: ImageFormat) -> String {
        switch format {
        case .png: "png"
        case .jpeg: "jpeg"
        case .webp: "webp"
        }
    }
}
