import Crypto
import Foundation
import Render
import SwiftASN1
import X509

/// Seals a PDF with a PAdES-B-B signature (ETSI.CAdES.detached), as an incremental update: the original
/// bytes stay as they are, followed by a signature dictionary, an invisible signature field on page 1,
/// the page with the field in its `/Annots`, the catalog with an `/AcroForm` (`/SigFlags 3`) and a new
/// cross-reference section whose `/Prev` is the original's. The CMS signature covers every byte of the
/// result except its own hex placeholder (`/ByteRange`). Pure: bytes in, bytes out. See
/// docs/signatures.md.
public struct PDFSigner: Sendable {
    public struct Options: Sendable {
        /// The claimed signing time: the `/M` entry and, when `signingTimeAttribute` is set, the CMS
        /// signing-time attribute.
        public var date: Date
        /// `/Name`: the signer's name as the viewer shows it. Defaults to the certificate's common name.
        public var name: String?
        /// `/Reason`, e.g. "Signed by all parties".
        public var reason: String?
        /// `/Location`.
        public var location: String?
        /// Whether the CMS carries a signing-time attribute as well as `/M`. Off by default: the PAdES
        /// baseline profile (ETSI EN 319 142-1) keeps the claimed time in `/M` only and has no
        /// signing-time attribute in the CMS. pdfsig verifies either.
        public var signingTimeAttribute: Bool

        public init(
            date: Date = Date(), name: String? = nil, reason: String? = nil, location: String? = nil, signingTimeAttribute: Bool = false
        ) {
            self.date = date
            self.name = name
            self.reason = reason
            self.location = location
            self.signingTimeAttribute = signingTimeAttribute
        }
    }

    /// The signed PDF, the byte ranges its signature covers and the SHA-256 over them.
    public struct Result: Sendable {
        public var pdf: [UInt8]
        /// `[offset, length, offset, length]`, as in `/ByteRange`.
        public var byteRange: [Int]
        /// SHA-256 over the two ranges (what the CMS message-digest attribute holds).
        public var digest: [UInt8]
    }

    public let identity: SigningIdentity

    public init(identity: SigningIdentity) {
        self.identity = identity
    }

    /// Signs `pdf`. Throws `PDFSignatureError` for input that is not a PDF this signer handles.
    public func sign(_ pdf: [UInt8], options: Options = Options()) throws -> Result {
        let structure = try PDFStructure(pdf)
        do {
            return try sign(structure, options: options, reserved: try reservedSignatureBytes())
        } catch PDFSignatureError.signatureTooLarge(let needed, _) {
            // An unusually large chain or name: once more with the room the signature turned out to need.
            return try sign(structure, options: options, reserved: needed + 256)
        }
    }

    func sign(_ structure: PDFStructure, options: Options, reserved: Int) throws -> Result {
        let rootReference = try structure.rootReference
        let catalog = try structure.dictionary(.reference(rootReference), "/Root")
        let page = try structure.firstPage(catalog: catalog)
        var update = try PDFIncrementalUpdate(structure)
        let signatureReference = try update.allocate()
        let fieldReference = try update.allocate()

        // Page 1 with the widget in /Annots (the array inlined, appended to when one exists).
        var annotations: [PDFObject] = []
        if let existing = page.dictionary["Annots"] { annotations = try structure.array(existing, "page /Annots") }
        annotations.append(.reference(fieldReference))
        let newPage = page.dictionary.setting("Annots", to: .array(annotations))

        // The catalog with the field in /AcroForm /Fields and /SigFlags 3 (signatures exist, append only).
        var form: PDFObject = .dictionary([])
        if let existing = catalog["AcroForm"] { form = try structure.dictionary(existing, "/AcroForm") }
        var fields: [PDFObject] = []
        if let existing = form["Fields"] { fields = try structure.array(existing, "/AcroForm /Fields") }
        fields.append(.reference(fieldReference))
        form = form.setting("Fields", to: .array(fields)).setting("SigFlags", to: .number(Array("3".utf8)))
        let newCatalog = catalog.setting("AcroForm", to: form)

        // The signature value, with placeholders for /ByteRange and /Contents.
        let byteRangePlaceholder = "[0 0000000000 0000000000 0000000000]"
        let name = options.name ?? commonName ?? "Craftkit Server"
        var signature = "<< /Type /Sig /Filter /Adobe.PPKLite /SubFilter /ETSI.CAdES.detached /ByteRange \(byteRangePlaceholder) /Contents <"
        var signatureBytes = Array(signature.utf8)
        let contentsOffsetInObject = signatureBytes.count - 1
        signatureBytes += [UInt8](repeating: UInt8(ascii: "0"), count: reserved * 2)
        signature = "> /M \(PDFSigner.pdfDate(options.date)) /Name "
        signatureBytes += Array(signature.utf8) + pdfTextString(name)
        if let reason = options.reason { signatureBytes += Array(" /Reason ".utf8) + pdfTextString(reason) }
        if let location = options.location { signatureBytes += Array(" /Location ".utf8) + pdfTextString(location) }
        signatureBytes += Array(" >>".utf8)

        let widget: PDFObject = .dictionary([
            (Array("Type".utf8), .name(Array("Annot".utf8))),
            (Array("Subtype".utf8), .name(Array("Widget".utf8))),
            (Array("FT".utf8), .name(Array("Sig".utf8))),
            (Array("T".utf8), .string(pdfTextString("Signature \(signatureReference.number)"))),
            (Array("V".utf8), .reference(signatureReference)),
            // Print + Locked: shown when printed, not editable.
            (Array("F".utf8), .number(Array("132".utf8))),
            (Array("Rect".utf8), .array(Array(repeating: .number([UInt8(ascii: "0")]), count: 4))),
            (Array("P".utf8), .reference(page.reference)),
        ])

        let signatureObjectStart = update.append(signatureReference, signatureBytes)
        update.append(fieldReference, widget)
        update.append(page.reference, newPage)
        update.append(rootReference, newCatalog)
        var out = try update.finish(root: rootReference)

        // The byte range: everything but the hex string, delimiters included.
        let contentsStart = signatureObjectStart + contentsOffsetInObject
        let contentsEnd = contentsStart + reserved * 2 + 2
        let byteRange = [0, contentsStart, contentsEnd, out.count - contentsEnd]
        let rangeText = Array("[\(byteRange.map(String.init).joined(separator: " "))]".utf8)
        let rangeAt = signatureObjectStart + signatureBytes.firstRange(of: Array(byteRangePlaceholder.utf8))!.lowerBound
        let padded = rangeText + [UInt8](repeating: UInt8(ascii: " "), count: byteRangePlaceholder.utf8.count - rangeText.count)
        out.replaceSubrange(rangeAt..<(rangeAt + padded.count), with: padded)

        var hasher = SHA256()
        hasher.update(data: out[0..<contentsStart])
        hasher.update(data: out[contentsEnd...])
        let digest = Array(hasher.finalize())
        let cms = try CMSSignedData.sign(
            digest: digest,
            identity: identity,
            signingTime: options.signingTimeAttribute ? options.date : nil
        )
        guard cms.count <= reserved else { throw PDFSignatureError.signatureTooLarge(needed: cms.count, reserved: reserved) }
        let hexDigits = Array("0123456789ABCDEF".utf8)
        var position = contentsStart + 1
        for byte in cms {
            out[position] = hexDigits[Int(byte >> 4)]
            out[position + 1] = hexDigits[Int(byte & 0x0F)]
            position += 2
        }
        return Result(pdf: out, byteRange: byteRange, digest: digest)
    }

    /// Room for the CMS: the certificates plus space for the attributes (two copies of the issuer's name)
    /// and a signature of up to RSA-4096. The hex placeholder is twice this; unused room stays zeros.
    func reservedSignatureBytes() throws -> Int {
        var serializer = DER.Serializer()
        for certificate in [identity.certificate] + identity.chain { try serializer.serialize(certificate) }
        return serializer.serializedBytes.count + 3072
    }

    var commonName: String? {
        identity.certificate.subject.flatMap { $0 }.first { $0.type == .RDNAttributeType.commonName }.flatMap { String($0.value) }
    }

    /// `(D:YYYYMMDDHHmmSS+00'00')`, UTC.
    static func pdfDate(_ date: Date) -> String {
        var calendar = Calendar(identifier: .gregorian)
        calendar.timeZone = TimeZone(identifier: "UTC")!
        let c = calendar.dateComponents([.year, .month, .day, .hour, .minute, .second], from: date)
        let digits = [
            PDFIncrementalUpdate.pad(c.year ?? 2000, 4), PDFIncrementalUpdate.pad(c.month ?? 1, 2), PDFIncrementalUpdate.pad(c.day ?? 1, 2),
            PDFIncrementalUpdate.pad(c.hour ?? 0, 2), PDFIncrementalUpdate.pad(c.minute ?? 0, 2), PDFIncrementalUpdate.pad(c.second ?? 0, 2),
        ]
        return "(D:\(digits.joined())+00'00')"
    }
}
