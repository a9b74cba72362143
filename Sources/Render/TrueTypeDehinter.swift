/// Removes TrueType hinting from a font program: the `fpgm`, `prep` and `cvt ` tables (and the
/// device tables that only serve hinting) and the instructions inside every glyph. Cairo embeds its
/// subsets with the full hinting program, which for Noto Sans was more than half of each subset;
/// PDF viewers scale outlines themselves, so the output looks the same and is much smaller.
/// Anything unexpected returns nil and the caller keeps the original font.
enum TrueTypeDehinter {
    static let droppedTables: Set<String> = ["fpgm", "prep", "cvt ", "hdmx", "LTSH", "VDMX"]

    struct Table {
        var tag: String
        var data: [UInt8]
    }

    static func dehint(_ font: [UInt8]) -> [UInt8]? {
        guard font.count >= 12, let count = u16(font, 4) else { return nil }
        var tables: [Table] = []
        for index in 0..<Int(count) {
            let entry = 12 + index * 16
            guard entry + 16 <= font.count, let offset = u32(font, entry + 8), let length = u32(font, entry + 12) else { return nil }
            let start = Int(offset), end = Int(offset) + Int(length)
            guard end <= font.count else { return nil }
            tables.append(Table(tag: String(decoding: font[entry..<(entry + 4)], as: UTF8.self), data: Array(font[start..<end])))
        }
        guard let headIndex = tables.firstIndex(where: { $0.tag == "head" }), let locaIndex = tables.firstIndex(where: { $0.tag == "loca" }),
            let glyfIndex = tables.firstIndex(where: { $0.tag == "glyf" }), let maxpIndex = tables.firstIndex(where: { $0.tag == "maxp" }),
            tables[headIndex].data.count >= 54, let numGlyphs = u16(tables[maxpIndex].data, 4), let format = u16(tables[headIndex].data, 50)
        else { return nil }
        // Glyph offsets from `loca` (short: offset / 2 in 16 bits; long: 32 bits).
        let loca = tables[locaIndex].data, glyf = tables[glyfIndex].data
        var offsets: [Int] = []
        for index in 0...Int(numGlyphs) {
            if format == 0 {
                guard let value = u16(loca, index * 2) else { return nil }
                offsets.append(Int(value) * 2)
            } else {
                guard let value = u32(loca, index * 4) else { return nil }
                offsets.append(Int(value))
            }
        }
        var newGlyf: [UInt8] = []
        var newLoca: [UInt8] = []
        for index in 0..<Int(numGlyphs) {
            append32(&newLoca, UInt32(newGlyf.count))
            let start = offsets[index], end = offsets[index + 1]
            guard start <= end, end <= glyf.count else { return nil }
            if start == end { continue }
            guard let glyph = strippedGlyph(Array(glyf[start..<end])) else { return nil }
            newGlyf += glyph
            while newGlyf.count % 4 != 0 { newGlyf.append(0) }
        }
        append32(&newLoca, UInt32(newGlyf.count))
        tables[glyfIndex].data = newGlyf
        tables[locaIndex].data = newLoca
        tables[headIndex].data[50] = 0
        tables[headIndex].data[51] = 1  // long loca offsets
        // maxp: no function or instruction definitions, no instructions, no twilight points left.
        if tables[maxpIndex].data.count >= 32 {
            for field in [16, 20, 22, 24, 26] {
                tables[maxpIndex].data[field] = 0
                tables[maxpIndex].data[field + 1] = 0
            }
        }
        tables.removeAll { droppedTables.contains($0.tag) }
        return assemble(tables, sfntVersion: Array(font[0..<4]))
    }

    /// A glyph without its instructions (simple glyphs: the instruction block; composite glyphs: the
    /// trailing instructions and the WE_HAVE_INSTRUCTIONS flags).
    static func strippedGlyph(_ glyph: [UInt8]) -> [UInt8]? {
        guard glyph.count >= 10, let contoursRaw = u16(glyph, 0) else { return nil }
        let contours = Int(Int16(bitPattern: contoursRaw))
        if contours >= 0 {
            let lengthAt = 10 + contours * 2
            guard let instructions = u16(glyph, lengthAt), lengthAt + 2 + Int(instructions) <= glyph.count else { return nil }
            return Array(glyph[0..<lengthAt]) + [0, 0] + Array(glyph[(lengthAt + 2 + Int(instructions))...])
        }
        var output = Array(glyph[0..<10])
        var position = 10
        while true {
            guard let flags = u16(glyph, position) else { return nil }
            var size = 4 + ((flags & 0x0001) != 0 ? 4 : 2)
            if flags & 0x0008 != 0 { size += 2 } else if flags & 0x0040 != 0 { size += 4 } else if flags & 0x0080 != 0 { size += 8 }
            guard position + size <= glyph.count else { return nil }
            var component = Array(glyph[position..<(position + size)])
            component[0] &= ~0x01  // WE_HAVE_INSTRUCTIONS is bit 8: the high byte's lowest bit
            output += component
            position += size
            if flags & 0x0020 == 0 { break }
        }
        return output
    }

    static func assemble(_ tables: [Table], sfntVersion: [UInt8]) -> [UInt8] {
        let sorted = tables.sorted { Array($0.tag.utf8).lexicographicallyPrecedes(Array($1.tag.utf8)) }
        var entrySelector = 0
        while (1 << (entrySelector + 1)) <= sorted.count { entrySelector += 1 }
        let searchRange = (1 << entrySelector) * 16
        var output = sfntVersion
        append16(&output, UInt16(sorted.count))
        append16(&output, UInt16(searchRange))
        append16(&output, UInt16(entrySelector))
        append16(&output, UInt16(sorted.count * 16 - searchRange))
        var offset = 12 + sorted.count * 16
        var body: [UInt8] = []
        var headOffset = 0
        for table in sorted {
            output += Array(table.tag.utf8)
            var data = table.data
            if table.tag == "head" {
                for index in 8..<12 { data[index] = 0 }  // checkSumAdjustment, set below
                headOffset = offset
            }
            append32(&output, checksum(data))
            append32(&output, UInt32(offset))
            append32(&output, UInt32(data.count))
            body += data
            while body.count % 4 != 0 { body.append(0) }
            offset = 12 + sorted.count * 16 + body.count
        }
        output += body
        if headOffset > 0 {
            let adjustment = 0xB1B0_AFBA &- checksum(output)
            for index in 0..<4 { output[headOffset + 8 + index] = UInt8(truncatingIfNeeded: adjustment >> (24 - 8 * UInt32(index))) }
        }
        return output
    }

    static func checksum(_ data: [UInt8]) -> UInt32 {
        var sum: UInt32 = 0
        var index = 0
        while index < data.count {
            var word: UInt32 = 0
            for byte in 0..<4 { word = word << 8 | UInt32(index + byte < data.count ? data[index + byte] : 0) }
            sum &+= word
            index += 4
        }
        return sum
    }

    static func u16(_ data: [UInt8], _ at: Int) -> UInt16? {
        guard at >= 0, at + 2 <= data.count else { return nil }
        return UInt16(data[at]) << 8 | UInt16(data[at + 1])
    }

    static func u32(_ data: [UInt8], _ at: Int) -> UInt32? {
        guard at >= 0, at + 4 <= data.count else { return nil }
        return UInt32(data[at]) << 24 | UInt32(data[at + 1]) << 16 | UInt32(data[at + 2]) << 8 | UInt32(data[at + 3])
    }

    static func append16(_ data: inout [UInt8], _ value: UInt16) { data += [UInt8(value >> 8), UInt8(value & 0xFF)] }
    static func append32(_ data: inout [UInt8], _ value: UInt32) {
        data += [UInt8(value >> 24), UInt8(value >> 16 & 0xFF), UInt8(value >> 8 & 0xFF), UInt8(value & 0xFF)]
    }
}
