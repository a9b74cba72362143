import Core
import Foundation

// Binding: the document + data become a tree of resolved blocks (all tokens substituted, loops expanded,
// conditionals decided). Only `{{page}}`/`{{pages}}` in headers and footers stay symbolic (as
// private-use sentinels) until each page is drawn.

struct RGBA: Hashable {
    var r, g, b, a: Double

    static let black = RGBA(r: 0, g: 0, b: 0, a: 1)

    static let names: [String: RGBA] = [
        "black": .black, "white": RGBA(r: 1, g: 1, b: 1, a: 1), "red": RGBA(r: 0.8, g: 0, b: 0, a: 1),
        "green": RGBA(r: 0, g: 0.5, b: 0, a: 1), "blue": RGBA(r: 0, g: 0, b: 0.8, a: 1),
        "gray": RGBA(r: 0.5, g: 0.5, b: 0.5, a: 1), "grey": RGBA(r: 0.5, g: 0.5, b: 0.5, a: 1),
        "transparent": RGBA(r: 0, g: 0, b: 0, a: 0),
    ]

    /// `#rgb`, `#rrggbb`, `#rrggbbaa` or a basic colour name.
    static func parse(_ s: String?) -> RGBA? {
        guard let raw = s?.trimmingCharacters(in: .whitespaces).lowercased(), !raw.isEmpty else { return nil }
        if let n = names[raw] { return n }
        guard raw.hasPrefix("#") else { return nil }
        var hex = String(raw.dropFirst())
        if hex.count == 3 { hex = hex.map { "\($0)\($0)" }.joined() }
        guard hex.count == 6 || hex.count == 8, let v = UInt64(hex, radix: 16) else { return nil }
        if hex.count == 6 {
            return RGBA(r: Double((v >> 16) & 0xFF) / 255, g: Double((v >> 8) & 0xFF) / 255, b: Double(v & 0xFF) / 255, a: 1)
        }
        return RGBA(r: Double((v >> 24) & 0xFF) / 255, g: Double((v >> 16) & 0xFF) / 255, b: Double((v >> 8) & 0xFF) / 255, a: Double(v & 0xFF) / 255)
    }
}

struct RRun {
    var text: String
    var bold = false
    var italic = false
    var underline = false
    var color: RGBA?
    var size: Double?
    var family: String?
    var link: String?
}

struct RText {
    var runs: [RRun]
    var align: TextAlign = .left
    var direction: TextDirection = .auto
    var size: Double
    var family: String
    var color: RGBA
    var bold = false
    var italic = false
    var lineHeight: Double = 1
    var spaceBefore: Double = 0
    var spaceAfter: Double = 0
    /// Headings stay on the page of the block that follows them.
    var keepWithNext = false
    /// Structure role in a tagged PDF: `P`, or `H1`…`H6` for a heading.
    var role = "P"

    var plainText: String { runs.map(\.text).joined() }
}

struct RCell {
    var text: String
    var bold = false
    var italic = false
    var color: RGBA?
    var background: RGBA?
    var align: TextAlign?
}

struct RTable {
    var widths: [ColumnWidth?]
    var aligns: [TextAlign?]
    var header: [RCell]?
    var rows: [[RCell]]
    var totals: [[RCell]]
    var repeatHeader: Bool
    var borders: TableBorders
    var borderColor: RGBA
    var borderWidth: Double
    var padding: Double
    var zebra: RGBA?
    var headerBackground: RGBA?
    var headerColor: RGBA?
    var fontSize: Double
    var family: String
    var color: RGBA
    var lineHeight: Double
    var spaceBefore: Double
    var spaceAfter: Double
    /// A key-value block: each row's first cell is a row header in a tagged PDF.
    var keyValue = false
}

struct RImage {
    var image: BoundImage
    var width: Double?
    var height: Double?
    var fit: ImageFit
    var align: HorizontalAlign
    var link: String?
    var spaceBefore: Double
    var spaceAfter: Double
    /// Alternative text of the Figure in a tagged PDF (docs/document-model.md#accessibility-and-archiving).
    var alt = "Image"
}

struct RSignature {
    var image: BoundImage?
    var caption: RText?
    var detail: RText?
    var width: Double
    var imageHeight: Double
    var align: HorizontalAlign
    var lineColor: RGBA
    var spaceBefore: Double
    var spaceAfter: Double
}

indirect enum RBlock {
    case text(RText)
    case image(RImage)
    case table(RTable)
    case columns(widths: [ColumnWidth?], gap: Double, columns: [[RBlock]], spaceBefore: Double, spaceAfter: Double)
    case divider(color: RGBA, thickness: Double, spaceBefore: Double, spaceAfter: Double)
    case spacer(Double)
    case pageBreak
    case group([RBlock], keepTogether: Bool)
    case signature(RSignature)
}

/// Private-use characters standing for `{{page}}` and `{{pages}}` until the page is drawn.
enum PageToken {
    static let page = "\u{E000}"
    static let pages = "\u{E001}"
}

/// Binds one document to one data object.
final class Resolver {
    let document: Document
    let formatting: Formatting
    let limits: RenderLimits
    let deadline: ContinuousClock.Instant
    var scope: Scope
    let baseFamily: String
    let baseSize: Double
    let baseColor: RGBA
    let baseLineHeight: Double
    /// Every image the resolved tree needs.
    var images: Set<BoundImage> = []
    /// Every font family the resolved tree asks for.
    var families: Set<String> = []
    private var inDecoration = false
    private var templateCache: [String: TextTemplate] = [:]
    private var steps = 0

    init(document: Document, data: JSONValue, formatting: Formatting, limits: RenderLimits, deadline: ContinuousClock.Instant, defaultFamily: String)
    {
        self.document = document
        self.formatting = formatting
        self.limits = limits
        self.deadline = deadline
        scope = Scope(root: data)
        baseFamily = document.style?.fontFamily ?? defaultFamily
        baseSize = document.style?.fontSize ?? 10
        baseColor = RGBA.parse(document.style?.color) ?? RGBA(r: 0.12, g: 0.12, b: 0.12, a: 1)
        baseLineHeight = document.style?.lineHeight ?? 1
        families.insert(baseFamily)
    }

    func checkDeadline() throws {
        steps += 1
        if steps & 63 == 0 {
            if ContinuousClock.now > deadline { throw RenderError.timeout(seconds: limits.timeout.seconds) }
            if Task.isCancelled { throw CancellationError() }
        }
    }

    // MARK: strings

    func template(_ s: String) -> TextTemplate {
        if let t = templateCache[s] { return t }
        let t = TextTemplate(s)
        templateCache[s] = t
        return t
    }

    /// Substitutes every token in `s`.
    func bind(_ s: String?) throws -> String {
        guard let s, !s.isEmpty else { return "" }
        guard s.contains("{{") else { return s }
        var out = ""
        for seg in template(s).segments {
            switch seg {
            case .literal(let l): out += l
            case .token(let t): out += try value(of: t)
            }
        }
        return out
    }

    func value(of token: Token) throws -> String {
        if inDecoration, token.formatters.isEmpty {
            if token.path == "page" { return PageToken.page }
            if token.path == "pages" { return PageToken.pages }
        }
        return try formatting.apply(scope.lookup(token.path), token.formatters)
    }

    // MARK: blocks

    func resolveBody() throws -> [RBlock] {
        try resolve(document.blocks)
    }

    func resolveDecoration(_ blocks: [Block]) throws -> [RBlock] {
        inDecoration = true
        defer { inDecoration = false }
        return try resolve(blocks)
    }

    func resolve(_ blocks: [Block]) throws -> [RBlock] {
        var out: [RBlock] = []
        out.reserveCapacity(blocks.count)
        for b in blocks { try resolve(b, into: &out) }
        return out
    }

    /// The items of loop `key`, checked against the loop limit.
    func loopItems(_ key: String) throws -> [JSONValue] {
        guard case .array(let items)? = scope.lookupLoop(key) else { return [] }
        if items.count > limits.maxLoopItems {
            throw RenderError.tooManyLoopItems(loop: key, count: items.count, limit: limits.maxLoopItems)
        }
        return items
    }

    func withItems(_ key: String, _ items: [JSONValue], _ body: (Int) throws -> Void) rethrows {
        for (i, item) in items.enumerated() {
            scope.frames.append(Scope.Frame(item: item, index: i, loopKey: key))
            defer { scope.frames.removeLast() }
            try body(i)
        }
    }

    func resolve(_ block: Block, into out: inout [RBlock]) throws {
        try checkDeadline()
        switch block {
        case .heading(let t):
            let level = min(max(t.level ?? 1, 1), 6)
            let sizes: [Double] = [22, 18, 15, 13, 11.5, 10.5]
            let scale = sizes[level - 1] / 10
            var heading = try text(t, defaultSize: baseSize * scale, defaultBold: true, defaultSpaceAfter: 6 + Double(6 - level))
            heading.keepWithNext = true
            heading.role = "H\(level)"
            out.append(.text(heading))
        case .paragraph(let t):
            out.append(.text(try text(t, defaultSize: baseSize, defaultBold: false, defaultSpaceAfter: 6)))
        case .image(let i):
            guard let bound = try BoundImage.classify(try bind(i.src)) else { return }
            images.insert(bound)
            out.append(
                .image(
                    RImage(
                        image: bound, width: i.width?.points, height: i.height?.points, fit: i.fit ?? .contain,
                        align: i.align ?? .left, link: try i.link.map { try bind($0) }.flatMap { $0.isEmpty ? nil : $0 },
                        spaceBefore: i.spaceBefore?.points ?? 0, spaceAfter: i.spaceAfter?.points ?? 6, alt: try altText(i))))
        case .table(let t):
            out.append(.table(try table(t)))
        case .repeatSection(let r):
            let items = try loopItems(r.loop)
            if items.isEmpty {
                if let e = r.empty { for b in e { try resolve(b, into: &out) } }
                return
            }
            try withItems(r.loop, items) { _ in
                for b in r.blocks { try resolve(b, into: &out) }
            }
        case .columns(let c):
            let cols = try c.columns.prefix(4).map { try resolve($0.blocks) }
            out.append(
                .columns(
                    widths: c.columns.prefix(4).map(\.width), gap: c.gap?.points ?? 12, columns: cols,
                    spaceBefore: c.spaceBefore?.points ?? 0, spaceAfter: c.spaceAfter?.points ?? 6))
        case .keyValue(let kv):
            let rows = try kv.items.map { item in
                [RCell(text: try bind(item.label), bold: kv.boldLabels ?? true), RCell(text: try bind(item.value))]
            }
            var table = RTable(
                widths: [kv.labelWidth ?? .percent(35), .auto], aligns: [nil, nil], header: nil, rows: rows, totals: [],
                repeatHeader: false, borders: .none, borderColor: .black, borderWidth: 0, padding: 2, zebra: nil,
                headerBackground: nil, headerColor: nil, fontSize: baseSize, family: baseFamily, color: baseColor,
                lineHeight: baseLineHeight, spaceBefore: kv.spaceBefore?.points ?? 0, spaceAfter: kv.spaceAfter?.points ?? 6)
            table.keyValue = true
            out.append(.table(table))
        case .divider(let d):
            out.append(
                .divider(
                    color: RGBA.parse(d.color) ?? RGBA(r: 0.75, g: 0.75, b: 0.75, a: 1), thickness: d.thickness ?? 0.75,
                    spaceBefore: d.spaceBefore?.points ?? 4, spaceAfter: d.spaceAfter?.points ?? 8))
        case .spacer(let s):
            out.append(.spacer(max(0, s.height.points)))
        case .pageBreak:
            out.append(.pageBreak)
        case .group(let g):
            out.append(.group(try resolve(g.blocks), keepTogether: g.keepTogether ?? true))
        case .conditional(let c):
            let v = scope.lookup(c.when.variable)
            var holds: Bool
            if let eq = c.when.equals {
                holds = Resolver.same(v, eq)
            } else if let ne = c.when.notEquals {
                holds = !Resolver.same(v, ne)
            } else {
                holds = v?.isTruthy ?? false
            }
            for b in (holds ? c.blocks : (c.otherwise ?? [])) { try resolve(b, into: &out) }
        case .signature(let s):
            var image: BoundImage?
            if let src = s.src, let bound = try BoundImage.classify(try bind(src)) {
                images.insert(bound)
                image = bound
            }
            let caption = try s.caption.map { try text(TextBlock(text: $0), defaultSize: baseSize * 0.9, defaultBold: false, defaultSpaceAfter: 0) }
            let detail = try s.detail.map {
                var t = try text(TextBlock(text: $0), defaultSize: baseSize * 0.8, defaultBold: false, defaultSpaceAfter: 0)
                t.color = RGBA(r: 0.35, g: 0.35, b: 0.35, a: 1)
                return t
            }
            out.append(
                .signature(
                    RSignature(
                        image: image, caption: caption, detail: detail, width: s.width?.points ?? 200,
                        imageHeight: s.imageHeight?.points ?? 60, align: s.align ?? .left,
                        lineColor: RGBA(r: 0.2, g: 0.2, b: 0.2, a: 1),
                        spaceBefore: s.spaceBefore?.points ?? 12, spaceAfter: s.spaceAfter?.points ?? 8)))
        }
    }

    /// An image's alternative text: its `alt`, else the label of the variable its `src` is bound to, else
    /// "Image".
    func altText(_ i: ImageBlock) throws -> String {
        let alt = try bind(i.alt).trimmingCharacters(in: .whitespacesAndNewlines)
        if !alt.isEmpty { return alt }
        if let token = template(i.src).singleToken,
            let label = document.variables?.first(where: { $0.key == token.path })?.label.trimmingCharacters(in: .whitespaces), !label.isEmpty
        {
            return label
        }
        return "Image"
    }

    static func same(_ v: JSONValue?, _ expected: JSONValue) -> Bool {
        guard let v else { return expected == .null }
        if v == expected { return true }
        if let a = v.numberValue, let b = expected.numberValue { return a == b }
        if case .string(let s) = expected { return v.plainText == s }
        return false
    }

    func text(_ t: TextBlock, defaultSize: Double, defaultBold: Bool, defaultSpaceAfter: Double) throws -> RText {
        let family = t.fontFamily ?? baseFamily
        families.insert(family)
        var runs: [RRun]
        if let rs = t.runs {
            runs = try rs.map { r in
                if let f = r.fontFamily { families.insert(f) }
                let link = try r.link.map { try bind($0) }
                return RRun(
                    text: try bind(r.text), bold: r.bold ?? false, italic: r.italic ?? false, underline: r.underline ?? false,
                    color: RGBA.parse(r.color), size: r.fontSize, family: r.fontFamily,
                    link: (link?.isEmpty ?? true) ? nil : link)
            }
        } else {
            runs = [RRun(text: try bind(t.text))]
        }
        return RText(
            runs: runs, align: t.align ?? .left, direction: t.direction ?? .auto, size: t.fontSize ?? defaultSize,
            family: family, color: RGBA.parse(t.color) ?? baseColor, bold: t.bold ?? defaultBold, italic: t.italic ?? false,
            lineHeight: t.lineHeight ?? baseLineHeight, spaceBefore: t.spaceBefore?.points ?? 0,
            spaceAfter: t.spaceAfter?.points ?? defaultSpaceAfter)
    }

    func cell(_ c: TableCell) throws -> RCell {
        RCell(
            text: try bind(c.text), bold: c.bold ?? false, italic: c.italic ?? false, color: RGBA.parse(c.color),
            background: RGBA.parse(c.background), align: c.align)
    }

    func table(_ t: TableBlock) throws -> RTable {
        let style = t.style ?? TableStyle()
        var header: [RCell]?
        if t.showHeader ?? true, t.columns.contains(where: { $0.header != nil }) {
            header = try t.columns.map { RCell(text: try bind($0.header ?? ""), bold: true) }
        }
        var rows: [[RCell]] = []
        if let loop = t.loop {
            let items = try loopItems(loop)
            rows.reserveCapacity(items.count)
            let templates = t.columns.map { $0.cell ?? "" }
            try withItems(loop, items) { _ in
                try checkDeadline()
                rows.append(try templates.map { RCell(text: try bind($0)) })
            }
            if items.isEmpty, let e = t.emptyText {
                var row = [RCell(text: try bind(e), italic: true)]
                row.append(contentsOf: Array(repeating: RCell(text: ""), count: max(0, t.columns.count - 1)))
                rows.append(row)
            }
        }
        if let static_ = t.rows {
            for r in static_ { rows.append(try r.map { try cell($0) }) }
        }
        let totals = try (t.totals ?? []).map { r in
            try r.map { c -> RCell in
                var x = try cell(c); x.bold = c.bold ?? true; return x
            }
        }
        return RTable(
            widths: t.columns.map(\.width), aligns: t.columns.map(\.align), header: header, rows: rows, totals: totals,
            repeatHeader: t.repeatHeader ?? true, borders: style.borders ?? .horizontal,
            borderColor: RGBA.parse(style.borderColor) ?? RGBA(r: 0.8, g: 0.8, b: 0.8, a: 1), borderWidth: style.borderWidth ?? 0.5,
            padding: style.padding?.points ?? 4, zebra: RGBA.parse(style.zebra), headerBackground: RGBA.parse(style.headerBackground),
            headerColor: RGBA.parse(style.headerColor), fontSize: style.fontSize ?? baseSize, family: baseFamily, color: baseColor,
            lineHeight: baseLineHeight, spaceBefore: t.spaceBefore?.points ?? 2, spaceAfter: t.spaceAfter?.points ?? 8)
    }
}

extension Duration {
    var seconds: Double {
        let c = components
        return Double(c.seconds) + Double(c.attoseconds) / 1e18
    }
}
