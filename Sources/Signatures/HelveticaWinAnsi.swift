/// Helvetica, one of the PDF standard fonts every reader has (ISO 32000-1 §9.6.2.2), with
/// `/WinAnsiEncoding`: which characters it can draw and how wide they are. Stamped text that fits this
/// encoding is drawn as vector text in it; anything else is drawn through Pango (see `StampRaster`).
enum HelveticaWinAnsi {
    /// Width of codes 32…255 in thousandths of the font size (Adobe's Helvetica metrics).
    static let widths: [Int] = [
        278, 278, 355, 556, 556, 889, 667, 191, 333, 333, 389, 584, 278, 333, 278, 278,
        556, 556, 556, 556, 556, 556, 556, 556, 556, 556, 278, 278, 584, 584, 584, 556,
        1015, 667, 667, 722, 722, 667, 611, 778, 722, 278, 500, 667, 556, 833, 722, 778,
        667, 778, 722, 667, 611, 722, 667, 944, 667, 667, 611, 278, 278, 278, 469, 556,
        333, 556, 556, 500, 556, 556, 278, 556, 556, 222, 222, 500, 222, 833, 556, 556,
        556, 556, 333, 500, 278, 556, 500, 722, 500, 500, 500, 334, 260, 334, 584, 350,
        556, 350, 222, 556, 333, 1000, 556, 556, 333, 1000, 667, 333, 1000, 350, 611, 350,
        350, 222, 222, 333, 333, 350, 556, 1000, 333, 1000, 500, 333, 944, 350, 500, 667,
        278, 333, 556, 556, 556, 556, 260, 556, 333, 737, 370, 556, 584, 333, 737, 333,
        400, 584, 333, 333, 333, 556, 537, 278, 333, 333, 365, 556, 834, 834, 834, 611,
        667, 667, 667, 667, 667, 667, 1000, 722, 667, 667, 667, 667, 278, 278, 278, 278,
        722, 722, 778, 778, 778, 778, 778, 584, 778, 722, 722, 722, 722, 667, 667, 611,
        556, 556, 556, 556, 556, 556, 889, 500, 556, 556, 556, 556, 278, 278, 278, 278,
        556, 556, 556, 556, 556, 556, 556, 584, 611, 556, 556, 556, 556, 500, 556, 500,
    ]

    /// WinAnsi codes 0x80…0x9F, by Unicode scalar (ISO 32000-1 Annex D.2). The codes 0x81, 0x8D, 0x8F,
    /// 0x90 and 0x9D are unassigned.
    static let high: [UInt32: UInt8] = [
        0x20AC: 0x80, 0x201A: 0x82, 0x0192: 0x83, 0x201E: 0x84, 0x2026: 0x85, 0x2020: 0x86, 0x2021: 0x87, 0x02C6: 0x88,
        0x2030: 0x89, 0x0160: 0x8A, 0x2039: 0x8B, 0x0152: 0x8C, 0x017D: 0x8E, 0x2018: 0x91, 0x2019: 0x92, 0x201C: 0x93,
        0x201D: 0x94, 0x2022: 0x95, 0x2013: 0x96, 0x2014: 0x97, 0x02DC: 0x98, 0x2122: 0x99, 0x0161: 0x9A, 0x203A: 0x9B,
        0x0153: 0x9C, 0x017E: 0x9E, 0x0178: 0x9F,
    ]

    /// The text's WinAnsi codes, or nil when a character has none (or is a control character).
    static func encode(_ text: String) -> [UInt8]? {
        var codes: [UInt8] = []
        for scalar in text.unicodeScalars {
            switch scalar.value {
            case 0x20...0x7E, 0xA0...0xFF: codes.append(UInt8(scalar.value))
            default:
                guard let code = high[scalar.value] else { return nil }
                codes.append(code)
            }
        }
        return codes
    }

    /// The width of `codes` at a font size of 1.
    static func width(_ codes: [UInt8]) -> Double {
        Double(codes.reduce(0) { $0 + (Int($1) >= 32 ? widths[Int($1) - 32] : 0) }) / 1000
    }

    /// `( … )` with `(`, `)` and `\` escaped; other bytes as they are.
    static func literal(_ codes: [UInt8]) -> [UInt8] {
        var out: [UInt8] = [UInt8(ascii: "(")]
        for code in codes {
            if code == UInt8(ascii: "(") || code == UInt8(ascii: ")") || code == UInt8(ascii: "\\") { out.append(UInt8(ascii: "\\")) }
            out.append(code)
        }
        return out + [UInt8(ascii: ")")]
    }
}
