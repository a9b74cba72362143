import CPangoCairo
import Core
import Foundation

/// Where a string is drawn: a page (1-based) and a box in points from the page's top-left corner (the
/// line's full height, from the first character's left edge to the last one's right edge).
public struct TextBox: Sendable, Equatable {
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

/// The boxes of the strings asked for, with the page size they are measured on.
public struct TextLocations: Sendable, Equatable {
    public var pageWidth: Double
    public var pageHeight: Double
    /// Every occurrence of each string, in drawing order per page (header, body, footer; lines top to
    /// bottom within a paragraph or cell), pages in order. A string not drawn has an empty list.
    public var boxes: [String: [TextBox]]
}

extension RenderEngine {
    /// Lays `document` out with `data` exactly as `renderPDF` does and reports where each of `strings` is
    /// drawn, without writing a PDF. An occurrence must lie on one line of one paragraph or cell.
    public func locateText(
        _ strings: [String], document: Document, data: JSONValue, images: any ImageLoader = NoImageLoader(),
        options: RenderOptions = RenderOptions()
    ) async throws -> TextLocations {
        let ws = checkout()
        defer { checkin(ws) }
        let laid = try await layOut(document: document, data: data, images: images, options: options, ws: ws)
        let needles = Array(Set(strings.filter { !$0.isEmpty }))
        var boxes: [String: [TextBox]] = Dictionary(uniqueKeysWithValues: strings.map { ($0, []) })
        let cache = LaidOutDocument.DecorationCache()
        for index in laid.pages.indices {
            let decorations = try laid.decorationOps(page: index, cache: cache)
            for op in decorations.header + laid.pages[index] + decorations.footer {
                guard case .text(let layout, let x, let y, let lines) = op else { continue }
                TextLocator.find(needles, in: layout, x: x, y: y, lines: lines, page: index + 1, into: &boxes)
            }
        }
        return TextLocations(pageWidth: laid.width, pageHeight: laid.height, boxes: boxes)
    }
}

enum TextLocator {
    static func find(
        _ needles: [String], in layout: TextLayout, x: Double, y: Double, lines: Range<Int>, page: Int, into boxes: inout [String: [TextBox]]
    ) {
        guard let cText = pango_layout_get_text(layout.layout) else { return }
        let text = Array(UnsafeBufferPointer(start: UnsafeRawPointer(cText).assumingMemoryBound(to: UInt8.self), count: strlen(cText)))
        for i in lines where i < layout.lines.count {
            let info = layout.lines[i]
            let start = Int(info.line.pointee.start_index)
            let end = min(text.count, start + Int(info.line.pointee.length))
            guard start < end else { continue }
            for needle in needles {
                let bytes = Array(needle.utf8)
                var from = start
                while from + bytes.count <= end, let match = text[from..<end].firstRange(of: bytes) {
                    // The last character's first byte: its trailing edge ends the box.
                    var last = match.upperBound - 1
                    while last > match.lowerBound, text[last] & 0xC0 == 0x80 { last -= 1 }
                    var leading: Int32 = 0
                    var trailing: Int32 = 0
                    pango_layout_line_index_to_x(info.line, Int32(match.lowerBound), 0, &leading)
                    pango_layout_line_index_to_x(info.line, Int32(last), 1, &trailing)
                    let a = Double(leading) / pangoScale
                    let b = Double(trailing) / pangoScale
                    boxes[needle, default: []].append(
                        TextBox(page: page, x: x + info.x + min(a, b), y: y + info.top, width: abs(b - a), height: info.height))
                    from = match.upperBound
                }
            }
        }
    }
}
