/// The classic cross-reference table Cairo writes (one subsection from object 0), read from the raw
/// bytes of a PDF. Shared by `PDFRepair` (fixes entries in place) and `PDFFontSlimmer` (rebuilds it).
struct PDFXref {
    struct Entry {
        var offset: Int
        var generation: String
        var inUse: Bool
    }

    /// Where the `xref` keyword is.
    var start: Int
    var entries: [Entry]
    /// Where the first 20-byte entry line is.
    var entriesStart: Int
    /// Where `trailer` is.
    var trailerStart: Int

    static func read(_ pdf: [UInt8]) -> PDFXref? {
        guard let at = lastIndex(of: Array("startxref".utf8), in: pdf),
            let start = String(decoding: pdf[(at + 9)...], as: UTF8.self).split(whereSeparator: { $0 == "\n" || $0 == "\r" || $0 == " " })
                .first.flatMap({ Int($0) }),
            start >= 0, start + 5 < pdf.count, Array(pdf[start..<(start + 4)]) == Array("xref".utf8)
        else { return nil }
        var position = start + 4
        while position < pdf.count, pdf[position] == 0x0A || pdf[position] == 0x0D || pdf[position] == 0x20 { position += 1 }
        guard let lineEnd = pdf[position...].firstIndex(of: 0x0A) else { return nil }
        let header = String(decoding: pdf[position..<lineEnd], as: UTF8.self).split(separator: " ")
        guard header.count == 2, header[0] == "0", let count = Int(header[1].trimmingCharacters(in: .whitespaces)) else { return nil }
        let entriesStart = lineEnd + 1
        var entries: [Entry] = []
        entries.reserveCapacity(count)
        guard entriesStart + count * 20 <= pdf.count else { return nil }
        // `oooooooooo ggggg n` — read from the bytes (a String per entry cost more than the rest of the pass).
        for index in 0..<count {
            let line = entriesStart + index * 20
            var offset = 0
            for k in line..<(line + 10) {
                let digit = pdf[k] &- 0x30
                guard digit < 10 else { return nil }
                offset = offset * 10 + Int(digit)
            }
            let kind = pdf[line + 17]
            guard pdf[line + 10] == 0x20, pdf[line + 16] == 0x20, kind == UInt8(ascii: "n") || kind == UInt8(ascii: "f") else { return nil }
            let generation =
                pdf[(line + 11)..<(line + 16)].elementsEqual("00000".utf8) ? "00000" : String(decoding: pdf[(line + 11)..<(line + 16)], as: UTF8.self)
            entries.append(Entry(offset: offset, generation: generation, inUse: kind == UInt8(ascii: "n")))
        }
        let after = entriesStart + count * 20
        guard let trailer = find(Array("trailer".utf8), in: Array(pdf[after...])) else { return nil }
        return PDFXref(start: start, entries: entries, entriesStart: entriesStart, trailerStart: after + trailer)
    }

    static func find(_ needle: [UInt8], in hay: [UInt8]) -> Int? {
        guard hay.count >= needle.count else { return nil }
        for index in 0...(hay.count - needle.count) where hay[index] == needle[0] {
            if Array(hay[index..<(index + needle.count)]) == needle { return index }
        }
        return nil
    }

    /// The last occurrence of `needle` within the final 4 KB (where `startxref` lives).
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
