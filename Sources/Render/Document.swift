import Core
import Foundation

// The document model: what a template version stores and what the engine renders.
// JSON reference: docs/document-model.md and docs/document-model.schema.json.
// Lengths are PDF points (1/72 in) unless written as a string with a unit ("20mm", "1in").

/// A document: page setup, optional header/footer, body blocks and the variables it declares.
public struct Document: Codable, Sendable, Equatable {
    /// Model version; `1` today.
    public var version: Int?
    public var meta: DocumentMeta?
    public var page: PageSetup?
    /// Default text style of every block (family, size, colour, line height).
    public var style: BaseStyle?
    /// BCP 47 locale for formatters (`de-DE`, `en-US`); `en-US` when absent.
    public var locale: String?
    /// What kind of PDF this document becomes: tagged for assistive technology, PDF/A for archives
    /// (docs/document-model.md#accessibility-and-archiving).
    public var pdf: PDFSettings?
    public var header: PageDecoration?
    public var footer: PageDecoration?
    /// Variables the document declares (types, labels); used by manifest extraction.
    public var variables: [VariableDefinition]?
    /// Loops the document declares.
    public var loops: [LoopDefinition]?
    public var blocks: [Block]

    public init(
        meta: DocumentMeta? = nil, page: PageSetup? = nil, style: BaseStyle? = nil, locale: String? = nil,
        header: PageDecoration? = nil, footer: PageDecoration? = nil,
        variables: [VariableDefinition]? = nil, loops: [LoopDefinition]? = nil, blocks: [Block]
    ) {
        self.version = 1
        self.meta = meta
        self.page = page
        self.style = style
        self.locale = locale
        self.header = header
        self.footer = footer
        self.variables = variables
        self.loops = loops
        self.blocks = blocks
    }
}

/// The PDF standards a document's output meets. A render request may ask for PDF/A on its own
/// (`options.pdfa`); the document's setting is the template's default.
public struct PDFSettings: Codable, Sendable, Equatable {
    /// A structure tree (PDF/UA-1) for screen readers and reflow; off when absent.
    public var tagged: Bool?
    /// BCP 47 language of the text (`de-DE`); the document's `locale` when absent.
    public var language: String?
    /// PDF/A conformance level; none when absent.
    public var pdfa: PDFAConformance?

    public init(tagged: Bool? = nil, language: String? = nil, pdfa: PDFAConformance? = nil) {
        self.tagged = tagged
        self.language = language
        self.pdfa = pdfa
    }
}

/// PDF/A-2b (archival) or PDF/A-3b (archival with embedded files, as Factur-X/ZUGFeRD need).
public enum PDFAConformance: String, Codable, Sendable, Equatable, CaseIterable {
    case a2b = "2b"
    case a3b = "3b"

    /// The `pdfaid:part` this level declares.
    public var part: Int { self == .a2b ? 2 : 3 }
}

/// PDF metadata. Each field may contain `{{tokens}}`.
public struct DocumentMeta: Codable, Sendable, Equatable {
    public var title: String?
    public var author: String?
    public var subject: String?
    public var keywords: String?
    public var creator: String?

    public init(title: String? = nil, author: String? = nil, subject: String? = nil, keywords: String? = nil, creator: String? = nil) {
        self.title = title
        self.author = author
        self.subject = subject
        self.keywords = keywords
        self.creator = creator
    }
}

/// A length in PDF points, written in JSON as a number (points) or a string with a unit:
/// `pt`, `mm`, `cm`, `in`, `px` (1/96 in).
public struct Length: Codable, Sendable, Equatable, Hashable, ExpressibleByFloatLiteral, ExpressibleByIntegerLiteral {
    public var points: Double

    public init(points: Double) { self.points = points }
    public init(floatLiteral value: Double) { points = value }
    public init(integerLiteral value: Int) { points = Double(value) }
    public static func mm(_ v: Double) -> Length { Length(points: v * 72 / 25.4) }

    /// Parses `"12"`, `"12pt"`, `"20mm"`, `"2cm"`, `"1in"`, `"16px"`.
    public init?(string: String) {
        let s = string.trimmingCharacters(in: .whitespaces).lowercased()
        let units: [(String, Double)] = [("pt", 1), ("mm", 72 / 25.4), ("cm", 720 / 25.4), ("in", 72), ("px", 0.75)]
        for (suffix, factor) in units where s.hasSuffix(suffix) {
            guard let v = Double(s.dropLast(suffix.count).trimmingCharacters(in: .whitespaces)) else { return nil }
            points = v * factor
            return
        }
        guard let v = Double(s) else { return nil }
        points = v
    }

    public init(from decoder: any Decoder) throws {
        let c = try decoder.singleValueContainer()
        if let v = try? c.decode(Double.self) {
            points = v
        } else {
            let s = try c.decode(String.self)
            guard let l = Length(string: s) else {
                throw DecodingError.dataCorruptedError(
                    in: c, debugDescription: "invalid length \"\(s)\" (use a number of points or 12pt, 20mm, 2cm, 1in, 16px)")
            }
            points = l.points
        }
    }

    public func encode(to encoder: any Encoder) throws {
        var c = encoder.singleValueContainer()
        try c.encode(points)
    }
}

/// Paper size: a name (`A3`, `A4`, `A5`, `Letter`, `Legal`) or `{width, height}`.
public enum PaperSize: Codable, Sendable, Equatable {
    case named(String)
    case custom(width: Length, height: Length)

    static let known: [String: (Double, Double)] = [
        "a3": (841.89, 1190.55), "a4": (595.28, 841.89), "a5": (419.53, 595.28),
        "letter": (612, 792), "legal": (612, 1008),
    ]

    /// Portrait width and height in points, or `nil` for an unknown name.
    public var dimensions: (width: Double, height: Double)? {
        switch self {
        case .named(let n): return PaperSize.known[n.lowercased()].map { (width: $0.0, height: $0.1) }
        case .custom(let w, let h): return (w.points, h.points)
        }
    }

    enum CodingKeys: String, CodingKey { case width, height }

    public init(from decoder: any Decoder) throws {
        if let c = try? decoder.singleValueContainer(), let s = try? c.decode(String.self) {
            self = .named(s)
            return
        }
        let c = try decoder.container(keyedBy: CodingKeys.self)
        self = .custom(width: try c.decode(Length.self, forKey: .width), height: try c.decode(Length.self, forKey: .height))
    }

    public func encode(to encoder: any Encoder) throws {
        switch self {
        case .named(let n):
            var c = encoder.singleValueContainer()
            try c.encode(n)
        case .custom(let w, let h):
            var c = encoder.container(keyedBy: CodingKeys.self)
            try c.encode(w, forKey: .width)
            try c.encode(h, forKey: .height)
        }
    }
}

public enum Orientation: String, Codable, Sendable, Equatable {
    case portrait, landscape
}

/// Margins: a single length for all four sides or `{top, right, bottom, left}`.
public struct Margins: Codable, Sendable, Equatable {
    public var top: Length
    public var right: Length
    public var bottom: Length
    public var left: Length

    public init(all: Length) { top = all; right = all; bottom = all; left = all }
    public init(top: Length, right: Length, bottom: Length, left: Length) {
        self.top = top
        self.right = right
        self.bottom = bottom
        self.left = left
    }

    enum CodingKeys: String, CodingKey { case top, right, bottom, left }

    public init(from decoder: any Decoder) throws {
        if let c = try? decoder.singleValueContainer(), let all = try? c.decode(Length.self) {
            self.init(all: all)
            return
        }
        let c = try decoder.container(keyedBy: CodingKeys.self)
        let d = Length.mm(20)
        self.init(
            top: try c.decodeIfPresent(Length.self, forKey: .top) ?? d,
            right: try c.decodeIfPresent(Length.self, forKey: .right) ?? d,
            bottom: try c.decodeIfPresent(Length.self, forKey: .bottom) ?? d,
            left: try c.decodeIfPresent(Length.self, forKey: .left) ?? d)
    }

    public func encode(to encoder: any Encoder) throws {
        var c = encoder.container(keyedBy: CodingKeys.self)
        try c.encode(top, forKey: .top)
        try c.encode(right, forKey: .right)
        try c.encode(bottom, forKey: .bottom)
        try c.encode(left, forKey: .left)
    }
}

/// Page setup; defaults: A4 portrait, 20 mm margins.
public struct PageSetup: Codable, Sendable, Equatable {
    public var size: PaperSize?
    public var orientation: Orientation?
    public var margins: Margins?

    public init(size: PaperSize? = nil, orientation: Orientation? = nil, margins: Margins? = nil) {
        self.size = size
        self.orientation = orientation
        self.margins = margins
    }
}

/// Default text style.
public struct BaseStyle: Codable, Sendable, Equatable {
    /// A font family or a comma-separated list (`"Noto Sans, Noto Sans CJK JP"`); `Noto Sans` when absent.
    public var fontFamily: String?
    public var fontSize: Double?
    public var color: String?
    /// Line height as a multiple of the font's natural line height (1 = natural).
    public var lineHeight: Double?

    public init(fontFamily: String? = nil, fontSize: Double? = nil, color: String? = nil, lineHeight: Double? = nil) {
        self.fontFamily = fontFamily
        self.fontSize = fontSize
        self.color = color
        self.lineHeight = lineHeight
    }
}

/// A header or footer: blocks repeated on every page, with optional first-page and last-page variants.
/// Text inside may use `{{page}}` and `{{pages}}`.
public struct PageDecoration: Codable, Sendable, Equatable {
    public var blocks: [Block]
    /// Used instead of `blocks` on the first page (an empty array hides the decoration there).
    public var firstPage: [Block]?
    /// Used instead of `blocks` on the last page (the first-page variant wins on a one-page document).
    public var lastPage: [Block]?
    /// Space between the decoration and the body; 12 pt when absent.
    public var gap: Length?

    public init(blocks: [Block], firstPage: [Block]? = nil, lastPage: [Block]? = nil, gap: Length? = nil) {
        self.blocks = blocks
        self.firstPage = firstPage
        self.lastPage = lastPage
        self.gap = gap
    }
}

public enum TextAlign: String, Codable, Sendable, Equatable {
    /// `left` and `right` follow the paragraph direction: `left` is the start side (right in RTL text).
    case left, right, center, justify
}

public enum TextDirection: String, Codable, Sendable, Equatable {
    case auto, ltr, rtl
}

/// A run of rich text. `text` may contain `{{tokens}}`.
public struct TextRun: Codable, Sendable, Equatable {
    public var text: String
    public var bold: Bool?
    public var italic: Bool?
    public var underline: Bool?
    public var color: String?
    public var fontSize: Double?
    public var fontFamily: String?
    /// A hyperlink target (http(s) or mailto); may contain tokens.
    public var link: String?

    public init(
        _ text: String, bold: Bool? = nil, italic: Bool? = nil, underline: Bool? = nil, color: String? = nil,
        fontSize: Double? = nil, fontFamily: String? = nil, link: String? = nil
    ) {
        self.text = text
        self.bold = bold
        self.italic = italic
        self.underline = underline
        self.color = color
        self.fontSize = fontSize
        self.fontFamily = fontFamily
        self.link = link
    }
}

/// Text content and style shared by headings and paragraphs.
public struct TextBlock: Codable, Sendable, Equatable {
    /// Plain text (with tokens); used when `runs` is absent.
    public var text: String?
    public var runs: [TextRun]?
    /// Heading level 1–6 (headings only).
    public var level: Int?
    public var align: TextAlign?
    public var direction: TextDirection?
    public var fontSize: Double?
    public var fontFamily: String?
    public var color: String?
    public var bold: Bool?
    public var italic: Bool?
    public var lineHeight: Double?
    public var spaceBefore: Length?
    public var spaceAfter: Length?

    public init(
        text: String? = nil, runs: [TextRun]? = nil, level: Int? = nil, align: TextAlign? = nil,
        fontSize: Double? = nil, color: String? = nil, bold: Bool? = nil, spaceAfter: Length? = nil
    ) {
        self.text = text
        self.runs = runs
        self.level = level
        self.align = align
        self.fontSize = fontSize
        self.color = color
        self.bold = bold
        self.spaceAfter = spaceAfter
    }
}

public enum ImageFit: String, Codable, Sendable, Equatable {
    /// Scale to fit inside the box, keeping the aspect ratio.
    case contain
    /// Fill the box, keeping the aspect ratio; the overflow is cropped.
    case cover
    /// Exactly `width` x `height` (with one of them, the other follows the aspect ratio).
    case fixed
}

public enum HorizontalAlign: String, Codable, Sendable, Equatable {
    case left, center, right
}

/// An image. `src` is a template: an http(s) URL, a `data:` URI, `asset:<name>` (a static asset the
/// image loader knows), or a binding such as `{{company.logo}}` (an `image` variable).
public struct ImageBlock: Codable, Sendable, Equatable {
    public var src: String
    public var width: Length?
    public var height: Length?
    public var fit: ImageFit?
    public var align: HorizontalAlign?
    public var alt: String?
    public var link: String?
    public var spaceBefore: Length?
    public var spaceAfter: Length?

    public init(src: String, width: Length? = nil, height: Length? = nil, fit: ImageFit? = nil, align: HorizontalAlign? = nil) {
        self.src = src
        self.width = width
        self.height = height
        self.fit = fit
        self.align = align
    }
}

/// A table column width: points, `"30%"` of the table width, or `"auto"` (shares what is left, by content).
public enum ColumnWidth: Codable, Sendable, Equatable {
    case fixed(Length)
    case percent(Double)
    case auto

    public init(from decoder: any Decoder) throws {
        let c = try decoder.singleValueContainer()
        if let v = try? c.decode(Double.self) {
            self = .fixed(Length(points: v))
            return
        }
        let s = try c.decode(String.self).trimmingCharacters(in: .whitespaces)
        if s.lowercased() == "auto" {
            self = .auto
        } else if s.hasSuffix("%"), let p = Double(s.dropLast()) {
            self = .percent(p)
        } else if let l = Length(string: s) {
            self = .fixed(l)
        } else {
            throw DecodingError.dataCorruptedError(in: c, debugDescription: "invalid column width \"\(s)\"")
        }
    }

    public func encode(to encoder: any Encoder) throws {
        var c = encoder.singleValueContainer()
        switch self {
        case .fixed(let l): try c.encode(l.points)
        case .percent(let p): try c.encode("\(p)%")
        case .auto: try c.encode("auto")
        }
    }
}

public struct TableColumn: Codable, Sendable, Equatable {
    /// Header text (tokens allowed).
    public var header: String?
    /// For loop tables: the cell template, item-relative (`{{description}}`, `{{price | money:EUR}}`).
    public var cell: String?
    public var width: ColumnWidth?
    public var align: TextAlign?

    public init(header: String? = nil, cell: String? = nil, width: ColumnWidth? = nil, align: TextAlign? = nil) {
        self.header = header
        self.cell = cell
        self.width = width
        self.align = align
    }
}

/// A table cell: a string (tokens allowed) or `{text, bold, italic, color, background, align}`.
public struct TableCell: Codable, Sendable, Equatable, ExpressibleByStringLiteral {
    public var text: String
    public var bold: Bool?
    public var italic: Bool?
    public var color: String?
    public var background: String?
    public var align: TextAlign?

    public init(_ text: String, bold: Bool? = nil, align: TextAlign? = nil) {
        self.text = text
        self.bold = bold
        self.align = align
    }

    public init(stringLiteral value: String) { self.init(value) }

    enum CodingKeys: String, CodingKey { case text, bold, italic, color, background, align }

    public init(from decoder: any Decoder) throws {
        if let c = try? decoder.singleValueContainer() {
            if let s = try? c.decode(String.self) {
                self.init(s)
                return
            }
            if let n = try? c.decode(Double.self) {
                self.init(JSONValue.number(n).plainText)
                return
            }
        }
        let c = try decoder.container(keyedBy: CodingKeys.self)
        self.init(
            try c.decodeIfPresent(String.self, forKey: .text) ?? "", bold: try c.decodeIfPresent(Bool.self, forKey: .bold),
            align: try c.decodeIfPresent(TextAlign.self, forKey: .align))
        italic = try c.decodeIfPresent(Bool.self, forKey: .italic)
        color = try c.decodeIfPresent(String.self, forKey: .color)
        background = try c.decodeIfPresent(String.self, forKey: .background)
    }

    public func encode(to encoder: any Encoder) throws {
        if bold == nil, italic == nil, color == nil, background == nil, align == nil {
            var c = encoder.singleValueContainer()
            try c.encode(text)
            return
        }
        var c = encoder.container(keyedBy: CodingKeys.self)
        try c.encode(text, forKey: .text)
        try c.encodeIfPresent(bold, forKey: .bold)
        try c.encodeIfPresent(italic, forKey: .italic)
        try c.encodeIfPresent(color, forKey: .color)
        try c.encodeIfPresent(background, forKey: .background)
        try c.encodeIfPresent(align, forKey: .align)
    }
}

public enum TableBorders: String, Codable, Sendable, Equatable {
    /// Every cell boxed.
    case all
    /// Lines between rows only (and under the header).
    case horizontal
    /// A frame around the table and a line under the header.
    case outer
    case none
}

public struct TableStyle: Codable, Sendable, Equatable {
    public var borders: TableBorders?
    public var borderColor: String?
    public var borderWidth: Double?
    /// Cell padding; 4 pt when absent.
    public var padding: Length?
    /// Background of every second body row.
    public var zebra: String?
    public var headerBackground: String?
    public var headerColor: String?
    public var fontSize: Double?

    public init(
        borders: TableBorders? = nil, borderColor: String? = nil, borderWidth: Double? = nil, padding: Length? = nil,
        zebra: String? = nil, headerBackground: String? = nil, headerColor: String? = nil, fontSize: Double? = nil
    ) {
        self.borders = borders
        self.borderColor = borderColor
        self.borderWidth = borderWidth
        self.padding = padding
        self.zebra = zebra
        self.headerBackground = headerBackground
        self.headerColor = headerColor
        self.fontSize = fontSize
    }
}

/// A table: static `rows`, or one row per item of `loop` built from each column's `cell` template.
/// The header row repeats on every page; a row never splits unless it is taller than a page.
public struct TableBlock: Codable, Sendable, Equatable {
    public var columns: [TableColumn]
    public var rows: [[TableCell]]?
    /// Loop key (top-level in `data`, or item-relative inside another loop).
    public var loop: String?
    /// Rows after the body (totals), drawn bold above a rule.
    public var totals: [[TableCell]]?
    /// Show the header row; `true` when absent.
    public var showHeader: Bool?
    /// Repeat the header row on every page; `true` when absent.
    public var repeatHeader: Bool?
    /// Text of a single row shown when the loop is empty.
    public var emptyText: String?
    public var style: TableStyle?
    public var spaceBefore: Length?
    public var spaceAfter: Length?

    public init(columns: [TableColumn], rows: [[TableCell]]? = nil, loop: String? = nil, totals: [[TableCell]]? = nil, style: TableStyle? = nil) {
        self.columns = columns
        self.rows = rows
        self.loop = loop
        self.totals = totals
        self.style = style
    }
}

/// Any blocks repeated once per item of `loop`.
public struct RepeatBlock: Codable, Sendable, Equatable {
    public var loop: String
    public var blocks: [Block]
    /// Blocks shown when the loop is empty.
    public var empty: [Block]?

    public init(loop: String, blocks: [Block], empty: [Block]? = nil) {
        self.loop = loop
        self.blocks = blocks
        self.empty = empty
    }
}

public struct Column: Codable, Sendable, Equatable {
    public var width: ColumnWidth?
    public var blocks: [Block]

    public init(width: ColumnWidth? = nil, blocks: [Block]) {
        self.width = width
        self.blocks = blocks
    }
}

/// 2–4 side-by-side columns of blocks, kept on one page when they fit.
public struct ColumnsBlock: Codable, Sendable, Equatable {
    public var columns: [Column]
    /// Gap between columns; 12 pt when absent.
    public var gap: Length?
    public var spaceBefore: Length?
    public var spaceAfter: Length?

    public init(columns: [Column], gap: Length? = nil) {
        self.columns = columns
        self.gap = gap
    }
}

public struct KeyValueItem: Codable, Sendable, Equatable {
    public var label: String
    public var value: String

    public init(label: String, value: String) {
        self.label = label
        self.value = value
    }
}

/// Label–value pairs in two aligned columns.
public struct KeyValueBlock: Codable, Sendable, Equatable {
    public var items: [KeyValueItem]
    /// Width of the label column; 35% when absent.
    public var labelWidth: ColumnWidth?
    /// Labels bold; `true` when absent.
    public var boldLabels: Bool?
    public var spaceBefore: Length?
    public var spaceAfter: Length?

    public init(items: [KeyValueItem], labelWidth: ColumnWidth? = nil) {
        self.items = items
        self.labelWidth = labelWidth
    }
}

public struct DividerBlock: Codable, Sendable, Equatable {
    public var color: String?
    public var thickness: Double?
    public var spaceBefore: Length?
    public var spaceAfter: Length?

    public init(color: String? = nil, thickness: Double? = nil) {
        self.color = color
        self.thickness = thickness
    }
}

public struct SpacerBlock: Codable, Sendable, Equatable {
    public var height: Length

    public init(height: Length) { self.height = height }
}

/// Blocks kept together on one page when they fit on a page.
public struct GroupBlock: Codable, Sendable, Equatable {
    public var blocks: [Block]
    /// `true` when absent.
    public var keepTogether: Bool?

    public init(blocks: [Block], keepTogether: Bool? = nil) {
        self.blocks = blocks
        self.keepTogether = keepTogether
    }
}

/// When a condition holds: `variable` is truthy (non-empty string, non-zero number, `true`, non-empty
/// array), or equals / does not equal a value.
public struct Condition: Codable, Sendable, Equatable {
    public var variable: String
    public var equals: JSONValue?
    public var notEquals: JSONValue?

    public init(variable: String, equals: JSONValue? = nil, notEquals: JSONValue? = nil) {
        self.variable = variable
        self.equals = equals
        self.notEquals = notEquals
    }
}

public struct ConditionalBlock: Codable, Sendable, Equatable {
    public var when: Condition
    public var blocks: [Block]
    public var otherwise: [Block]?

    public init(when: Condition, blocks: [Block], otherwise: [Block]? = nil) {
        self.when = when
        self.blocks = blocks
        self.otherwise = otherwise
    }
}

/// A signature: an optional image (usually `{{signatureImageUrl}}`), a line, and caption lines.
public struct SignatureBlock: Codable, Sendable, Equatable {
    public var src: String?
    /// Caption under the line, e.g. "Signed by {{handover.signedBy}}".
    public var caption: String?
    /// Extra line under the caption, e.g. "{{handover.date | date:long}}".
    public var detail: String?
    /// Width of the line; 200 pt when absent.
    public var width: Length?
    /// Height of the image area; 60 pt when absent.
    public var imageHeight: Length?
    public var align: HorizontalAlign?
    public var spaceBefore: Length?
    public var spaceAfter: Length?

    public init(src: String? = nil, caption: String? = nil, detail: String? = nil, width: Length? = nil) {
        self.src = src
        self.caption = caption
        self.detail = detail
        self.width = width
    }
}

/// One block of the document body, header or footer. JSON: an object with `"type"`.
public indirect enum Block: Codable, Sendable, Equatable {
    case heading(TextBlock)
    case paragraph(TextBlock)
    case image(ImageBlock)
    case table(TableBlock)
    case repeatSection(RepeatBlock)
    case columns(ColumnsBlock)
    case keyValue(KeyValueBlock)
    case divider(DividerBlock)
    case spacer(SpacerBlock)
    case pageBreak
    case group(GroupBlock)
    case conditional(ConditionalBlock)
    case signature(SignatureBlock)

    /// The JSON `type` of this block.
    public var typeName: String {
        switch self {
        case .heading: return "heading"
        case .paragraph: return "paragraph"
        case .image: return "image"
        case .table: return "table"
        case .repeatSection: return "repeat"
        case .columns: return "columns"
        case .keyValue: return "keyValue"
        case .divider: return "divider"
        case .spacer: return "spacer"
        case .pageBreak: return "pageBreak"
        case .group: return "group"
        case .conditional: return "conditional"
        case .signature: return "signature"
        }
    }

    enum TypeKey: String, CodingKey { case type }

    public init(from decoder: any Decoder) throws {
        let c = try decoder.container(keyedBy: TypeKey.self)
        let type = try c.decode(String.self, forKey: .type)
        switch type {
        case "heading": self = .heading(try TextBlock(from: decoder))
        case "paragraph", "text": self = .paragraph(try TextBlock(from: decoder))
        case "image": self = .image(try ImageBlock(from: decoder))
        case "table": self = .table(try TableBlock(from: decoder))
        case "repeat": self = .repeatSection(try RepeatBlock(from: decoder))
        case "columns": self = .columns(try ColumnsBlock(from: decoder))
        case "keyValue": self = .keyValue(try KeyValueBlock(from: decoder))
        case "divider": self = .divider(try DividerBlock(from: decoder))
        case "spacer": self = .spacer(try SpacerBlock(from: decoder))
        case "pageBreak": self = .pageBreak
        case "group": self = .group(try GroupBlock(from: decoder))
        case "conditional": self = .conditional(try ConditionalBlock(from: decoder))
        case "signature": self = .signature(try SignatureBlock(from: decoder))
        default:
            throw DecodingError.dataCorruptedError(forKey: .type, in: c, debugDescription: "unknown block type \"\(type)\"")
        }
    }

    public func encode(to encoder: any Encoder) throws {
        var c = encoder.container(keyedBy: TypeKey.self)
        try c.encode(typeName, forKey: .type)
        switch self {
        case .heading(let b), .paragraph(let b): try b.encode(to: encoder)
        case .image(let b): try b.encode(to: encoder)
        case .table(let b): try b.encode(to: encoder)
        case .repeatSection(let b): try b.encode(to: encoder)
        case .columns(let b): try b.encode(to: encoder)
        case .keyValue(let b): try b.encode(to: encoder)
        case .divider(let b): try b.encode(to: encoder)
        case .spacer(let b): try b.encode(to: encoder)
        case .pageBreak: break
        case .group(let b): try b.encode(to: encoder)
        case .conditional(let b): try b.encode(to: encoder)
        case .signature(let b): try b.encode(to: encoder)
        }
    }
}

// Convenience constructors for code and tests.
extension Block {
    public static func heading(_ text: String, level: Int = 1) -> Block { .heading(TextBlock(text: text, level: level)) }
    public static func paragraph(_ text: String, align: TextAlign? = nil) -> Block { .paragraph(TextBlock(text: text, align: align)) }
}
