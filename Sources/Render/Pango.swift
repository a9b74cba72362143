import CPangoCairo
import Foundation

let pangoScale = 1024.0

/// One line of a laid-out paragraph, in points relative to the layout's top-left corner.
struct LineInfo {
    var top: Double
    var height: Double
    var baseline: Double
    var x: Double
    var line: UnsafeMutablePointer<PangoLayoutLine>
}

/// A link area relative to the layout's top-left corner, tied to the line it sits on.
struct LinkArea {
    var lineIndex: Int
    var x: Double
    var width: Double
    var uri: String
}

/// A Pango layout with its measured lines. Owned by one render.
final class TextLayout {
    let layout: OpaquePointer
    let lines: [LineInfo]
    let height: Double
    let naturalWidth: Double
    let links: [LinkArea]
    let color: RGBA

    init(layout: OpaquePointer, color: RGBA, links: [(start: Int, end: Int, uri: String)]) {
        self.layout = layout
        self.color = color
        var lines: [LineInfo] = []
        let iter = pango_layout_get_iter(layout)
        repeat {
            var logical = PangoRectangle()
            pango_layout_iter_get_line_extents(iter, nil, &logical)
            let baseline = Double(pango_layout_iter_get_baseline(iter)) / pangoScale
            if let line = pango_layout_iter_get_line_readonly(iter) {
                lines.append(
                    LineInfo(
                        top: Double(logical.y) / pangoScale, height: Double(logical.height) / pangoScale,
                        baseline: baseline, x: Double(logical.x) / pangoScale, line: line))
            }
        } while pango_layout_iter_next_line(iter) != 0
        pango_layout_iter_free(iter)
        self.lines = lines
        var w: Int32 = 0, h: Int32 = 0
        pango_layout_get_size(layout, &w, &h)
        height = Double(h) / pangoScale
        var ink = PangoRectangle(), logical = PangoRectangle()
        pango_layout_get_extents(layout, &ink, &logical)
        naturalWidth = Double(logical.width) / pangoScale
        var areas: [LinkArea] = []
        if !links.isEmpty {
            for (i, info) in lines.enumerated() {
                let ls = Int(info.line.pointee.start_index), le = ls + Int(info.line.pointee.length)
                for link in links where link.start < le && link.end > ls {
                    var ranges: UnsafeMutablePointer<Int32>?
                    var n: Int32 = 0
                    pango_layout_line_get_x_ranges(info.line, Int32(max(link.start, ls)), Int32(min(link.end, le)), &ranges, &n)
                    if let ranges {
                        for k in 0..<Int(n) {
                            let x0 = Double(ranges[2 * k]) / pangoScale, x1 = Double(ranges[2 * k + 1]) / pangoScale
                            if x1 > x0 { areas.append(LinkArea(lineIndex: i, x: x0, width: x1 - x0, uri: link.uri)) }
                        }
                        g_free(ranges)
                    }
                }
            }
        }
        self.links = areas
    }

    deinit { g_object_unref(UnsafeMutableRawPointer(layout)) }

    var unknownGlyphs: Int { Int(pango_layout_get_unknown_glyphs_count(layout)) }

    /// The characters no installed font covers, which print as boxes: Pango marks their glyphs with
    /// `PANGO_GLYPH_UNKNOWN_FLAG` over the code point. Empty (and cheap) when every glyph was found.
    var uncoveredCharacters: Set<Unicode.Scalar> {
        guard unknownGlyphs > 0 else { return [] }
        let unknownFlag: PangoGlyph = 0x1000_0000  // PANGO_GLYPH_UNKNOWN_FLAG (a cast macro Swift does not import)
        var found: Set<Unicode.Scalar> = []
        for info in lines {
            var run = info.line.pointee.runs
            while let node = run {
                if let item = node.pointee.data?.assumingMemoryBound(to: PangoGlyphItem.self), let glyphs = item.pointee.glyphs {
                    for index in 0..<Int(glyphs.pointee.num_glyphs) {
                        let glyph = glyphs.pointee.glyphs[index].glyph
                        if glyph & unknownFlag != 0, let scalar = Unicode.Scalar(glyph & ~unknownFlag),
                            !scalar.properties.isWhitespace, scalar.properties.generalCategory != .control
                        {
                            found.insert(scalar)
                        }
                    }
                }
                run = node.pointee.next
            }
        }
        return found
    }
}

/// Everything one render needs from Pango and Foundation, used by one render at a time: a font map
/// (Pango font maps are not thread-safe), a context at 72 dpi with unhinted metrics (so PDF and PNG
/// output share one layout), font description and formatter caches.
final class Workspace {
    let fontMap: UnsafeMutablePointer<PangoFontMap>
    let context: OpaquePointer
    let generation: Int
    private(set) lazy var families: Set<String> = listFamilies()
    private var fontDescriptions: [String: OpaquePointer] = [:]
    private var formattings: [String: Formatting] = [:]

    init(fontConfig: OpaquePointer?, generation: Int) {
        self.generation = generation
        let map = pango_cairo_font_map_new()!
        if let fontConfig {
            pango_fc_font_map_set_config(OpaquePointer(map), fontConfig)
        }
        fontMap = map
        context = pango_font_map_create_context(map)
        pango_cairo_context_set_resolution(context, 72)
        let options = cairo_font_options_create()
        cairo_font_options_set_hint_style(options, CAIRO_HINT_STYLE_NONE)
        cairo_font_options_set_hint_metrics(options, CAIRO_HINT_METRICS_OFF)
        cairo_font_options_set_antialias(options, CAIRO_ANTIALIAS_GRAY)
        pango_cairo_context_set_font_options(context, options)
        cairo_font_options_destroy(options)
        pango_context_set_round_glyph_positions(context, 0)
    }

    deinit {
        for d in fontDescriptions.values { pango_font_description_free(d) }
        g_object_unref(UnsafeMutableRawPointer(context))
        g_object_unref(UnsafeMutableRawPointer(fontMap))
    }

    private func listFamilies() -> Set<String> {
        var list: UnsafeMutablePointer<UnsafeMutablePointer<PangoFontFamily>?>?
        var n: Int32 = 0
        pango_font_map_list_families(fontMap, &list, &n)
        var names: Set<String> = ["sans", "sans-serif", "serif", "monospace", "mono", "system-ui", "cursive", "fantasy", "emoji"]
        if let list {
            for i in 0..<Int(n) {
                if let fam = list[i], let name = pango_font_family_get_name(fam) {
                    names.insert(String(cString: name).lowercased())
                }
            }
            g_free(list)
        }
        return names
    }

    /// Throws `unknownFont` unless one family of the comma-separated list is installed or registered.
    func checkFamily(_ family: String) throws {
        let parts = family.split(separator: ",").map { $0.trimmingCharacters(in: .whitespaces).lowercased() }.filter { !$0.isEmpty }
        if parts.isEmpty { return }
        if !parts.contains(where: { families.contains($0) }) { throw RenderError.unknownFont(family) }
    }

    func formatting(locale: String, timeZone: TimeZone) -> Formatting {
        let key = "\(locale)|\(timeZone.identifier)"
        if let f = formattings[key] { return f }
        let f = Formatting(localeIdentifier: locale, timeZone: timeZone)
        formattings[key] = f
        return f
    }

    func fontDescription(family: String, size: Double, bold: Bool, italic: Bool) -> OpaquePointer {
        let key = "\(family)|\(size)|\(bold)|\(italic)"
        if let d = fontDescriptions[key] { return d }
        let d = pango_font_description_new()!
        pango_font_description_set_family(d, family)
        pango_font_description_set_size(d, Int32((size * pangoScale).rounded()))
        pango_font_description_set_weight(d, bold ? PANGO_WEIGHT_BOLD : PANGO_WEIGHT_NORMAL)
        pango_font_description_set_style(d, italic ? PANGO_STYLE_ITALIC : PANGO_STYLE_NORMAL)
        fontDescriptions[key] = d
        return d
    }

    /// Lays out rich text at `width` points (nil: no wrapping).
    func layout(_ t: RText, width: Double?) -> TextLayout {
        let layout = pango_layout_new(context)!
        pango_layout_set_font_description(layout, fontDescription(family: t.family, size: t.size, bold: t.bold, italic: t.italic))
        if let width {
            pango_layout_set_width(layout, Int32(max(1, width) * pangoScale))
            pango_layout_set_wrap(layout, PANGO_WRAP_WORD_CHAR)
        }
        switch t.align {
        case .left: pango_layout_set_alignment(layout, PANGO_ALIGN_LEFT)
        case .right: pango_layout_set_alignment(layout, PANGO_ALIGN_RIGHT)
        case .center: pango_layout_set_alignment(layout, PANGO_ALIGN_CENTER)
        case .justify:
            pango_layout_set_alignment(layout, PANGO_ALIGN_LEFT)
            pango_layout_set_justify(layout, 1)
        }
        if t.lineHeight != 1, t.lineHeight > 0 { pango_layout_set_line_spacing(layout, Float(t.lineHeight)) }

        // Direction: Pango detects it from the first strong character; an explicit direction is
        // expressed with a leading mark so that alignment "left" still means the start side.
        var text = ""
        switch t.direction {
        case .auto: break
        case .ltr: text = "\u{200E}"
        case .rtl: text = "\u{200F}"
        }
        var links: [(start: Int, end: Int, uri: String)] = []
        let attrs = pango_attr_list_new()!
        let simple =
            t.runs.count == 1 && !t.runs[0].bold && !t.runs[0].italic && !t.runs[0].underline
            && t.runs[0].color == nil && t.runs[0].size == nil && t.runs[0].family == nil && t.runs[0].link == nil
        // No-break spaces (money formats use them) are drawn as plain spaces that may not break: Cairo
        // would otherwise put U+00A0 alone into an extra CID font subset per face (2.5 KB each).
        var noBreaks: [Int] = []
        func append(_ s: String) {
            guard s.contains("\u{00A0}") else {
                text += s
                return
            }
            for ch in s {
                if ch == "\u{00A0}" {
                    noBreaks.append(text.utf8.count)
                    text += " "
                } else {
                    text.append(ch)
                }
            }
        }
        if simple {
            append(t.runs[0].text)
        } else {
            for run in t.runs {
                let start = text.utf8.count
                append(run.text)
                let end = text.utf8.count
                if end == start { continue }
                func add(_ a: UnsafeMutablePointer<PangoAttribute>?) {
                    guard let a else { return }
                    a.pointee.start_index = UInt32(start)
                    a.pointee.end_index = UInt32(end)
                    pango_attr_list_insert(attrs, a)
                }
                if run.bold { add(pango_attr_weight_new(PANGO_WEIGHT_BOLD)) }
                if run.italic { add(pango_attr_style_new(PANGO_STYLE_ITALIC)) }
                if run.underline || run.link != nil { add(pango_attr_underline_new(PANGO_UNDERLINE_SINGLE)) }
                if let c = run.color ?? (run.link != nil ? RGBA(r: 0.05, g: 0.3, b: 0.75, a: 1) : nil) {
                    add(pango_attr_foreground_new(UInt16(c.r * 65535), UInt16(c.g * 65535), UInt16(c.b * 65535)))
                }
                if let s = run.size { add(pango_attr_size_new(Int32((s * pangoScale).rounded()))) }
                if let f = run.family { add(pango_attr_family_new(f)) }
                if let l = run.link { links.append((start, end, l)) }
            }
        }
        if !noBreaks.isEmpty {
            let utf8 = Array(text.utf8)
            for p in noBreaks {
                // Cover the space and the character after it: the break opportunity sits before that one.
                var end = p + 1
                if end < utf8.count {
                    end += 1
                    while end < utf8.count, utf8[end] & 0xC0 == 0x80 { end += 1 }
                }
                if let a = pango_attr_allow_breaks_new(0) {
                    a.pointee.start_index = UInt32(p)
                    a.pointee.end_index = UInt32(end)
                    pango_attr_list_insert(attrs, a)
                }
            }
        }
        pango_layout_set_text(layout, text, Int32(text.utf8.count))
        pango_layout_set_attributes(layout, attrs)
        pango_attr_list_unref(attrs)
        return TextLayout(layout: layout, color: t.color, links: links)
    }
}
