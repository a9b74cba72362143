import Foundation

/// A header or footer, resolved: the blocks of ordinary pages, and those of the first and last page when
/// the document gives them (`firstPage`, `lastPage`). Bound once per render; `{{page}}` and `{{pages}}`
/// stay as `PageToken`s until each page is drawn (see `LaidOutDocument.decoration`).
struct DecorationVariants {
    var normal: [RBlock]
    var first: [RBlock]?
    var last: [RBlock]?
    var gap: Double

    func blocks(page: Int, pages: Int) -> (blocks: [RBlock], variant: Int) {
        if page == 1, let f = first { return (f, 1) }
        if page == pages, let l = last { return (l, 2) }
        return (normal, 0)
    }
}

extension DecorationVariants {
    /// Binds `decoration` (nil when the document has none).
    init?(_ decoration: PageDecoration?, resolver: Resolver) throws {
        guard let d = decoration else { return nil }
        self.init(
            normal: try resolver.resolveDecoration(d.blocks), first: try d.firstPage.map { try resolver.resolveDecoration($0) },
            last: try d.lastPage.map { try resolver.resolveDecoration($0) }, gap: d.gap?.points ?? 12)
    }

    /// The height the body gives up on every page: the tallest variant plus the gap, 0 when all are empty.
    /// Page numbers are measured as "8888" so a document of thousands of pages still fits what was
    /// reserved.
    func reservedHeight(engine: LayoutEngine, x: Double, width: Double) throws -> Double {
        var h = 0.0
        for blocks in [normal, first, last].compactMap({ $0 }) {
            let sample = substitutePageTokens(blocks, page: "8888", pages: "8888").blocks
            h = max(h, merge(try engine.chunks(sample, x: x, width: width)).height)
        }
        return h > 0 ? h + gap : 0
    }
}
