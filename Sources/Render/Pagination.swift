import Foundation

/// Stacks chunks onto pages: spacing collapses at a page top, a chunk that does not fit moves to the
/// next page (with the next one when it must keep with it), table rows bring their header along.
func paginate(
    _ chunks: [Chunk], headers: [Chunk], bodyTop: Double, bodyHeight: Double, limits: RenderLimits,
    deadline: ContinuousClock.Instant
) throws -> [[DrawOp]] {
    var pages: [[DrawOp]] = [[]]
    var y = 0.0
    var hasContent = false
    var headerOnPage: Int?
    let epsilon = 0.01
    func newPage() throws {
        if pages.count >= limits.maxPages { throw RenderError.tooManyPages(limit: limits.maxPages) }
        pages.append([])
        y = 0
        hasContent = false
        headerOnPage = nil
    }
    func place(_ c: Chunk) {
        let dy = bodyTop + y
        pages[pages.count - 1].append(contentsOf: c.ops.map { $0.shifted(dy) })
        y += c.height
        hasContent = true
        if let id = c.headerID { headerOnPage = id }
    }
    /// Fills the columns side by side from `y` down, page after page; spacing collapses at the top of a
    /// continued column and a table inside a column brings its header along to each new page.
    func flow(_ columns: [[Chunk]]) throws {
        var next = [Int](repeating: 0, count: columns.count)
        // Structure elements still open in each column: closed when the paginator moves on to the next
        // column and opened again when it comes back, so elements nest on every page (an element that
        // continues then becomes two).
        var open = [[StructTag]](repeating: [], count: columns.count)
        while true {
            var used = 0.0
            for (col, chunks) in columns.enumerated() {
                var cy = 0.0
                var placed = false
                pages[pages.count - 1].append(contentsOf: open[col].map { .beginTag($0) })
                defer { pages[pages.count - 1].append(contentsOf: open[col].reversed().map { .endTag($0) }) }
                while next[col] < chunks.count {
                    let c = chunks[next[col]]
                    if c.kind == .spacing {
                        if placed || y > 0 {
                            if y + cy + c.height > bodyHeight + epsilon { break }
                            cy += c.height
                        }
                        next[col] += 1
                        continue
                    }
                    let bringsHeader = placed || c.headerID != nil ? nil : c.header
                    let needed = c.height + (bringsHeader.map { headers[$0].height } ?? 0)
                    // On an empty page a chunk taller than the page is placed anyway (it cannot fit anywhere).
                    guard y + cy + needed <= bodyHeight + epsilon || (!hasContent && !placed) else { break }
                    for chunk in [bringsHeader.map { headers[$0] }, c].compactMap({ $0 }) {
                        pages[pages.count - 1].append(contentsOf: chunk.ops.map { $0.shifted(bodyTop + y + cy) })
                        cy += chunk.height
                        for op in chunk.ops {
                            if case .beginTag(let t) = op { open[col].append(t) }
                            if case .endTag = op, !open[col].isEmpty { open[col].removeLast() }
                        }
                    }
                    placed = true
                    next[col] += 1
                }
                used = max(used, cy)
            }
            y += used
            if used > 0 { hasContent = true }
            if zip(next, columns).allSatisfy({ $0 >= $1.count }) { return }
            try newPage()
        }
    }
    for (i, c) in chunks.enumerated() {
        if i & 127 == 127, ContinuousClock.now > deadline { throw RenderError.timeout(seconds: limits.timeout.seconds) }
        switch c.kind {
        case .pageBreak:
            if hasContent { try newPage() }
        case .spacing:
            if hasContent {
                if y + c.height > bodyHeight + epsilon { try newPage() } else { y += c.height }
            }
        case .content where c.flow != nil:
            try flow(c.flow ?? [])
        case .content:
            var needed = c.height
            if let h = c.header, headerOnPage != h { needed += headers[h].height }
            if c.keepWithNext {
                // The next content chunk (past any spacing) must fit too, with the header it brings along.
                var j = i + 1
                var gap = 0.0
                while j < chunks.count, chunks[j].kind == .spacing {
                    gap += chunks[j].height
                    j += 1
                }
                if j < chunks.count, chunks[j].kind == .content {
                    needed += gap + chunks[j].height
                    if let h = chunks[j].header, chunks[j].headerID == nil, headerOnPage != h, c.headerID != h { needed += headers[h].height }
                }
            }
            if hasContent, y + needed > bodyHeight + epsilon {
                try newPage()
            }
            if let h = c.header, headerOnPage != h, c.headerID == nil { place(headers[h]) }
            place(c)
        }
    }
    return pages
}

/// Replaces the page sentinels; reports whether anything changed.
func substitutePageTokens(_ blocks: [RBlock], page: String, pages: String) -> (blocks: [RBlock], changed: Bool) {
    var changed = false
    func sub(_ s: String) -> String {
        guard s.contains(PageToken.page) || s.contains(PageToken.pages) else { return s }
        changed = true
        return s.replacingOccurrences(of: PageToken.page, with: page).replacingOccurrences(of: PageToken.pages, with: pages)
    }
    func text(_ t: RText) -> RText {
        var t = t
        for i in t.runs.indices { t.runs[i].text = sub(t.runs[i].text) }
        return t
    }
    func block(_ b: RBlock) -> RBlock {
        switch b {
        case .text(let t): return .text(text(t))
        case .table(var t):
            t.header = t.header.map {
                $0.map {
                    var c = $0; c.text = sub(c.text); return c
                }
            }
            t.rows = t.rows.map {
                $0.map {
                    var c = $0; c.text = sub(c.text); return c
                }
            }
            t.totals = t.totals.map {
                $0.map {
                    var c = $0; c.text = sub(c.text); return c
                }
            }
            return .table(t)
        case .columns(let w, let g, let cols, let b, let a):
            return .columns(widths: w, gap: g, columns: cols.map { $0.map(block) }, spaceBefore: b, spaceAfter: a)
        case .group(let bs, let k): return .group(bs.map(block), keepTogether: k)
        case .signature(var s):
            s.caption = s.caption.map(text)
            s.detail = s.detail.map(text)
            return .signature(s)
        default: return b
        }
    }
    let out = blocks.map(block)
    return (out, changed)
}
