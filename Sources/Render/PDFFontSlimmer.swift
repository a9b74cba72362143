import CPangoCairo
import Core
import Foundation

/// Rewrites Cairo's PDF so that every embedded TrueType subset (`FontFile2`) loses its hinting
/// (`TrueTypeDehinter`): for a one-page Latin invoice, 19 KB of fonts become 9 KB. The file is
/// rebuilt object by object with a new cross-reference table; the same input gives the same bytes.
/// When anything does not look like Cairo's output the PDF is returned unchanged.
enum PDFFontSlimmer {
    /// Slimmed subsets by the original compressed stream: documents rendered again with the same
    /// glyphs (a template's static text, repeated renders) skip the work.
    static let cache = TTLCache<StreamKey, (compressed: [UInt8], length: Int)>(ttlMillis: 3_600_000, capacity: 512)

    /// A compressed font stream as a cache key, hashed as one block of bytes (an array of bytes hashes
    /// element by element, which cost more than the lookup saved).
    struct StreamKey: Hashable, Sendable {
        let bytes: [UInt8]
        func hash(into hasher: inout Hasher) { bytes.withUnsafeBytes { hasher.combine(bytes: $0) } }
    }

    static func slim(_ pdf: [UInt8]) -> [UInt8] {
        guard let xref = PDFXref.read(pdf), let trailerEnd = PDFXref.lastIndex(of: Array("startxref".utf8), in: pdf),
            xref.trailerStart < trailerEnd
        else { return pdf }
        // Object number → byte range, in file order.
        let live = xref.entries.enumerated().filter { $0.element.inUse }.sorted { $0.element.offset < $1.element.offset }
        guard let first = live.first?.element.offset, first > 0 else { return pdf }
        var ranges: [Int: Range<Int>] = [:]
        for (index, item) in live.enumerated() {
            let end = index + 1 < live.count ? live[index + 1].element.offset : xref.start
            guard item.element.offset < end, end <= pdf.count else { return pdf }
            ranges[item.offset] = item.element.offset..<end
        }
        var replaced: [Int: [UInt8]] = [:]
        for (number, range) in ranges {
            if let slimmed = slimmedFontObject(pdf, range: range, number: number, ranges: ranges) { replaced[number] = slimmed }
        }
        guard !replaced.isEmpty else { return pdf }
        var output = Array(pdf[0..<first])
        var newOffsets: [Int: Int] = [:]
        for item in live {
            newOffsets[item.offset] = output.count
            output += replaced[item.offset] ?? Array(pdf[ranges[item.offset]!])
        }
        let newXref = output.count
        output += Array("xref\n0 \(xref.entries.count)\n".utf8)
        for (number, entry) in xref.entries.enumerated() {
            let offset = entry.inUse ? newOffsets[number]! : entry.offset
            output += Array((pad(offset, 10) + " " + entry.generation + (entry.inUse ? " n \n" : " f \n")).utf8)
        }
        output += Array(pdf[xref.trailerStart..<trailerEnd])
        output += Array("startxref\n\(newXref)\n%%EOF\n".utf8)
        return output
    }

    /// `N 0 obj << … /Length1 … >> stream … endstream endobj` with a dehinted font, or nil.
    static func slimmedFontObject(_ pdf: [UInt8], range: Range<Int>, number: Int, ranges: [Int: Range<Int>]) -> [UInt8]? {
        let object = Array(pdf[range])
        guard let streamAt = PDFXref.find(Array(">>\nstream\n".utf8), in: object) else { return nil }
        let dictionary = String(decoding: object[0..<streamAt], as: UTF8.self)
        guard dictionary.contains("/Length1"), dictionary.contains("/FlateDecode"), !dictionary.contains("/Subtype"),
            let length = streamLength(dictionary, pdf: pdf, ranges: ranges)
        else { return nil }
        let dataStart = streamAt + 10
        guard dataStart + length <= object.count else { return nil }
        let original = Array(object[dataStart..<(dataStart + length)])
        let slimmed: (compressed: [UInt8], length: Int)
        let key = StreamKey(bytes: original)
        if let known = cache.get(key) {
            slimmed = known
        } else {
            guard let font = inflate(original), let dehinted = TrueTypeDehinter.dehint(font), let compressed = deflate(dehinted) else { return nil }
            slimmed = (compressed, dehinted.count)
            cache.put(slimmed, for: key)
        }
        let (compressed, rawLength) = slimmed
        var rebuilt = Array("\(number) 0 obj\n<< /Length \(compressed.count)\n   /Filter /FlateDecode\n   /Length1 \(rawLength)\n>>\nstream\n".utf8)
        rebuilt += compressed
        rebuilt += Array("\nendstream\nendobj\n".utf8)
        return rebuilt
    }

    /// The stream's `/Length`: a number, or (as Cairo writes it) a reference to an object holding one.
    static func streamLength(_ dictionary: String, pdf: [UInt8], ranges: [Int: Range<Int>]) -> Int? {
        guard let match = dictionary.range(of: "/Length ") else { return nil }
        let words = dictionary[match.upperBound...].split(whereSeparator: { $0 == " " || $0 == "\n" }).prefix(3).map(String.init)
        guard let value = words.first.flatMap(Int.init) else { return nil }
        guard words.count == 3, words[2] == "R" else { return value }
        guard let target = ranges[value] else { return nil }
        let text = String(decoding: pdf[target], as: UTF8.self)
        let parts = text.split(whereSeparator: { $0 == " " || $0 == "\n" })
        guard parts.count >= 4, parts[2] == "obj" else { return nil }
        return Int(parts[3])
    }

    static func pad(_ value: Int, _ width: Int) -> String {
        let digits = String(value)
        return String(repeating: "0", count: max(0, width - digits.count)) + digits
    }

    static func inflate(_ data: [UInt8]) -> [UInt8]? {
        var stream = z_stream()
        guard inflateInit_(&stream, ZLIB_VERSION, Int32(MemoryLayout<z_stream>.size)) == Z_OK else { return nil }
        defer { inflateEnd(&stream) }
        var input = data
        var output: [UInt8] = []
        var chunk = [UInt8](repeating: 0, count: 65_536)
        return input.withUnsafeMutableBufferPointer { inputBuffer -> [UInt8]? in
            stream.next_in = inputBuffer.baseAddress
            stream.avail_in = UInt32(inputBuffer.count)
            while true {
                let status = chunk.withUnsafeMutableBufferPointer { chunkBuffer -> Int32 in
                    stream.next_out = chunkBuffer.baseAddress
                    stream.avail_out = UInt32(chunkBuffer.count)
                    return CPangoCairo.inflate(&stream, Z_NO_FLUSH)
                }
                output += chunk[0..<(chunk.count - Int(stream.avail_out))]
                if status == Z_STREAM_END { return output }
                guard status == Z_OK, output.count < 64 << 20 else { return nil }
            }
        }
    }

    static func deflate(_ data: [UInt8]) -> [UInt8]? { Flate.deflate(data) }
}
