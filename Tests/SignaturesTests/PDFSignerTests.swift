import Crypto
import Foundation
import Signatures
import SwiftASN1
import Testing

@Suite struct PDFSignerTests {
    static let date = Date(timeIntervalSince1970: 1_796_300_000)

    func signedInvoice() async throws -> (original: [UInt8], signed: PDFSigner.Result) {
        let original = [UInt8](try await Engine.invoice.value.bytes)
        let signed = try PDFSigner(identity: Engine.identity)
            .sign(original, options: .init(date: Self.date, reason: "Signed by all parties"))
        return (original, signed)
    }

    @Test func pdfsigReportsTheSignatureValidAndTheWholeDocumentSigned() async throws {
        let (original, signed) = try await signedInvoice()
        let report = try Tool.pdfsig(signed.pdf)
        #expect(report.count == 1)
        let first = try #require(report.first)
        #expect(first.contains("Signature Validation: Signature is Valid."), "\(first)")
        #expect(first.contains("Total document signed"), "\(first)")
        #expect(first.contains("Signature Type: ETSI.CAdES.detached"), "\(first)")
        #expect(first.contains("Signer Certificate Common Name: Acme Inc (Craftkit Server)"), "\(first)")
        #expect(first.contains("Signing Hash Algorithm: SHA-256"), "\(first)")
        // A self-signed certificate: the signature holds, the issuer is not trusted.
        #expect(!first.contains("Certificate Validation: Certificate is Trusted."), "\(first)")
        #expect(signed.byteRange[0] == 0 && signed.byteRange[2] + signed.byteRange[3] == signed.pdf.count)
        // Incremental: the unsigned render's bytes, hence its SHA-256, are the start of the first range.
        #expect(signed.byteRange[1] > original.count)
        #expect(SHA256.hash(data: signed.pdf[0..<original.count]) == SHA256.hash(data: original))
    }

    @Test func oneFlippedByteInsideTheSignedRangesMakesPdfsigReportItInvalid() async throws {
        let (original, signed) = try await signedInvoice()
        // A byte of compressed stream data in the original part, and a byte of the /Reason text in the
        // update: neither breaks the file's structure, both are covered by the signature.
        let streamData = try #require(original.firstRange(of: Array("stream\n".utf8))).upperBound + 16
        let reason = try #require(signed.pdf.firstRange(of: Array("(Signed by all parties)".utf8))).lowerBound + 1
        for offset in [streamData, reason] {
            var tampered = signed.pdf
            tampered[offset] ^= 0x01
            let report = try #require(try Tool.pdfsig(tampered).first)
            #expect(!report.contains("Signature is Valid."), "offset \(offset): \(report)")
            #expect(report.contains("Digest Mismatch") || report.contains("Signature is Invalid"), "offset \(offset): \(report)")
        }
    }

    @Test func qpdfAndPdfinfoAcceptTheSignedFile() async throws {
        let (_, signed) = try await signedInvoice()
        let info = try Tool.run("pdfinfo", [], pdf: signed.pdf)
        #expect(info.status == 0, "\(info.output)")
        #expect(info.output.contains("Pages:           1"), "\(info.output)")
        #expect(info.output.contains("Form:            AcroForm"), "\(info.output)")
        // qpdf is one of the test tools scripts/install-deps.sh installs; without it there is nothing to run.
        if Tool.path("qpdf") != nil {
            let check = try Tool.run("qpdf", ["--check"], pdf: signed.pdf)
            #expect(check.status == 0, "\(check.output)")
            #expect(check.output.contains("No syntax or stream encoding errors found"), "\(check.output)")
        }
    }

    @Test func signingASignedPDFAddsASecondUpdateAndBothSignaturesHold() async throws {
        let (_, once) = try await signedInvoice()
        let second = try SigningIdentity.generate(projectName: "Second signer")
        let twice = try PDFSigner(identity: second).sign(once.pdf, options: .init(date: Self.date.addingTimeInterval(60)))
        #expect(Array(twice.pdf[0..<once.pdf.count]) == once.pdf)
        let report = try Tool.pdfsig(twice.pdf)
        #expect(report.count == 2)
        for signature in report { #expect(signature.contains("Signature Validation: Signature is Valid."), "\(signature)") }
        #expect(report[0].contains("Not total document signed") || !report[0].contains("Total document signed"), "\(report[0])")
        #expect(report[1].contains("Total document signed"), "\(report[1])")
        #expect(report[1].contains("Second signer (Craftkit Server)"), "\(report[1])")
        if Tool.path("qpdf") != nil { #expect(try Tool.run("qpdf", ["--check"], pdf: twice.pdf).status == 0) }
    }

    @Test func theCMSCarriesTheCAdESSignedAttributes() async throws {
        let (_, signed) = try await signedInvoice()
        let hex = signed.pdf[(signed.byteRange[1] + 1)..<(signed.byteRange[2] - 1)]
        var der: [UInt8] = []
        var index = hex.startIndex
        while index < hex.endIndex {
            der.append(UInt8(String(decoding: hex[index..<(index + 2)], as: UTF8.self), radix: 16)!)
            index += 2
        }
        while der.last == 0 { der.removeLast() }
        // Parses as DER (the trailing zeros of the placeholder aside), and names each attribute.
        _ = try DER.parse(der)
        let oids: [ASN1ObjectIdentifier] = [
            [1, 2, 840, 113549, 1, 9, 3], [1, 2, 840, 113549, 1, 9, 4], [1, 2, 840, 113549, 1, 9, 16, 2, 47],
        ]
        for oid in oids {
            var serializer = DER.Serializer()
            try serializer.serialize(oid)
            #expect(der.firstRange(of: serializer.serializedBytes) != nil, "\(oid)")
        }
        var digest = DER.Serializer()
        try digest.serialize(ASN1OctetString(contentBytes: signed.digest[...]))
        #expect(der.firstRange(of: digest.serializedBytes) != nil)
        var ranges = Array(signed.pdf[0..<signed.byteRange[1]])
        ranges += signed.pdf[signed.byteRange[2]...]
        #expect(Array(SHA256.hash(data: ranges)) == signed.digest)
        // A second, independent verifier: OpenSSL checks the detached CMS over the two ranges.
        if Tool.path("openssl") != nil {
            let result = try Tool.inTemporaryDirectory { directory in
                let files = ["cms.der": der, "content.bin": ranges, "cert.pem": Array(try Engine.identity.certificatePEM.utf8)]
                for (name, bytes) in files { try Data(bytes).write(to: directory.appendingPathComponent(name)) }
                return try Tool.exec(
                    "openssl",
                    ["cms", "-verify", "-binary", "-inform", "DER", "-purpose", "any", "-out", "/dev/null"]
                        + ["-in", directory.appendingPathComponent("cms.der").path, "-content", directory.appendingPathComponent("content.bin").path]
                        + ["-CAfile", directory.appendingPathComponent("cert.pem").path]
                )
            }
            #expect(result.status == 0 && result.output.contains("Verification successful"), "\(result.output)")
        }
    }

    /// Every render fixture (images, tables over many pages, links, CJK) signs and verifies.
    @Test(arguments: [
        ("invoice.json", "invoice-300.data.json"), ("report.json", "report-1000.data.json"), ("letter.json", "letter.data.json"),
        ("craftkit-pages.json", "craftkit-pages.data.json"),
    ])
    func everyRenderFixtureSignsAndVerifies(document: String, data: String) async throws {
        let pdf = [UInt8](try await Engine.render(document, data).bytes)
        let signed = try PDFSigner(identity: Engine.identity).sign(pdf)
        let report = try #require(try Tool.pdfsig(signed.pdf).first)
        #expect(report.contains("Signature Validation: Signature is Valid.") && report.contains("Total document signed"), "\(report)")
        if Tool.path("qpdf") != nil { #expect(try Tool.run("qpdf", ["--check"], pdf: signed.pdf).status == 0) }
    }

    /// The PAdES baseline (the default): the claimed time only in /M, no CMS signing-time attribute.
    @Test func withoutTheSigningTimeAttributeTheTimeIsInMOnly() async throws {
        let original = [UInt8](try await Engine.invoice.value.bytes)
        let signed = try PDFSigner(identity: Engine.identity).sign(original, options: .init(date: Self.date, signingTimeAttribute: false))
        let report = try #require(try Tool.pdfsig(signed.pdf).first)
        #expect(report.contains("Signature Validation: Signature is Valid."), "\(report)")
        var signingTime = DER.Serializer()
        try signingTime.serialize([1, 2, 840, 113549, 1, 9, 5] as ASN1ObjectIdentifier)
        let hex = String(decoding: signed.pdf[(signed.byteRange[1] + 1)..<(signed.byteRange[2] - 1)], as: UTF8.self)
        #expect(!hex.contains(signingTime.serializedBytes.map { String(format: "%02X", $0) }.joined()))
        #expect(signed.pdf.firstRange(of: Array("/M (D:20261203121320+00'00')".utf8)) != nil)
    }

    @Test func inputThatIsNotAnEnginePDFIsATypedError() async throws {
        let signer = PDFSigner(identity: Engine.identity)
        let original = [UInt8](try await Engine.invoice.value.bytes)
        let cases: [[UInt8]] = [
            [], Array("hello".utf8), Array("%PDF-1.5\n".utf8) + [UInt8](repeating: 0x41, count: 200),
            Array(original[0..<(original.count / 2)]),
            Array("%PDF-1.5\n1 0 obj << /Type /XRef >> stream\nxx\nendstream endobj\nstartxref\n9\n%%EOF\n".utf8),
            Array("%PDF-1.5\nxref\n0 99999999999\ntrailer << >>\nstartxref\n9\n%%EOF\n".utf8),
            Array("%PDF-1.5\nxref\n0 1\n0000000000 65535 f \ntrailer << /Size 1 /Prev 9 >>\nstartxref\n9\n%%EOF\n".utf8),
            Array("%PDF-1.5\nxref\n0 1\n0000000000 65535 f \ntrailer << /Size 1 /Root 1 0 R >>\nstartxref\n9\n%%EOF\n".utf8),
            Array("%PDF-1.5\nxref\n0 0\ntrailer\n".utf8) + Array(repeating: UInt8(ascii: "["), count: 5000) + Array("\nstartxref\n9\n%%EOF\n".utf8),
        ]
        for input in cases {
            #expect(throws: PDFSignatureError.self, "\(String(decoding: input.prefix(40), as: UTF8.self))") { try signer.sign(input) }
        }
        #expect(throws: PDFSignatureError.unsupported("cross-reference stream")) { try signer.sign(cases[4]) }
    }

    /// Mutations of a real PDF either sign or throw `PDFSignatureError`; none traps or hangs.
    @Test func mutatedPDFsNeverTrap() async throws {
        let signer = PDFSigner(identity: Engine.identity)
        let original = [UInt8](try await Engine.invoice.value.bytes)
        var generator = SystemRandomNumberGenerator()
        let tail = max(0, original.count - 2048)
        for round in 0..<300 {
            var input = original
            switch round % 3 {
            case 0: input[Int.random(in: tail..<input.count, using: &generator)] = UInt8.random(in: 0...255, using: &generator)
            case 1: input.removeSubrange(Int.random(in: tail..<input.count, using: &generator)..<input.count)
            default:
                let at = Int.random(in: 0..<input.count, using: &generator)
                input.replaceSubrange(at..<min(input.count, at + 64), with: (0..<64).map { _ in UInt8.random(in: 0...255, using: &generator) })
            }
            do {
                _ = try signer.sign(input)
            } catch is PDFSignatureError {
            } catch {
                Issue.record("round \(round): \(error)")
            }
        }
    }

    @Test func signingTimeAndSizeOfAOneAndAHundredPagePDF() async throws {
        let signer = PDFSigner(identity: Engine.identity)
        let one = [UInt8](try await Engine.invoice.value.bytes)
        let hundred = try await Engine.render("report.json", "report-1000.data.json", rowsTimes: 5)
        for (label, pdf) in [("1 page", one), ("\(hundred.pageCount) pages", [UInt8](hundred.bytes))] {
            let clock = ContinuousClock()
            var signed: PDFSigner.Result?
            let elapsed = try clock.measure { signed = try signer.sign(pdf) }
            let result = try #require(signed)
            print("sign \(label): \(pdf.count) → \(result.pdf.count) bytes in \(elapsed)")
            #expect(try Tool.pdfsig(result.pdf).first?.contains("Signature is Valid.") == true)
        }
        #expect(hundred.pageCount >= 90)
    }
}
