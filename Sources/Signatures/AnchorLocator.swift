import Core
import Render

/// Where an anchor string is drawn: a page (1-based) and a box in percentages of the page's width and
/// height, origin top-left (the shape of a `Stamp`'s box).
public struct AnchorBox: Sendable, Equatable {
    public var page: Int
    public var x: Double
    public var y: Double
    public var width: Double
    public var height: Double

    public init(page: Int, x: Double, y: Double, width: Double, height: Double) {
        self.page = page
        self.x = x
        self.y = y
        self.width = width
        self.height = height
    }
}

/// Finds anchor strings (`anchorTags`) in a rendered document through the engine's own layout: the
/// document is laid out with the render's data as `renderPDF` does, and the lines the engine draws are
/// searched, so the boxes are where the text is in the PDF (docs/signatures.md#anchors).
public enum AnchorLocator {
    public static let maxAnchors = 200

    /// Where each anchor string is drawn when `document` is rendered with `data`: boxes as page
    /// percentages (origin top-left), every occurrence, in reading order. A string that is not drawn
    /// maps to an empty list. Pass the image loader and the options the render used: image sizes and
    /// the locale move text.
    public static func locate(
        _ anchors: [String], document: Document, data: JSONValue, engine: RenderEngine, images: any ImageLoader = NoImageLoader(),
        options: RenderOptions = RenderOptions()
    ) async throws -> [String: [AnchorBox]] {
        guard anchors.count <= maxAnchors else { throw RenderError.invalidDocument("at most \(maxAnchors) anchors") }
        let found = try await engine.locateText(anchors, document: document, data: data, images: images, options: options)
        return found.boxes.mapValues { boxes in
            boxes.map {
                AnchorBox(
                    page: $0.page, x: $0.x / found.pageWidth * 100, y: $0.y / found.pageHeight * 100, width: $0.width / found.pageWidth * 100,
                    height: $0.height / found.pageHeight * 100)
            }
        }
    }
}
