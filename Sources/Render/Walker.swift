import Core

/// What a template string is used for.
enum TemplateRole {
    case text, imageSource, link, meta
}

/// Everything in a document that binds to data, in document order (extraction and lint share it).
enum WalkEvent {
    case template(String, role: TemplateRole, path: String, loops: [String], decoration: Bool)
    case loop(String, path: String, outer: [String])
    case condition(String, path: String, loops: [String])
    case emptyImageSource(path: String)
    case font(String, path: String)
    case color(String, path: String)
    case columnCount(Int, path: String)
    case paperSize(PaperSize, path: String)
    case extraCells(row: Int, cells: Int, columns: Int, path: String)
}

struct DocumentWalker {
    var visit: (WalkEvent) -> Void

    func walk(_ d: Document) {
        if let meta = d.meta {
            for (k, v) in [("title", meta.title), ("author", meta.author), ("subject", meta.subject), ("keywords", meta.keywords)] {
                if let v { visit(.template(v, role: .meta, path: "meta.\(k)", loops: [], decoration: false)) }
            }
        }
        if let size = d.page?.size { visit(.paperSize(size, path: "page.size")) }
        if let f = d.style?.fontFamily { visit(.font(f, path: "style.fontFamily")) }
        if let c = d.style?.color { visit(.color(c, path: "style.color")) }
        for (name, deco) in [("header", d.header), ("footer", d.footer)] {
            guard let deco else { continue }
            blocks(deco.blocks, "\(name).blocks", [], true)
            if let f = deco.firstPage { blocks(f, "\(name).firstPage", [], true) }
            if let l = deco.lastPage { blocks(l, "\(name).lastPage", [], true) }
        }
        blocks(d.blocks, "blocks", [], false)
    }

    func blocks(_ bs: [Block], _ path: String, _ loops: [String], _ deco: Bool) {
        for (i, b) in bs.enumerated() { block(b, "\(path)[\(i)]", loops, deco) }
    }

    func text(_ s: String?, _ path: String, _ loops: [String], _ deco: Bool, role: TemplateRole = .text) {
        if let s { visit(.template(s, role: role, path: path, loops: loops, decoration: deco)) }
    }

    func textBlock(_ t: TextBlock, _ path: String, _ loops: [String], _ deco: Bool) {
        text(t.text, "\(path).text", loops, deco)
        for (i, r) in (t.runs ?? []).enumerated() {
            text(r.text, "\(path).runs[\(i)].text", loops, deco)
            text(r.link, "\(path).runs[\(i)].link", loops, deco, role: .link)
            if let f = r.fontFamily { visit(.font(f, path: "\(path).runs[\(i)].fontFamily")) }
            if let c = r.color { visit(.color(c, path: "\(path).runs[\(i)].color")) }
        }
        if let f = t.fontFamily { visit(.font(f, path: "\(path).fontFamily")) }
        if let c = t.color { visit(.color(c, path: "\(path).color")) }
    }

    func block(_ b: Block, _ path: String, _ loops: [String], _ deco: Bool) {
        switch b {
        case .heading(let t), .paragraph(let t):
            textBlock(t, path, loops, deco)
        case .image(let i):
            if i.src.trimmingCharacters(in: .whitespaces).isEmpty {
                visit(.emptyImageSource(path: "\(path).src"))
            } else {
                text(i.src, "\(path).src", loops, deco, role: .imageSource)
            }
            text(i.link, "\(path).link", loops, deco, role: .link)
        case .table(let t):
            for (i, c) in t.columns.enumerated() {
                text(c.header, "\(path).columns[\(i)].header", loops, deco)
            }
            var inner = loops
            if let loop = t.loop {
                visit(.loop(loop, path: "\(path).loop", outer: loops))
                inner.append(loop)
                for (i, c) in t.columns.enumerated() { text(c.cell, "\(path).columns[\(i)].cell", inner, deco) }
                text(t.emptyText, "\(path).emptyText", loops, deco)
            }
            for (r, row) in (t.rows ?? []).enumerated() {
                if row.count > t.columns.count { visit(.extraCells(row: r, cells: row.count, columns: t.columns.count, path: "\(path).rows[\(r)]")) }
                for (c, cell) in row.enumerated() {
                    text(cell.text, "\(path).rows[\(r)][\(c)]", loops, deco)
                    if let col = cell.color { visit(.color(col, path: "\(path).rows[\(r)][\(c)].color")) }
                    if let col = cell.background { visit(.color(col, path: "\(path).rows[\(r)][\(c)].background")) }
                }
            }
            for (r, row) in (t.totals ?? []).enumerated() {
                for (c, cell) in row.enumerated() { text(cell.text, "\(path).totals[\(r)][\(c)]", loops, deco) }
            }
            if let s = t.style {
                for (k, v) in [
                    ("borderColor", s.borderColor), ("zebra", s.zebra), ("headerBackground", s.headerBackground), ("headerColor", s.headerColor),
                ] {
                    if let v { visit(.color(v, path: "\(path).style.\(k)")) }
                }
            }
        case .repeatSection(let r):
            visit(.loop(r.loop, path: "\(path).loop", outer: loops))
            blocks(r.blocks, "\(path).blocks", loops + [r.loop], deco)
            if let e = r.empty { blocks(e, "\(path).empty", loops, deco) }
        case .columns(let c):
            visit(.columnCount(c.columns.count, path: "\(path).columns"))
            for (i, col) in c.columns.enumerated() { blocks(col.blocks, "\(path).columns[\(i)].blocks", loops, deco) }
        case .keyValue(let kv):
            for (i, item) in kv.items.enumerated() {
                text(item.label, "\(path).items[\(i)].label", loops, deco)
                text(item.value, "\(path).items[\(i)].value", loops, deco)
            }
        case .divider(let d):
            if let c = d.color { visit(.color(c, path: "\(path).color")) }
        case .spacer, .pageBreak:
            break
        case .group(let g):
            blocks(g.blocks, "\(path).blocks", loops, deco)
        case .conditional(let c):
            visit(.condition(c.when.variable, path: "\(path).when.variable", loops: loops))
            blocks(c.blocks, "\(path).blocks", loops, deco)
            if let o = c.otherwise { blocks(o, "\(path).otherwise", loops, deco) }
        case .signature(let s):
            if let src = s.src {
                if src.trimmingCharacters(in: .whitespaces).isEmpty {
                    visit(.emptyImageSource(path: "\(path).src"))
                } else {
                    text(src, "\(path).src", loops, deco, role: .imageSource)
                }
            }
            text(s.caption, "\(path).caption", loops, deco)
            text(s.detail, "\(path).detail", loops, deco)
        }
    }
}

/// Paths that are never data: loop helpers and the page counters of headers and footers.
func isSpecialPath(_ path: String, decoration: Bool) -> Bool {
    if path == "this" || path.hasPrefix("@") { return true }
    return decoration && (path == "page" || path == "pages")
}
