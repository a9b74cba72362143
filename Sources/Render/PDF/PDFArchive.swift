import CPangoCairo
import Core
import Foundation

/// A file a render carries inside its PDF (ISO 32000-2 §7.11.4, PDF/A-3 associated files): an invoice's
/// XML for Factur-X/ZUGFeRD, the data a statement was made from, a spreadsheet version.
public struct EmbeddedFile: Sendable, Equatable {
    /// How the file relates to the document (`/AFRelationship`).
    public enum Relationship: String, Sendable, Equatable, CaseIterable {
        case data = "Data"
        case source = "Source"
        case alternative = "Alternative"
        case supplement = "Supplement"
        case unspecified = "Unspecified"
    }

    public var filename: String
    public var mimeType: String
    public var relationship: Relationship
    public var description: String?
    /// The bytes embedded.
    public var content: Data
    /// Where `content` is fetched from at render time, for a file the request named by URL (empty
    /// `content` until then).
    public var url: String?

    public init(filename: String, mimeType: String, relationship: Relationship, description: String? = nil, content: Data, url: String? = nil) {
        self.filename = filename
        self.mimeType = mimeType
        self.relationship = relationship
        self.description = description
        self.content = content
        self.url = url
    }

    /// The file names Factur-X, ZUGFeRD and XRechnung give the invoice XML; with PDF/A-3 such an attachment
    /// makes the document a hybrid e-invoice, declared in the XMP.
    static let eInvoiceNames: Set<String> = ["factur-x.xml", "zugferd-invoice.xml", "xrechnung.xml"]
}

/// Fetches a file a render request names by URL, at render time (the server's is SSRF-guarded and
/// capped; docs/api.md#renders). Whatever fails, the render reads one reason.
public protocol EmbeddedFileFetcher: Sendable {
    func fetch(_ url: String) async throws -> Data
}

/// The last pass over an engine PDF when it must be archival (PDF/A-2b or PDF/A-3b) or carry files:
/// an incremental update (the engine's bytes stay as they are, apart from `/Interpolate` flags PDF/A
/// forbids, blanked in place) that adds the XMP metadata with the PDF/A identification, an sRGB output
/// intent, the embedded files with their `/AFRelationship`, print flags on annotations, a date-correct
/// `/Info` and a trailer `/ID`. Everything is derived from the input, so the same input gives the same
/// bytes (docs/document-model.md#accessibility-and-archiving).
///
/// A tagged document (`universalAccess`) gets the same XMP, with the PDF/UA-1 identification
/// (`pdfuaid:part`), which PDF/UA requires even without PDF/A.
enum PDFArchive {
    static func finish(_ pdf: [UInt8], conformance: PDFAConformance?, attachments: [EmbeddedFile], universalAccess: Bool = false) throws -> [UInt8] {
        guard conformance != nil || !attachments.isEmpty || universalAccess else { return pdf }
        var bytes = pdf
        if conformance != nil { blankInterpolation(&bytes) }
        let structure = try PDFStructure(bytes)
        let rootReference = try structure.rootReference
        var catalog = try structure.object(rootReference)
        var update = try PDFIncrementalUpdate(structure)
        let modified = try infoDate(structure, key: "ModDate") ?? "20000101000000Z"

        if !attachments.isEmpty {
            var specs: [(name: String, reference: PDFReference)] = []
            for file in attachments {
                let stream = try update.allocate()
                let compressed = Flate.deflate(Array(file.content))
                update.appendStream(
                    stream,
                    .dictionary([
                        (Array("Type".utf8), .name("EmbeddedFile")), (Array("Subtype".utf8), .name(nameEscaped(file.mimeType))),
                        (Array("Filter".utf8), .name("FlateDecode")),
                        (
                            Array("Params".utf8),
                            .dictionary([
                                (Array("Size".utf8), .integer(file.content.count)), (Array("ModDate".utf8), .string(pdfTextString("D:" + modified))),
                            ])
                        ),
                    ]), data: compressed)
                let spec = try update.allocate()
                var entries: [(key: [UInt8], value: PDFObject)] = [
                    (Array("Type".utf8), .name("Filespec")), (Array("F".utf8), .string(pdfTextString(asciiFallback(file.filename)))),
                    (Array("UF".utf8), .string(unicodeString(file.filename))),
                    (Array("EF".utf8), .dictionary([(Array("F".utf8), .reference(stream)), (Array("UF".utf8), .reference(stream))])),
                    (Array("AFRelationship".utf8), .name(file.relationship.rawValue)),
                ]
                if let description = file.description { entries.append((Array("Desc".utf8), .string(pdfTextString(description)))) }
                update.append(spec, .dictionary(entries))
                specs.append((file.filename, spec))
            }
            // The name tree's keys sorted as byte strings (ISO 32000-1 §7.9.6), one leaf: a render carries few files.
            let sorted = specs.sorted { Array(unicodeString($0.name)).lexicographicallyPrecedes(unicodeString($1.name)) }
            let tree: PDFObject = .dictionary([
                (Array("Names".utf8), .array(sorted.flatMap { [.string(unicodeString($0.name)), .reference($0.reference)] }))
            ])
            var names = (try? structure.dictionary(catalog["Names"], "/Names")) ?? .dictionary([])
            names = names.setting("EmbeddedFiles", to: tree)
            catalog = catalog.setting("Names", to: names)
            catalog = catalog.setting("AF", to: .array(specs.map { .reference($0.reference) }))
            catalog = catalog.setting("PageMode", to: .name("UseAttachments"))
        }

        var id: PDFObject?
        if conformance != nil || universalAccess {
            let info = try correctedInfo(structure, update: &update)
            let metadata = try update.allocate()
            let xmp = XMPPacket.make(
                conformance: conformance, universalAccess: universalAccess, info: info,
                eInvoice: attachments.first { EmbeddedFile.eInvoiceNames.contains($0.filename.lowercased()) })
            update.appendStream(metadata, .dictionary([(Array("Type".utf8), .name("Metadata")), (Array("Subtype".utf8), .name("XML"))]), data: xmp)
            catalog = catalog.setting("Metadata", to: .reference(metadata))
        }
        if let conformance {

            let profile = try update.allocate()
            update.appendStream(
                profile, .dictionary([(Array("N".utf8), .integer(3)), (Array("Filter".utf8), .name("FlateDecode"))]),
                data: Flate.deflate(SRGBProfile.bytes))
            let intent: PDFObject = .dictionary([
                (Array("Type".utf8), .name("OutputIntent")), (Array("S".utf8), .name("GTS_PDFA1")),
                (Array("OutputConditionIdentifier".utf8), .string(pdfTextString(SRGBProfile.name))),
                (Array("Info".utf8), .string(pdfTextString(SRGBProfile.name))), (Array("DestOutputProfile".utf8), .reference(profile)),
            ])
            catalog = catalog.setting("OutputIntents", to: .array([intent]))
            try flagAnnotationsForPrint(structure, catalog: catalog, update: &update)
            // A file identifier derived from the content: deterministic, and distinct per document.
            let digest = Array(Hex.sha256(Data(pdf)).prefix(32).uppercased().utf8)
            let hex: PDFObject = .string([UInt8(ascii: "<")] + digest + [UInt8(ascii: ">")])
            id = .array([hex, hex])
        }
        update.append(rootReference, catalog)
        return try update.finish(root: rootReference, id: id)
    }

    /// `/Interpolate true` (forbidden by PDF/A) overwritten with spaces: offsets stay valid.
    static func blankInterpolation(_ bytes: inout [UInt8]) {
        let needle = Array("/Interpolate true".utf8)
        var index = 0
        while index + needle.count <= bytes.count {
            if bytes[index] == needle[0], bytes[index..<(index + needle.count)].elementsEqual(needle) {
                for i in index..<(index + needle.count) { bytes[i] = UInt8(ascii: " ") }
                index += needle.count
            } else {
                index += 1
            }
        }
    }

    /// The document information as text, with dates in PDF syntax (`D:…`; Cairo 1.16 leaves out the
    /// prefix, which PDF/A validators refuse), rewritten as a new version of the `/Info` object.
    static func correctedInfo(_ structure: PDFStructure, update: inout PDFIncrementalUpdate) throws -> [String: String] {
        guard let reference = structure.trailer["Info"]?.reference else { return [:] }
        var dictionary = try structure.object(reference)
        var info: [String: String] = [:]
        guard case .dictionary(let entries) = dictionary else { return [:] }
        for entry in entries {
            guard case .string(let raw) = entry.value else { continue }
            let key = String(decoding: entry.key, as: UTF8.self)
            var text = decodeTextString(raw)
            if key == "CreationDate" || key == "ModDate" {
                if !text.hasPrefix("D:") { text = "D:" + text }
                dictionary = dictionary.setting(key, to: .string(pdfTextString(text)))
            }
            info[key] = text
        }
        update.append(reference, dictionary)
        return info
    }

    static func infoDate(_ structure: PDFStructure, key: String) throws -> String? {
        guard let reference = structure.trailer["Info"]?.reference, case .string(let raw)? = try structure.object(reference)[key] else { return nil }
        let text = decodeTextString(raw)
        return text.hasPrefix("D:") ? String(text.dropFirst(2)) : text
    }

    /// PDF/A wants every annotation printable (`/F` with the Print flag, 4); Cairo's link annotations
    /// carry no flags. Each one without is written again with `/F 4`.
    static func flagAnnotationsForPrint(_ structure: PDFStructure, catalog: PDFObject, update: inout PDFIncrementalUpdate) throws {
        for page in try structure.pages(catalog: catalog) {
            guard let annotations = page.dictionary["Annots"] else { continue }
            for item in try structure.array(annotations, "/Annots") {
                guard let reference = item.reference else { continue }
                let annotation = try structure.object(reference)
                if let flags = annotation["F"]?.integer, flags & 4 != 0 { continue }
                update.append(reference, annotation.setting("F", to: .integer((annotation["F"]?.integer ?? 0) | 4)))
            }
        }
    }

    /// A literal or hex PDF string (delimiters included) as text: UTF-16BE with a byte-order mark, else
    /// PDFDocEncoding read as Latin-1 (the same for everything the engine writes).
    static func decodeTextString(_ raw: [UInt8]) -> String {
        var bytes: [UInt8] = []
        if raw.first == UInt8(ascii: "<") {
            let digits = raw.dropFirst().prefix { $0 != UInt8(ascii: ">") }.filter(\.isHexDigit)
            var index = digits.startIndex
            while index < digits.endIndex {
                let high = digits[index]
                let low = digits.index(after: index) < digits.endIndex ? digits[digits.index(after: index)] : UInt8(ascii: "0")
                bytes.append(UInt8(hexValue(high) << 4 | hexValue(low)))
                index = digits.index(index, offsetBy: 2, limitedBy: digits.endIndex) ?? digits.endIndex
            }
        } else {
            var index = 1
            while index < raw.count - 1 {
                var byte = raw[index]
                if byte == UInt8(ascii: "\\"), index + 1 < raw.count - 1 {
                    index += 1
                    switch raw[index] {
                    case UInt8(ascii: "n"): byte = 0x0A
                    case UInt8(ascii: "r"): byte = 0x0D
                    case UInt8(ascii: "t"): byte = 0x09
                    default: byte = raw[index]
                    }
                }
                bytes.append(byte)
                index += 1
            }
        }
        if bytes.count >= 2, bytes[0] == 0xFE, bytes[1] == 0xFF {
            let units = stride(from: 2, to: bytes.count - 1, by: 2).map { UInt16(bytes[$0]) << 8 | UInt16(bytes[$0 + 1]) }
            return String(decoding: units, as: UTF16.self)
        }
        return String(bytes.map { Character(Unicode.Scalar($0)) })
    }

    static func hexValue(_ digit: UInt8) -> UInt8 {
        switch digit {
        case UInt8(ascii: "0")...UInt8(ascii: "9"): digit - UInt8(ascii: "0")
        case UInt8(ascii: "a")...UInt8(ascii: "f"): digit - UInt8(ascii: "a") + 10
        default: digit - UInt8(ascii: "A") + 10
        }
    }

    /// Always UTF-16BE (`/UF`, name-tree keys): one encoding for every file name.
    static func unicodeString(_ text: String) -> [UInt8] {
        let digits = Array("0123456789ABCDEF".utf8)
        var out: [UInt8] = Array("<FEFF".utf8)
        for unit in text.utf16 { for shift in [12, 8, 4, 0] { out.append(digits[Int((unit >> UInt16(shift)) & 0xF)]) } }
        return out + [UInt8(ascii: ">")]
    }

    /// `/F` is a byte string; non-ASCII characters become `_` there (`/UF` keeps the real name).
    static func asciiFallback(_ name: String) -> String {
        String(name.unicodeScalars.map { $0.value >= 0x20 && $0.value < 0x7F ? Character($0) : "_" })
    }

    /// A MIME type as a PDF name (`text/xml` → `text#2Fxml`).
    static func nameEscaped(_ text: String) -> String {
        var out = ""
        for byte in text.utf8 {
            let regular = (0x21...0x7E).contains(byte) && !"#/()<>[]{}%".utf8.contains(byte)
            out += regular ? String(UnicodeScalar(byte)) : String(format: "#%02X", byte)
        }
        return out
    }
}

/// zlib (FlateDecode) for the streams the PDF passes write.
package enum Flate {
    package static func deflate(_ data: [UInt8], level: Int32 = 6) -> [UInt8] {
        var size = compressBound(uLong(data.count))
        var out = [UInt8](repeating: 0, count: Int(size))
        let status = out.withUnsafeMutableBufferPointer { output in
            data.withUnsafeBufferPointer { input in compress2(output.baseAddress, &size, input.baseAddress, uLong(input.count), level) }
        }
        precondition(status == Z_OK, "compress2 cannot fail with a buffer of compressBound bytes")
        return Array(out[0..<Int(size)])
    }
}
