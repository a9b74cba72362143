/// Cairo 1.16 reserves objects for the structure tree when a document has link tags but never writes
/// them, leaving xref entries that point at another object (qpdf: "file is damaged … expected 3 0 obj").
/// This rewrites such entries, in place and with the same width, as free entries; references to them
/// then read as null, which is what the missing objects amount to. Byte offsets are unchanged, so the
/// output stays deterministic and every other entry stays valid.
enum PDFRepair {
    static func fixDanglingXrefEntries(_ pdf: inout [UInt8]) {
        guard let xref = PDFXref.read(pdf) else { return }
        for (number, entry) in xref.entries.enumerated() where entry.inUse {
            let header = Array("\(number) 0 obj".utf8)
            if entry.offset + header.count > pdf.count || Array(pdf[entry.offset..<(entry.offset + header.count)]) != header {
                let line = xref.entriesStart + number * 20
                for (index, byte) in "0000000000 65535 f".utf8.enumerated() { pdf[line + index] = byte }
            }
        }
    }
}
