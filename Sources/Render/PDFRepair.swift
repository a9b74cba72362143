/// Cairo 1.16 reserves objects for the structure tree when a document has link tags but never writes
/// them, leaving xref entries that point at another object (qpdf: "file is damaged … expected 3 0 obj").
/// This rewrites such entries, in place and with the same width, as free entries; references to them
/// then read as null, which is what the missing objects amount to. Byte offsets are unchanged, so the
/// output stays deterministic and every other entry stays valid.
enum PDFRepair {
    static func fixDanglingXrefEntries(_ pdf: inout [UInt8]) {
        guard let startxref = lastIndex(of: Array("startxref".utf8), in: pdf) else { return }
        var i = startxref + 9
        while i < pdf.count, pdf[i] == 0x0A || pdf[i] == 0x0D || pdf[i] == 0x20 { i += 1 }
        var xref = 0
        while i < pdf.count, pdf[i] >= 0x30, pdf[i] <= 0x39 {
            xref = xref * 10 + Int(pdf[i] - 0x30)
            i += 1
        }
        guard xref + 4 < pdf.count, Array(pdf[xref..<(xref + 4)]) == Array("xref".utf8) else { return }
        var p = xref + 4
        func skipEOL() { while p < pdf.count, pdf[p] == 0x0A || pdf[p] == 0x0D || pdf[p] == 0x20 { p += 1 } }
        func number() -> Int? {
            var v = 0, digits = 0
            while p < pdf.count, pdf[p] >= 0x30, pdf[p] <= 0x39 {
                v = v * 10 + Int(pdf[p] - 0x30)
                p += 1
                digits += 1
            }
            return digits > 0 ? v : nil
        }
        skipEOL()
        // Subsections: "first count" then `count` entries of exactly 20 bytes.
        while p < pdf.count, pdf[p] >= 0x30, pdf[p] <= 0x39 {
            guard let first = number() else { return }
            while p < pdf.count, pdf[p] == 0x20 { p += 1 }
            guard let count = number() else { return }
            skipEOL()
            for k in 0..<count {
                let e = p + k * 20
                guard e + 20 <= pdf.count else { return }
                guard pdf[e + 17] == UInt8(ascii: "n") else { continue }
                var offset = 0
                for d in 0..<10 { offset = offset * 10 + Int(pdf[e + d] &- 0x30) }
                let header = Array("\(first + k) 0 obj".utf8)
                if offset + header.count > pdf.count || Array(pdf[offset..<(offset + header.count)]) != header {
                    let free = Array("0000000000 65535 f".utf8)
                    for (d, b) in free.enumerated() { pdf[e + d] = b }
                }
            }
            p += count * 20
            skipEOL()
        }
    }

    static func lastIndex(of needle: [UInt8], in hay: [UInt8]) -> Int? {
        guard hay.count >= needle.count else { return nil }
        var i = hay.count - needle.count
        let lower = max(0, hay.count - 4096)
        while i >= lower {
            if hay[i] == needle[0], Array(hay[i..<(i + needle.count)]) == needle { return i }
            i -= 1
        }
        return nil
    }
}
