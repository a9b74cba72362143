/// An incremental update of an existing PDF (ISO 32000-1 §7.5.6): the original bytes unchanged, then new
/// and rewritten objects, a cross-reference section for just those objects and a trailer whose `/Prev`
/// points at the original section. The one writer of the signing and the stamping updates.
package struct PDFIncrementalUpdate {
    package let structure: PDFStructure
    /// The file so far: the original bytes followed by the objects appended.
    private(set) var bytes: [UInt8]
    private var offsets: [Int: (offset: Int, generation: Int)] = [:]
    /// The next free object number: `/Size`, unless a cross-reference entry lies beyond it.
    private(set) var nextNumber: Int

    package init(_ structure: PDFStructure) throws {
        self.structure = structure
        bytes = structure.bytes
        if bytes.last != 0x0A && bytes.last != 0x0D { bytes.append(0x0A) }
        nextNumber = max(try structure.size, (structure.offsets.keys.max() ?? 0) + 1)
    }

    /// A new object number.
    package mutating func allocate() throws -> PDFReference {
        guard nextNumber < PDFStructure.maxObjects else { throw PDFFileError.unsupported("no object numbers left") }
        defer { nextNumber += 1 }
        return PDFReference(number: nextNumber, generation: 0)
    }

    /// Appends `N G obj … endobj` (a new object or a new version of an existing one); returns the offset
    /// of the body's first byte.
    @discardableResult
    package mutating func append(_ reference: PDFReference, _ body: [UInt8]) -> Int {
        offsets[reference.number] = (bytes.count, reference.generation)
        bytes += Array("\(reference.number) \(reference.generation) obj\n".utf8)
        let bodyStart = bytes.count
        bytes += body + Array("\nendobj\n".utf8)
        return bodyStart
    }

    package mutating func append(_ reference: PDFReference, _ object: PDFObject) {
        append(reference, object.serialized)
    }

    /// Appends a stream object: `dictionary` (without `/Length`, which is added) and its encoded data.
    package mutating func appendStream(_ reference: PDFReference, _ dictionary: PDFObject, data: [UInt8]) {
        let header = dictionary.setting("Length", to: .integer(data.count))
        append(reference, header.serialized + Array("\nstream\n".utf8) + data + Array("\nendstream".utf8))
    }

    /// Writes the cross-reference section (one subsection per run of consecutive object numbers) and the
    /// trailer (`/Size`, `/Root`, the original `/Info` and `/ID`, `/Prev`); returns the finished file.
    /// `id` is the `/ID` for a file that has none (PDF/A requires one).
    package mutating func finish(root: PDFReference, id: PDFObject? = nil) throws -> [UInt8] {
        let xrefOffset = bytes.count
        bytes += Array("xref\n".utf8)
        let numbers = offsets.keys.sorted()
        var index = 0
        while index < numbers.count {
            var end = index
            while end + 1 < numbers.count, numbers[end + 1] == numbers[end] + 1 { end += 1 }
            bytes += Array("\(numbers[index]) \(end - index + 1)\n".utf8)
            for number in numbers[index...end] {
                let entry = offsets[number]!
                bytes += Array((PDFIncrementalUpdate.pad(entry.offset, 10) + " " + PDFIncrementalUpdate.pad(entry.generation, 5) + " n \n").utf8)
            }
            index = end + 1
        }
        var trailer: PDFObject = .dictionary([
            (Array("Size".utf8), .integer(max(try structure.size, nextNumber))),
            (Array("Root".utf8), .reference(root)),
        ])
        if let info = structure.trailer["Info"] { trailer = trailer.setting("Info", to: info) }
        if let id = structure.trailer["ID"] ?? id { trailer = trailer.setting("ID", to: id) }
        trailer = trailer.setting("Prev", to: .integer(structure.startxref))
        bytes += Array("trailer\n".utf8) + trailer.serialized + Array("\nstartxref\n\(xrefOffset)\n%%EOF\n".utf8)
        return bytes
    }

    package static func pad(_ value: Int, _ width: Int) -> String {
        let digits = String(value)
        return String(repeating: "0", count: max(0, width - digits.count)) + digits
    }
}

extension PDFObject {
    package static func integer(_ value: Int) -> PDFObject { .number(Array(String(value).utf8)) }

    /// A real number with at most four decimals, as content streams and boxes want it.
    package static func real(_ value: Double) -> PDFObject { .number(Array(PDFObject.format(value).utf8)) }

    package static func name(_ name: String) -> PDFObject { .name(Array(name.utf8)) }

    /// `value` in PDF number syntax: no exponent, at most four decimals, trailing zeros dropped.
    package static func format(_ value: Double) -> String {
        guard value.isFinite else { return "0" }
        let scaled = (value * 10_000).rounded()
        guard abs(scaled) < 1e15 else { return "0" }
        let negative = scaled < 0
        let magnitude = Int64(abs(scaled))
        var text = String(magnitude / 10_000)
        var fraction = String(magnitude % 10_000)
        if fraction != "0" {
            fraction = String(repeating: "0", count: 4 - fraction.count) + fraction
            while fraction.hasSuffix("0") { fraction.removeLast() }
            text += "." + fraction
        }
        return negative && magnitude != 0 ? "-" + text : text
    }

    /// The numbers of an array of numbers (a `/MediaBox`), nil when any item is not a number.
    package var numbers: [Double]? {
        guard case .array(let items) = self else { return nil }
        var values: [Double] = []
        for item in items {
            guard case .number(let bytes) = item, let value = Double(String(decoding: bytes, as: UTF8.self)), value.isFinite else { return nil }
            values.append(value)
        }
        return values
    }
}
