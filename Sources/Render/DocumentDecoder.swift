import Core
import Foundation

/// Reads a stored layout into a `Document`: the native model (an object with `blocks`), Craftkit's
/// document-mode layout (an object with a `pages` array of blocks; see
/// docs/document-model.md#craftkit-document-mode-pages) or a react-email-dnd CanvasDocument
/// (`sections` → rows → columns → blocks).
public enum DocumentDecoder {
    public static func decode(_ data: Data) throws -> Document {
        let json: JSONValue
        do {
            json = try JSONValue.parse(data)
        } catch {
            throw RenderError.invalidDocument("not JSON")
        }
        guard case .object(let o) = json else { throw RenderError.invalidDocument("the layout must be a JSON object") }
        try checkLimits(json)
        if o["blocks"] != nil {
            do {
                return try JSONDecoder().decode(Document.self, from: data)
            } catch let e as DecodingError {
                throw RenderError.invalidDocument(describe(e))
            }
        }
        return try decode(json: json)
    }

    /// Maps a Craftkit `pages` layout or a CanvasDocument; native documents are decoded as well.
    public static func decode(json: JSONValue) throws -> Document {
        guard case .object(let o) = json else { throw RenderError.invalidDocument("the layout must be a JSON object") }
        try checkLimits(json)
        if o["blocks"] != nil {
            do {
                let data = json.serialized
                return try JSONDecoder().decode(Document.self, from: data)
            } catch let e as DecodingError {
                throw RenderError.invalidDocument(describe(e))
            }
        }
        if case .array(let pages)? = o["pages"] { return try CraftkitLayout.map(root: o, pages: pages) }
        if case .array(let sections)? = o["sections"] { return try CraftkitLayout.map(root: o, pages: [.object(["sections": .array(sections)])]) }
        throw RenderError.invalidDocument("expected \"blocks\" (document model) or \"pages\" (Craftkit document layout)")
    }

    /// Layouts come from builder sessions and the template API: their nesting and size are bounded
    /// before the decoder, the resolver and the layout engine recurse over blocks (docs/security.md).
    static func checkLimits(_ json: JSONValue) throws {
        if let (path, message) = DataLimits.layout.violation(in: json, at: "") {
            throw RenderError.invalidDocument(path.isEmpty ? message : "\(path): \(message)")
        }
    }

    static func describe(_ e: DecodingError) -> String {
        func path(_ c: [any CodingKey]) -> String {
            c.map { k in k.intValue.map { "[\($0)]" } ?? ".\(k.stringValue)" }.joined().trimmingCharacters(in: CharacterSet(charactersIn: "."))
        }
        switch e {
        case .dataCorrupted(let c): return "\(path(c.codingPath)): \(c.debugDescription)"
        case .keyNotFound(let k, let c): return "\(path(c.codingPath + [k])): required field missing"
        case .typeMismatch(_, let c): return "\(path(c.codingPath)): \(c.debugDescription)"
        case .valueNotFound(_, let c): return "\(path(c.codingPath)): value missing"
        @unknown default: return "\(e)"
        }
    }
}

/// Craftkit's document-mode layout mapped onto the document model. The exact JSON is unconfirmed
/// upstream; this accepts `{pages:[{id, settings?, blocks:[{id, type, props?…}]}], pageSettings|pageConfig:
/// {format, orientation, margin}, meta?:{title}, variables?, loops?}` with block fields either in `props`
/// or on the block itself. Each page after the first starts on a new page.
enum CraftkitLayout {
    static func map(root: [String: JSONValue], pages: [JSONValue]) throws -> Document {
        var blocks: [Block] = []
        var firstSettings: [String: JSONValue]?
        for (i, page) in pages.enumerated() {
            guard case .object(let p) = page else { continue }
            if i == 0, case .object(let s)? = p["settings"] { firstSettings = s }
            if i > 0 { blocks.append(.pageBreak) }
            if case .array(let bs)? = p["blocks"] { blocks.append(contentsOf: bs.compactMap(block)) }
            if case .array(let sections)? = p["sections"] { blocks.append(contentsOf: sections.flatMap(section)) }
        }
        var settings: [String: JSONValue] = [:]
        for key in ["pageSettings", "pageConfig"] { if case .object(let s)? = root[key] { settings = s } }
        if let f = firstSettings { settings.merge(f) { a, _ in a } }
        var page = PageSetup()
        if let f = str(settings["format"]) ?? str(settings["size"]) ?? str(settings["paperSize"]) { page.size = .named(f) }
        if let o = str(settings["orientation"]) { page.orientation = Orientation(rawValue: o.lowercased()) }
        if let m = settings["margin"] ?? settings["margins"] { page.margins = margins(m) }
        var meta = DocumentMeta()
        if case .object(let m)? = root["meta"] {
            meta.title = str(m["title"])
            meta.subject = str(m["description"])
        }
        if meta.title == nil { meta.title = str(root["title"]) ?? str(root["name"]) }
        let variables = decodeIfPresent([VariableDefinition].self, root["variables"])
        let loops = decodeIfPresent([LoopDefinition].self, root["loops"])
        return Document(meta: meta, page: page, variables: variables, loops: loops, blocks: blocks)
    }

    static func decodeIfPresent<T: Decodable>(_ type: T.Type, _ v: JSONValue?) -> T? {
        guard let v, let data = try? JSONEncoder().encode(v) else { return nil }
        return try? JSONDecoder().decode(T.self, from: data)
    }

    static func str(_ v: JSONValue?) -> String? {
        switch v {
        case .string(let s)?: return s
        case .number?: return v?.plainText
        default: return nil
        }
    }

    static func num(_ v: JSONValue?) -> Double? {
        switch v {
        case .number(let n)?: return n
        case .string(let s)?: return Length(string: s)?.points
        default: return nil
        }
    }

    static func bool(_ v: JSONValue?) -> Bool? {
        switch v {
        case .bool(let b)?: return b
        case .string(let s)?: return s == "true"
        default: return nil
        }
    }

    static func margins(_ v: JSONValue) -> Margins? {
        if let n = num(v) { return Margins(all: Length(points: n)) }
        guard case .object(let o) = v else { return nil }
        let d = Length.mm(20)
        func side(_ k: String) -> Length { num(o[k]).map { Length(points: $0) } ?? d }
        return Margins(top: side("top"), right: side("right"), bottom: side("bottom"), left: side("left"))
    }

    static func section(_ v: JSONValue) -> [Block] {
        guard case .object(let s) = v, case .array(let rows)? = s["rows"] else { return [] }
        var out: [Block] = []
        for row in rows {
            guard case .object(let r) = row, case .array(let cols)? = r["columns"] else { continue }
            let columns: [Column] = cols.compactMap { c in
                guard case .object(let co) = c else { return nil }
                var blocks: [Block] = []
                if case .array(let bs)? = co["blocks"] { blocks = bs.compactMap(block) }
                return Column(width: num(co["width"]).map { .percent($0) }, blocks: blocks)
            }
            if columns.count == 1 {
                out.append(contentsOf: columns[0].blocks)
            } else if columns.count > 1 {
                out.append(.columns(ColumnsBlock(columns: columns)))
            }
        }
        return out
    }

    /// Merges `props` over the block's own fields.
    static func fields(_ o: [String: JSONValue]) -> [String: JSONValue] {
        var f = o
        if case .object(let p)? = o["props"] { f.merge(p) { _, new in new } }
        return f
    }

    static func align(_ v: JSONValue?) -> TextAlign? { str(v).flatMap { TextAlign(rawValue: $0.lowercased()) } }
    static func halign(_ v: JSONValue?) -> HorizontalAlign? { str(v).flatMap { HorizontalAlign(rawValue: $0.lowercased()) } }

    static func block(_ v: JSONValue) -> Block? {
        guard case .object(let o) = v, let type = str(o["type"]) else { return nil }
        if bool(o["hidden"]) == true { return nil }
        let f = fields(o)
        switch type.lowercased() {
        case "text", "paragraph", "heading":
            let content = str(f["content"]) ?? str(f["text"]) ?? ""
            var t = TextBlock(runs: HTMLRuns.parse(content))
            t.align = align(f["align"])
            t.fontSize = num(f["fontSize"])
            t.color = str(f["color"])
            t.fontFamily = str(f["fontFamily"])
            t.lineHeight = num(f["lineHeight"])
            if let w = str(f["fontWeight"])?.lowercased() { t.bold = ["bold", "extrabold", "semibold", "700", "800", "900"].contains(w) }
            if type.lowercased() == "heading" {
                let tag = str(f["as"]) ?? str(f["level"]) ?? "h1"
                t.level = Int(tag.lowercased().replacingOccurrences(of: "h", with: "")) ?? 1
                return .heading(t)
            }
            return .paragraph(t)
        case "image":
            var i = ImageBlock(src: str(f["src"]) ?? str(f["url"]) ?? "")
            i.width = num(f["width"]).map { Length(points: $0) }
            i.height = num(f["height"]).map { Length(points: $0) }
            i.align = halign(f["align"])
            i.alt = str(f["alt"])
            i.link = str(f["href"])
            if let fit = str(f["fit"]) ?? str(f["objectFit"]) { i.fit = ImageFit(rawValue: fit) }
            return .image(i)
        case "table":
            return table(f)
        case "signature":
            var s = SignatureBlock(src: str(f["src"]) ?? str(f["image"]) ?? str(f["imageVariable"]).map { "{{\($0)}}" })
            s.caption = str(f["label"]) ?? "Signature"
            var detail: [String] = []
            if bool(f["showName"]) == true { detail.append(str(f["name"]) ?? "Name") }
            if bool(f["showDate"]) == true { detail.append(str(f["date"]) ?? "Date") }
            s.detail = detail.isEmpty ? nil : detail.joined(separator: " · ")
            s.width = num(f["width"]).map { Length(points: $0) }
            s.align = halign(f["align"])
            return .signature(s)
        case "divider":
            return .divider(DividerBlock(color: str(f["color"]), thickness: num(f["thickness"])))
        case "spacer":
            return .spacer(SpacerBlock(height: Length(points: num(f["height"]) ?? 12)))
        case "pagebreak", "page-break", "page_break":
            return .pageBreak
        case "button":
            let label = str(f["label"]) ?? ""
            var t = TextBlock(runs: [TextRun(label, bold: true, link: str(f["href"]))])
            t.align = align(f["align"])
            return .paragraph(t)
        case "custom":
            guard let name = str(f["componentName"]) else { return nil }
            var inner = f
            if case .object(let p)? = f["props"] { inner = p }
            inner["type"] = .string(name)
            return block(.object(inner))
        default:
            return nil
        }
    }

    static func table(_ f: [String: JSONValue]) -> Block? {
        guard case .array(let cols)? = f["columns"] else { return nil }
        let loop = str(f["loopKey"]) ?? str(f["loop"]) ?? str(f["dataKey"])
        var columns: [TableColumn] = []
        for c in cols {
            switch c {
            case .string(let s):
                columns.append(TableColumn(header: s, cell: loop != nil ? "{{\(s)}}" : nil))
            case .object(let co):
                let key = str(co["key"]) ?? str(co["field"]) ?? str(co["accessor"])
                let header = str(co["header"]) ?? str(co["label"]) ?? str(co["title"]) ?? key
                var cell = str(co["cell"]) ?? str(co["template"])
                if cell == nil, let key { cell = "{{\(key)\(str(co["format"]).map { " | \($0)" } ?? "")}}" }
                var width: ColumnWidth?
                if let w = str(co["width"]), w.hasSuffix("%"), let p = Double(w.dropLast()) {
                    width = .percent(p)
                } else if let w = num(co["width"]) {
                    width = .fixed(Length(points: w))
                }
                columns.append(TableColumn(header: header, cell: cell, width: width, align: align(co["align"])))
            default:
                continue
            }
        }
        var t = TableBlock(columns: columns, loop: loop)
        if case .array(let rows)? = f["rows"] {
            t.rows = rows.compactMap { r -> [TableCell]? in
                switch r {
                case .array(let cells): return cells.map { TableCell(str($0) ?? "") }
                case .object(let ro):
                    // A row object keyed by column key.
                    return cols.map { c in
                        if case .object(let co) = c, let k = str(co["key"]) ?? str(co["field"]) { return TableCell(str(ro[k]) ?? "") }
                        if case .string(let k) = c { return TableCell(str(ro[k]) ?? "") }
                        return TableCell("")
                    }
                default: return nil
                }
            }
        }
        if let hs = bool(f["showHeader"]) { t.showHeader = hs }
        return .table(t)
    }
}

/// A tiny HTML subset (as rich-text editors emit) to runs: `<b> <strong> <i> <em> <u> <a href> <br> <p>`
/// and the common entities; any other tag is dropped, its text kept.
enum HTMLRuns {
    static func parse(_ html: String) -> [TextRun] {
        guard html.contains("<") || html.contains("&") else { return [TextRun(html)] }
        var runs: [TextRun] = []
        var bold = 0, italic = 0, underline = 0
        var links: [String?] = []
        var text = ""
        func flush() {
            guard !text.isEmpty else { return }
            let link = links.last ?? nil
            runs.append(
                TextRun(
                    decodeEntities(text), bold: bold > 0 ? true : nil, italic: italic > 0 ? true : nil,
                    underline: underline > 0 ? true : nil, link: link))
            text = ""
        }
        var i = html.startIndex
        var paragraphs = 0
        while i < html.endIndex {
            let ch = html[i]
            if ch == "<", let close = html[i...].firstIndex(of: ">") {
                let tag = html[html.index(after: i)..<close].trimmingCharacters(in: .whitespaces)
                let lower = tag.lowercased()
                let closing = lower.hasPrefix("/")
                let name = String(lower.drop(while: { $0 == "/" }).prefix(while: { $0.isLetter || $0.isNumber }))
                flush()
                switch name {
                case "b", "strong": bold += closing ? -1 : 1
                case "i", "em": italic += closing ? -1 : 1
                case "u": underline += closing ? -1 : 1
                case "a":
                    if closing {
                        _ = links.popLast()
                    } else {
                        var href: String?
                        if let r = tag.range(of: "href=\"") ?? tag.range(of: "href='") {
                            let q = tag[tag.index(before: r.upperBound)]
                            href = String(tag[r.upperBound...].prefix(while: { $0 != q }))
                        }
                        links.append(href)
                    }
                case "br": text += "\n"
                case "p", "div", "li":
                    if !closing, paragraphs > 0 { text += "\n" }
                    if !closing { paragraphs += 1 }
                default: break
                }
                bold = max(0, bold)
                italic = max(0, italic)
                underline = max(0, underline)
                i = html.index(after: close)
            } else {
                text.append(ch)
                i = html.index(after: i)
            }
        }
        flush()
        return runs.isEmpty ? [TextRun("")] : runs
    }

    static func decodeEntities(_ s: String) -> String {
        guard s.contains("&") else { return s }
        return s.replacingOccurrences(of: "&nbsp;", with: "\u{00A0}").replacingOccurrences(of: "&lt;", with: "<")
            .replacingOccurrences(of: "&gt;", with: ">").replacingOccurrences(of: "&quot;", with: "\"")
            .replacingOccurrences(of: "&#39;", with: "'").replacingOccurrences(of: "&apos;", with: "'").replacingOccurrences(of: "&amp;", with: "&")
    }
}
