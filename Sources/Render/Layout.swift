import CPangoCairo
import Foundation

// Layout: resolved blocks become "chunks" (vertical slices with their drawing operations), and the
// paginator stacks chunks onto pages. A paragraph gives one chunk per line, a table one per row
// (plus its header, repeated after each page break), a keep-together group or a columns block one
// chunk when it fits on a page. A columns block taller than a page becomes a flow chunk: the
// paginator fills its columns side by side, page after page.

enum DrawOp {
    /// Lines `lines` of a layout whose top-left corner is at (x, y).
    case text(TextLayout, x: Double, y: Double, lines: Range<Int>)
    case fill(x: Double, y: Double, w: Double, h: Double, color: RGBA)
    case line(x1: Double, y1: Double, x2: Double, y2: Double, color: RGBA, width: Double)
    case image(LoadedImage, x: Double, y: Double, w: Double, h: Double, clip: (x: Double, y: Double, w: Double, h: Double)?)
    case link(x: Double, y: Double, w: Double, h: Double, uri: String)
    /// The ops up to the matching `endTag` belong to a structure element (tagged PDFs only; an untagged
    /// render skips both).
    case beginTag(StructTag)
    case endTag(StructTag)

    func shifted(_ dy: Double) -> DrawOp {
        switch self {
        case .text(let l, let x, let y, let lines): return .text(l, x: x, y: y + dy, lines: lines)
        case .fill(let x, let y, let w, let h, let c): return .fill(x: x, y: y + dy, w: w, h: h, color: c)
        case .line(let x1, let y1, let x2, let y2, let c, let w): return .line(x1: x1, y1: y1 + dy, x2: x2, y2: y2 + dy, color: c, width: w)
        case .image(let i, let x, let y, let w, let h, let clip):
            return .image(i, x: x, y: y + dy, w: w, h: h, clip: clip.map { ($0.x, $0.y + dy, $0.w, $0.h) })
        case .link(let x, let y, let w, let h, let u): return .link(x: x, y: y + dy, w: w, h: h, uri: u)
        case .beginTag, .endTag: return self
        }
    }
}

/// A structure element of a tagged PDF (docs/document-model.md#accessibility-and-archiving). Cairo 1.16
/// marks only the content of leaf elements, so content is always drawn inside a leaf (text inside a `P`
/// whose line also holds links goes into a `Span`, the links beside it).
struct StructTag: Equatable {
    /// A standard structure type: `P`, `H1`…`H6`, `Table`, `TR`, `TH`, `TD`, `Figure`, `Span`.
    var role: String
    /// Extra StructElem entries in PDF syntax (`/A << … >>`, `/Alt (…)`), which Cairo cannot write;
    /// `PDFTagging` adds them.
    var attributes: String?
    /// The language of the element's text when its script tells (`ar` for Arabic text); written as
    /// `/Lang` when it differs from the document's (`TagWriter`).
    var language: String?

    /// Content that is not part of the document's text (borders, backgrounds, dividers, headers, footers,
    /// repeated table headers, the watermark). Cairo 1.16 accepts only standard structure types, so it is
    /// drawn in a `Private` element, which `PDFTagging` turns into an `/Artifact` marked-content sequence
    /// and removes from the tree.
    static let artifact = StructTag(role: "Private")
    static let span = StructTag(role: "Span")

    static func figure(alt: String) -> StructTag {
        StructTag(role: "Figure", attributes: "/Alt " + String(decoding: PDFSyntax.textString(alt), as: UTF8.self))
    }
}

/// `ops` inside the structure element `tag`.
func tagged(_ tag: StructTag, _ ops: [DrawOp]) -> [DrawOp] {
    [.beginTag(tag)] + ops + [.endTag(tag)]
}

/// `ops` as an artifact: structure tags inside are dropped and links move after it (an annotation stays
/// reachable as a `Link` element; inside the artifact it would make it a non-leaf, whose content Cairo
/// leaves unmarked).
func artifact(_ ops: [DrawOp]) -> [DrawOp] {
    guard !ops.isEmpty else { return [] }
    var inside: [DrawOp] = [.beginTag(.artifact)]
    var links: [DrawOp] = []
    for op in ops {
        switch op {
        case .beginTag, .endTag: continue
        case .link: links.append(op)
        default: inside.append(op)
        }
    }
    inside.append(.endTag(.artifact))
    return inside + links
}

struct Chunk {
    enum Kind { case content, spacing, pageBreak }

    var height: Double
    var ops: [DrawOp]
    var kind: Kind = .content
    /// For table rows: the table header to repeat at the top of a new page.
    var header: Int?
    /// This chunk is a table header (its id).
    var headerID: Int?
    /// Move to the next page together with the following chunk.
    var keepWithNext = false
    /// A columns block taller than a page: each column's chunks (x already set), filled side by side
    /// by the paginator. `height` and `ops` then hold the whole block, for containers that merge it.
    var flow: [[Chunk]]?

    static func spacing(_ h: Double) -> Chunk { Chunk(height: h, ops: [], kind: .spacing) }
}

/// Merges chunks into one atomic chunk (page breaks inside are dropped).
func merge(_ chunks: [Chunk]) -> Chunk {
    var ops: [DrawOp] = []
    var y = 0.0
    for c in chunks where c.kind != .pageBreak {
        ops.append(contentsOf: c.ops.map { $0.shifted(y) })
        y += c.height
    }
    return Chunk(height: y, ops: ops)
}

final class LayoutEngine {
    let ws: Workspace
    let images: [BoundImage: LoadedImage]
    /// Height available to body content on one page.
    let bodyHeight: Double
    let deadline: ContinuousClock.Instant
    let timeout: Duration
    private(set) var headers: [Chunk] = []
    private var steps = 0
    /// Table cells with the same text and style share one layout (layouts are immutable once built).
    private var cellCache: [CellKey: TextLayout] = [:]

    struct CellKey: Hashable {
        var text: String
        var width: Double
        var size: Double
        var family: String
        var color: RGBA
        var bold: Bool
        var italic: Bool
        var align: TextAlign
        var lineHeight: Double
    }

    func cellLayout(_ t: RText, width: Double) -> TextLayout {
        guard t.runs.count == 1 else { return ws.layout(t, width: width) }
        let key = CellKey(
            text: t.runs[0].text, width: width, size: t.size, family: t.family, color: t.color, bold: t.bold, italic: t.italic,
            align: t.align, lineHeight: t.lineHeight)
        if let l = cellCache[key] { return l }
        let l = ws.layout(t, width: width)
        cellCache[key] = l
        return l
    }

    init(ws: Workspace, images: [BoundImage: LoadedImage], bodyHeight: Double, deadline: ContinuousClock.Instant, timeout: Duration) {
        self.ws = ws
        self.images = images
        self.bodyHeight = bodyHeight
        self.deadline = deadline
        self.timeout = timeout
    }

    func checkDeadline() throws {
        steps += 1
        if steps & 31 == 0, ContinuousClock.now > deadline { throw RenderError.timeout(seconds: timeout.seconds) }
    }

    func chunks(_ blocks: [RBlock], x: Double, width: Double) throws -> [Chunk] {
        var out: [Chunk] = []
        for b in blocks { try append(b, x: x, width: width, into: &out) }
        return out
    }

    private func spacing(_ h: Double, into out: inout [Chunk]) {
        if h > 0 { out.append(.spacing(h)) }
    }

    func append(_ block: RBlock, x: Double, width: Double, into out: inout [Chunk]) throws {
        try checkDeadline()
        switch block {
        case .text(let t):
            spacing(t.spaceBefore, into: &out)
            out.append(contentsOf: textChunks(t, x: x, width: width))
            spacing(t.spaceAfter, into: &out)
        case .image(let i):
            guard let img = images[i.image] else { return }
            spacing(i.spaceBefore, into: &out)
            out.append(imageChunk(i, img, x: x, width: width))
            spacing(i.spaceAfter, into: &out)
        case .table(let t):
            spacing(t.spaceBefore, into: &out)
            out.append(contentsOf: try tableChunks(t, x: x, width: width))
            spacing(t.spaceAfter, into: &out)
        case .columns(let widths, let gap, let columns, let before, let after):
            spacing(before, into: &out)
            let n = columns.count
            guard n > 0 else { return }
            let ws = columnWidths(widths, total: width - gap * Double(n - 1), measure: nil)
            var xs: [Double] = []
            var cx = x
            for w in ws {
                xs.append(cx)
                cx += w + gap
            }
            var perColumn: [[Chunk]] = []
            for (i, col) in columns.enumerated() {
                perColumn.append(try chunks(col, x: xs[i], width: ws[i]))
            }
            perColumn = perColumn.map { $0.filter { $0.kind != .pageBreak } }
            let merged = perColumn.map(merge)
            let height = merged.map(\.height).max() ?? 0
            var chunk = Chunk(height: height, ops: merged.flatMap(\.ops))
            if height > bodyHeight { chunk.flow = perColumn }
            out.append(chunk)
            spacing(after, into: &out)
        case .divider(let color, let thickness, let before, let after):
            spacing(before, into: &out)
            out.append(
                Chunk(
                    height: thickness,
                    ops: artifact([.line(x1: x, y1: thickness / 2, x2: x + width, y2: thickness / 2, color: color, width: thickness)])))
            spacing(after, into: &out)
        case .spacer(let h):
            spacing(h, into: &out)
        case .pageBreak:
            out.append(Chunk(height: 0, ops: [], kind: .pageBreak))
        case .group(let blocks, let keep):
            let inner = try chunks(blocks, x: x, width: width)
            let m = merge(inner)
            if keep, m.height <= bodyHeight, !inner.contains(where: { $0.kind == .pageBreak }) {
                out.append(m)
            } else {
                out.append(contentsOf: inner)
            }
        case .signature(let s):
            spacing(s.spaceBefore, into: &out)
            out.append(signatureChunk(s, x: x, width: width))
            spacing(s.spaceAfter, into: &out)
        }
    }

    // MARK: text

    func textChunks(_ t: RText, x: Double, width: Double) -> [Chunk] {
        let layout = ws.layout(t, width: width)
        var out: [Chunk] = []
        out.reserveCapacity(layout.lines.count)
        let tag = StructTag(role: t.role, language: ScriptLanguage.of(t.plainText))
        for (i, line) in layout.lines.enumerated() {
            let h = i + 1 < layout.lines.count ? layout.lines[i + 1].top - line.top : max(line.height, layout.height - line.top)
            var ops: [DrawOp] = i == 0 ? [.beginTag(tag)] : []
            let textOp = DrawOp.text(layout, x: x, y: -line.top, lines: i..<(i + 1))
            ops += layout.links.isEmpty ? [textOp] : tagged(.span, [textOp])
            for l in layout.links where l.lineIndex == i {
                ops.append(.link(x: x + l.x, y: 0, w: l.width, h: line.height, uri: l.uri))
            }
            if i == layout.lines.count - 1 { ops.append(.endTag(tag)) }
            out.append(Chunk(height: h, ops: ops))
        }
        if t.keepWithNext {
            for i in out.indices { out[i].keepWithNext = true }
        }
        // Keep the first two and the last two lines of a paragraph together (no orphans or widows).
        if out.count >= 4 {
            out[0].keepWithNext = true
            out[out.count - 2].keepWithNext = true
        }
        return out
    }

    // MARK: images

    func imageChunk(_ i: RImage, _ img: LoadedImage, x: Double, width: Double) -> Chunk {
        let aspect = img.aspect
        let natW = Double(img.pixelWidth) * 0.75
        var boxW: Double, boxH: Double, drawW: Double, drawH: Double
        switch i.fit {
        case .contain:
            boxW = i.width ?? (i.height.map { $0 * aspect } ?? min(natW, width))
            boxH = i.height ?? boxW / aspect
            let s = min(boxW / aspect, boxH)
            drawH = s
            drawW = s * aspect
            boxW = drawW
            boxH = drawH
        case .cover:
            boxW = i.width ?? width
            boxH = i.height ?? boxW / aspect
            if boxW / boxH > aspect {
                drawW = boxW
                drawH = boxW / aspect
            } else {
                drawH = boxH
                drawW = boxH * aspect
            }
        case .fixed:
            boxW = i.width ?? (i.height.map { $0 * aspect } ?? natW)
            boxH = i.height ?? boxW / aspect
            drawW = boxW
            drawH = boxH
        }
        // Never wider than the column nor taller than a page.
        let scale = min(1, width / max(boxW, 0.01), bodyHeight / max(boxH, 0.01))
        boxW *= scale
        boxH *= scale
        drawW *= scale
        drawH *= scale
        let bx: Double
        switch i.align {
        case .left: bx = x
        case .center: bx = x + (width - boxW) / 2
        case .right: bx = x + width - boxW
        }
        let dx = bx + (boxW - drawW) / 2, dy = (boxH - drawH) / 2
        let clip = i.fit == .cover ? (x: bx, y: 0.0, w: boxW, h: boxH) : nil
        var ops = tagged(.figure(alt: i.alt), [.image(img, x: dx, y: dy, w: drawW, h: drawH, clip: clip)])
        if let link = i.link { ops.append(.link(x: bx, y: 0, w: boxW, h: boxH, uri: link)) }
        return Chunk(height: boxH, ops: ops)
    }

    func signatureChunk(_ s: RSignature, x: Double, width: Double) -> Chunk {
        let w = min(s.width, width)
        let bx: Double
        switch s.align {
        case .left: bx = x
        case .center: bx = x + (width - w) / 2
        case .right: bx = x + width - w
        }
        var ops: [DrawOp] = []
        if let b = s.image, let img = images[b] {
            var dh = s.imageHeight, dw = dh * img.aspect
            if dw > w {
                dw = w
                dh = w / img.aspect
            }
            let dx = s.align == .center ? bx + (w - dw) / 2 : (s.align == .right ? bx + w - dw : bx)
            ops += tagged(.figure(alt: "Signature"), [.image(img, x: dx, y: s.imageHeight - dh, w: dw, h: dh, clip: nil)])
        }
        var y = s.imageHeight + 2
        ops += artifact([.line(x1: bx, y1: y, x2: bx + w, y2: y, color: s.lineColor, width: 0.75)])
        y += 4
        for t in [s.caption, s.detail].compactMap({ $0 }) {
            var t = t
            t.align = s.align == .center ? .center : (s.align == .right ? .right : .left)
            let l = ws.layout(t, width: w)
            ops += tagged(StructTag(role: "P"), [.text(l, x: bx, y: y, lines: 0..<l.lines.count)])
            y += l.height
        }
        return Chunk(height: y, ops: ops)
    }

    // MARK: tables

    /// Column widths in points: fixed, percent of `total`, and auto columns sharing the rest (by
    /// natural content width when `measure` is given and more than one column is auto).
    func columnWidths(_ specs: [ColumnWidth?], total: Double, measure: ((Int) -> Double)?) -> [Double] {
        var w = [Double?](repeating: nil, count: specs.count)
        for (i, s) in specs.enumerated() {
            switch s {
            case .fixed(let l)?: w[i] = max(0, l.points)
            case .percent(let p)?: w[i] = max(0, total * p / 100)
            case .auto?, nil: break
            }
        }
        let autos = w.indices.filter { w[$0] == nil }
        let remaining = total - w.compactMap { $0 }.reduce(0, +)
        if !autos.isEmpty {
            if autos.count > 1, let measure {
                let naturals = autos.map { max(measure($0), 1) }
                let sum = naturals.reduce(0, +)
                for (k, i) in autos.enumerated() { w[i] = max(remaining, 20 * Double(autos.count)) * naturals[k] / sum }
            } else {
                for i in autos { w[i] = max(remaining / Double(autos.count), 20) }
            }
        }
        var result = w.map { $0 ?? 0 }
        let sum = result.reduce(0, +)
        if sum > total * 1.0001, sum > 0 { result = result.map { $0 * total / sum } }
        return result
    }

    func tableChunks(_ t: RTable, x: Double, width: Double) throws -> [Chunk] {
        let n = max(t.widths.count, t.header?.count ?? 0, t.rows.map(\.count).max() ?? 0, t.totals.map(\.count).max() ?? 0)
        guard n > 0 else { return [] }
        let specs = (0..<n).map { $0 < t.widths.count ? t.widths[$0] : nil }
        let pad = t.padding
        func cellText(_ c: RCell, _ col: Int, header: Bool) -> RText {
            RText(
                runs: [RRun(text: c.text)], align: c.align ?? (col < t.aligns.count ? t.aligns[col] : nil) ?? .left,
                size: t.fontSize, family: t.family, color: c.color ?? (header ? t.headerColor : nil) ?? t.color,
                bold: c.bold, italic: c.italic, lineHeight: t.lineHeight)
        }
        let widths = columnWidths(specs, total: width) { col in
            var m = 0.0
            var sample: [[RCell]] = []
            if let h = t.header { sample.append(h) }
            sample.append(contentsOf: t.rows.prefix(40))
            sample.append(contentsOf: t.totals)
            for row in sample where col < row.count && !row[col].text.isEmpty {
                m = max(m, self.ws.layout(cellText(row[col], col, header: false), width: nil).naturalWidth)
            }
            return m + 2 * pad
        }
        var xs: [Double] = []
        var cx = x
        for w in widths {
            xs.append(cx)
            cx += w
        }
        let tableW = widths.reduce(0, +)
        let bw = t.borderWidth
        let bc = t.borderColor

        enum RowKind { case header, body(Int), total(first: Bool, last: Bool) }

        func borders(_ kind: RowKind, _ h: Double, lastBody: Bool) -> [DrawOp] {
            var ops: [DrawOp] = []
            func hline(_ y: Double) { ops.append(.line(x1: x, y1: y, x2: x + tableW, y2: y, color: bc, width: bw)) }
            func vline(_ vx: Double) { ops.append(.line(x1: vx, y1: 0, x2: vx, y2: h, color: bc, width: bw)) }
            switch t.borders {
            case .all:
                hline(0)
                hline(h)
                for vx in xs { vline(vx) }
                vline(x + tableW)
            case .horizontal:
                if case .header = kind { hline(h) } else if case .total = kind {} else { hline(h) }
            case .outer:
                vline(x)
                vline(x + tableW)
                switch kind {
                case .header: hline(0); hline(h)
                case .body(let i): if i == 0 && t.header == nil { hline(0) }; if lastBody && t.totals.isEmpty { hline(h) }
                case .total(_, let last): if last { hline(h) }
                }
            case .none:
                break
            }
            if case .total(let first, _) = kind, first, t.borders != .all {
                ops.append(
                    .line(
                        x1: x, y1: 0, x2: x + tableW, y2: 0, color: t.borderColor == RGBA.black ? bc : RGBA(r: 0.3, g: 0.3, b: 0.3, a: 1),
                        width: max(bw, 0.75)))
            }
            return ops
        }

        var out: [Chunk] = []
        var headerID: Int?
        var maxRow = bodyHeight

        func rowChunks(_ cells: [RCell], _ kind: RowKind, lastBody: Bool) -> [Chunk] {
            var layouts: [TextLayout?] = []
            layouts.reserveCapacity(n)
            let isHeader: Bool
            if case .header = kind { isHeader = true } else { isHeader = false }
            for col in 0..<n {
                if col < cells.count {
                    layouts.append(cellLayout(cellText(cells[col], col, header: isHeader), width: widths[col] - 2 * pad))
                } else {
                    layouts.append(nil)
                }
            }
            var background: RGBA?
            switch kind {
            case .header: background = t.headerBackground
            case .body(let i): background = i % 2 == 1 ? t.zebra : nil
            case .total: background = nil
            }
            func piece(_ height: Double, _ textOps: [DrawOp]) -> Chunk {
                var fills: [DrawOp] = []
                if let bg = background { fills.append(.fill(x: x, y: 0, w: tableW, h: height, color: bg)) }
                for col in 0..<min(n, cells.count) {
                    if let cbg = cells[col].background { fills.append(.fill(x: xs[col], y: 0, w: widths[col], h: height, color: cbg)) }
                }
                var ops = artifact(fills)
                ops.append(contentsOf: textOps)
                ops.append(contentsOf: artifact(borders(kind, height, lastBody: lastBody)))
                return Chunk(height: height, ops: ops)
            }
            // Header cells are column headers; a key-value block's labels are row headers.
            func cellTag(_ col: Int) -> StructTag {
                if isHeader { return StructTag(role: "TH", attributes: "/A << /O /Table /Scope /Column >>") }
                if t.keyValue, col == 0 { return StructTag(role: "TH", attributes: "/A << /O /Table /Scope /Row >>") }
                return StructTag(role: "TD", language: col < cells.count ? ScriptLanguage.of(cells[col].text) : nil)
            }
            // A cell's text, with its links beside it (Cairo marks only leaf elements' content).
            func cellOps(_ col: Int, _ text: DrawOp?, links: [DrawOp]) -> [DrawOp] {
                let content = text.map { links.isEmpty ? [$0] : tagged(.span, [$0]) } ?? []
                return tagged(cellTag(col), content + links)
            }
            let contentH = layouts.compactMap { $0?.height }.max() ?? 0
            if contentH + 2 * pad <= maxRow || isHeader {
                var ops: [DrawOp] = [.beginTag(StructTag(role: "TR"))]
                for (col, l) in layouts.enumerated() {
                    guard let l else {
                        ops += cellOps(col, nil, links: [])
                        continue
                    }
                    let links = l.links.map { link in
                        DrawOp.link(
                            x: xs[col] + pad + link.x, y: pad + l.lines[link.lineIndex].top, w: link.width, h: l.lines[link.lineIndex].height,
                            uri: link.uri)
                    }
                    ops += cellOps(col, .text(l, x: xs[col] + pad, y: pad, lines: 0..<l.lines.count), links: links)
                }
                ops.append(.endTag(StructTag(role: "TR")))
                return [piece(contentH + 2 * pad, ops)]
            }
            // Taller than a page: split at line boundaries, each piece as tall as a page allows.
            let avail = maxRow - 2 * pad
            var next = [Int](repeating: 0, count: n)
            var pieces: [Chunk] = []
            while layouts.indices.contains(where: { col in layouts[col].map { next[col] < $0.lines.count } ?? false }) {
                // A row split over pages: each piece's cells are separate elements of the one TR.
                var ops: [DrawOp] = pieces.isEmpty ? [.beginTag(StructTag(role: "TR"))] : []
                var h = 0.0
                for (col, l) in layouts.enumerated() {
                    guard let l, next[col] < l.lines.count else { continue }
                    let start = next[col]
                    let top0 = l.lines[start].top
                    var end = start
                    while end < l.lines.count, end == start || l.lines[end].top + l.lines[end].height - top0 <= avail { end += 1 }
                    ops += cellOps(col, .text(l, x: xs[col] + pad, y: pad - top0, lines: start..<end), links: [])
                    h = max(h, l.lines[end - 1].top + l.lines[end - 1].height - top0)
                    next[col] = end
                }
                pieces.append(piece(h + 2 * pad, ops))
            }
            if !pieces.isEmpty { pieces[pieces.count - 1].ops.append(.endTag(StructTag(role: "TR"))) }
            return pieces
        }

        if let header = t.header {
            var hc = rowChunks(header, .header, lastBody: false)[0]
            headerID = headers.count
            hc.headerID = headerID
            hc.keepWithNext = !t.rows.isEmpty || !t.totals.isEmpty
            // Repeated on a continuation page, the header is an artifact: the tree holds it once.
            var repeated = hc
            repeated.ops = artifact(hc.ops)
            headers.append(repeated)
            out.append(hc)
            // A row that must share a page with the repeated header gets the page minus the header.
            if t.repeatHeader { maxRow = bodyHeight - hc.height }
        }
        for (i, row) in t.rows.enumerated() {
            try checkDeadline()
            for var c in rowChunks(row, .body(i), lastBody: i == t.rows.count - 1) {
                if t.repeatHeader { c.header = headerID }
                out.append(c)
            }
        }
        for (i, row) in t.totals.enumerated() {
            for var c in rowChunks(row, .total(first: i == 0, last: i == t.totals.count - 1), lastBody: false) {
                if t.repeatHeader { c.header = headerID }
                out.append(c)
            }
        }
        if !out.isEmpty {
            out[0].ops.insert(.beginTag(StructTag(role: "Table")), at: 0)
            out[out.count - 1].ops.append(.endTag(StructTag(role: "Table")))
        }
        return out
    }
}
