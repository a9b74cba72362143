/// Why a PDF cannot be read or updated: anything that is not a well-formed PDF of the shape the render
/// engine writes (classic cross-reference tables, possibly followed by earlier incremental updates).
/// The signer (module Signatures) calls it `PDFSignatureError`.
public enum PDFFileError: Error, Equatable, CustomStringConvertible {
    case notAPDF
    case malformed(String)
    /// Well-formed PDF this signer does not handle (cross-reference streams, encryption, …).
    case unsupported(String)
    /// The CMS signature is larger than the space reserved for it.
    case signatureTooLarge(needed: Int, reserved: Int)

    public var description: String {
        switch self {
        case .notAPDF: "not a PDF (no %PDF- header or no startxref)"
        case .malformed(let reason): "malformed PDF: \(reason)"
        case .unsupported(let reason): "unsupported PDF: \(reason)"
        case .signatureTooLarge(let needed, let reserved): "signature needs \(needed) bytes, \(reserved) reserved"
        }
    }
}

/// What an incremental update (signing, stamping, archiving) needs from an existing PDF: its cross-reference (all sections, newest first,
/// through `/Prev`), the newest trailer, and objects by number.
package struct PDFStructure {
    package static let maxXrefSections = 64
    package static let maxObjects = 8_388_607  // ISO 32000-1 Annex C: the largest object number.
    package static let maxPageTreeDepth = 32
    package static let maxPages = 100_000

    package let bytes: [UInt8]
    /// Object number → (byte offset, generation), the newest section winning.
    package var offsets: [Int: (offset: Int, generation: Int)] = [:]
    /// The newest trailer dictionary.
    package var trailer: PDFObject
    /// Where the newest cross-reference section starts (the update's `/Prev`).
    package var startxref: Int

    package init(_ bytes: [UInt8]) throws {
        self.bytes = bytes
        guard bytes.count >= 32, Array(bytes[0..<5]) == Array("%PDF-".utf8) else { throw PDFFileError.notAPDF }
        guard let at = PDFStructure.lastIndex(of: Array("startxref".utf8), in: bytes, within: 1024) else { throw PDFFileError.notAPDF }
        var lexer = PDFLexer(bytes, at: at + 9)
        startxref = try lexer.integer()
        guard startxref > 0, startxref < at else { throw PDFFileError.malformed("startxref \(startxref) outside the file") }
        trailer = .null
        var section: Int? = startxref
        var seen: Set<Int> = []
        var first = true
        while let offset = section {
            guard seen.count < PDFStructure.maxXrefSections else { throw PDFFileError.malformed("more than 64 cross-reference sections") }
            guard seen.insert(offset).inserted else { throw PDFFileError.malformed("cross-reference /Prev loop") }
            let sectionTrailer = try readSection(at: offset)
            if first {
                trailer = sectionTrailer
                first = false
            }
            guard sectionTrailer["XRefStm"] == nil else { throw PDFFileError.unsupported("hybrid cross-reference (XRefStm)") }
            guard sectionTrailer["Encrypt"] == nil else { throw PDFFileError.unsupported("encrypted PDF") }
            if let prev = sectionTrailer["Prev"] {
                guard let value = prev.integer, value > 0, value < bytes.count else { throw PDFFileError.malformed("bad /Prev") }
                section = value
            } else {
                section = nil
            }
        }
    }

    /// Reads one classic section (`xref`, subsections of `start count` and 20-byte entries, `trailer`
    /// and its dictionary), records entries not already known, and returns the trailer.
    package mutating func readSection(at offset: Int) throws -> PDFObject {
        guard offset < bytes.count else { throw PDFFileError.malformed("cross-reference offset \(offset) outside the file") }
        var lexer = PDFLexer(bytes, at: offset)
        guard lexer.accept("xref") else {
            var probe = PDFLexer(bytes, at: offset)
            if (try? probe.integer()) != nil, (try? probe.integer()) != nil, probe.accept("obj") {
                throw PDFFileError.unsupported("cross-reference stream")
            }
            throw PDFFileError.malformed("no xref at startxref \(offset)")
        }
        while !lexer.accept("trailer") {
            let start = try lexer.integer()
            let count = try lexer.integer()
            guard start >= 0, count >= 0, start + count <= PDFStructure.maxObjects + 1,
                count <= (bytes.count - lexer.position) / 18
            else { throw PDFFileError.malformed("bad cross-reference subsection \(start) \(count)") }
            for number in start..<(start + count) {
                let entryOffset = try lexer.integer()
                let generation = try lexer.integer()
                let inUse: Bool
                if lexer.accept("n") {
                    inUse = true
                } else if lexer.accept("f") {
                    inUse = false
                } else {
                    throw PDFFileError.malformed("bad cross-reference entry for object \(number)")
                }
                if offsets[number] == nil, inUse, entryOffset >= 0, generation >= 0 {
                    offsets[number] = (entryOffset, generation)
                } else if offsets[number] == nil, !inUse {
                    offsets[number] = (-1, generation)
                }
            }
        }
        let trailer = try lexer.value()
        guard case .dictionary = trailer else { throw PDFFileError.malformed("trailer is not a dictionary") }
        return trailer
    }

    /// The object `reference` points at (its value; a stream's dictionary is refused: none of the objects
    /// read here is a stream).
    package func object(_ reference: PDFReference) throws -> PDFObject {
        let read = try value(reference)
        if read.isStream { throw PDFFileError.unsupported("object \(reference.number) is a stream") }
        return read.value
    }

    /// The object `reference` points at, and whether it is a stream (then `value` is its dictionary and
    /// the data is not read).
    package func value(_ reference: PDFReference) throws -> (value: PDFObject, isStream: Bool) {
        guard let entry = offsets[reference.number], entry.offset >= 0 else {
            throw PDFFileError.malformed("object \(reference.number) is not in the cross-reference")
        }
        guard entry.generation == reference.generation else {
            throw PDFFileError.malformed("object \(reference.number) has generation \(entry.generation), not \(reference.generation)")
        }
        guard entry.offset < bytes.count else { throw PDFFileError.malformed("object \(reference.number) offset outside the file") }
        var lexer = PDFLexer(bytes, at: entry.offset)
        guard try lexer.integer() == reference.number, try lexer.integer() == reference.generation else {
            throw PDFFileError.malformed("cross-reference entry of object \(reference.number) points elsewhere")
        }
        try lexer.expect("obj")
        let value = try lexer.value()
        if lexer.accept("stream") { return (value, true) }
        try lexer.expect("endobj")
        return (value, false)
    }

    /// A dictionary, inline or behind a reference.
    package func dictionary(_ value: PDFObject?, _ what: String) throws -> PDFObject {
        var resolved = value
        if let reference = value?.reference { resolved = try object(reference) }
        guard let resolved, case .dictionary = resolved else { throw PDFFileError.malformed("\(what) is not a dictionary") }
        return resolved
    }

    /// An array, inline or behind a reference.
    package func array(_ value: PDFObject?, _ what: String) throws -> [PDFObject] {
        var resolved = value
        if let reference = value?.reference { resolved = try object(reference) }
        guard case .array(let items) = resolved else { throw PDFFileError.malformed("\(what) is not an array") }
        return items
    }

    package var rootReference: PDFReference {
        get throws {
            guard let root = trailer["Root"]?.reference else { throw PDFFileError.malformed("trailer has no /Root reference") }
            return root
        }
    }

    package var size: Int {
        get throws {
            guard let size = trailer["Size"]?.integer, size >= 1, size <= PDFStructure.maxObjects else {
                throw PDFFileError.malformed("trailer /Size missing or out of range")
            }
            return size
        }
    }

    /// A page with the attributes it inherits from the page tree (ISO 32000-1 §7.7.3.4).
    package struct Page {
        package var reference: PDFReference
        package var dictionary: PDFObject
        /// `/Resources`, `/MediaBox` and `/Rotate`: the page's own, else the nearest ancestor's.
        package var resources: PDFObject?
        package var mediaBox: PDFObject?
        package var rotate: PDFObject?

        /// The `/MediaBox` as its lower-left corner and size, in points.
        package func box(number: Int) throws -> (left: Double, bottom: Double, width: Double, height: Double) {
            guard let box = mediaBox?.numbers, box.count == 4 else { throw PDFFileError.malformed("page \(number) has no /MediaBox") }
            let size = (width: abs(box[2] - box[0]), height: abs(box[3] - box[1]))
            guard size.width > 0, size.height > 0 else { throw PDFFileError.malformed("page \(number) has an empty /MediaBox") }
            return (min(box[0], box[2]), min(box[1], box[3]), size.width, size.height)
        }
    }

    /// The first page: `/Root /Pages`, then the first kid down the tree.
    package func firstPage(catalog: PDFObject) throws -> Page {
        guard let page = try pages(catalog: catalog, limit: 1).first else { throw PDFFileError.malformed("the document has no pages") }
        return page
    }

    /// The pages in document order (the page tree walked depth first), at most `limit` of them. Bounded by
    /// the tree's depth and `maxPages`; a node seen twice is malformed.
    package func pages(catalog: PDFObject, limit: Int = PDFStructure.maxPages) throws -> [Page] {
        guard let root = catalog["Pages"]?.reference else { throw PDFFileError.malformed("catalog has no /Pages reference") }
        var result: [Page] = []
        var seen: Set<Int> = []
        func visit(_ node: PDFReference, inherited: Page, depth: Int) throws {
            guard result.count < limit else { return }
            guard depth < PDFStructure.maxPageTreeDepth else {
                throw PDFFileError.malformed("page tree deeper than \(PDFStructure.maxPageTreeDepth)")
            }
            guard seen.insert(node.number).inserted, seen.count <= PDFStructure.maxPages * 2 else {
                throw PDFFileError.malformed("page tree node \(node.number) reached twice")
            }
            let dictionary = try object(node)
            var here = inherited
            here.reference = node
            here.dictionary = dictionary
            if let value = dictionary["Resources"] { here.resources = value }
            if let value = dictionary["MediaBox"] { here.mediaBox = value }
            if let value = dictionary["Rotate"] { here.rotate = value }
            if dictionary["Type"]?.isName("Page") == true {
                result.append(here)
                return
            }
            guard dictionary["Type"]?.isName("Pages") == true else { throw PDFFileError.malformed("page tree node \(node.number) has no /Type") }
            for kid in try array(dictionary["Kids"], "/Kids") {
                guard let reference = kid.reference else { throw PDFFileError.malformed("page tree kid is not a reference") }
                try visit(reference, inherited: here, depth: depth + 1)
                if result.count >= limit { return }
            }
        }
        try visit(root, inherited: Page(reference: root, dictionary: .null), depth: 0)
        return result
    }

    /// The last occurrence of `needle` within the final `window` bytes.
    package static func lastIndex(of needle: [UInt8], in hay: [UInt8], within window: Int) -> Int? {
        guard hay.count >= needle.count else { return nil }
        var index = hay.count - needle.count
        let lower = max(0, hay.count - window)
        while index >= lower {
            if hay[index] == needle[0], hay[index..<(index + needle.count)].elementsEqual(needle) { return index }
            index -= 1
        }
        return nil
    }
}
