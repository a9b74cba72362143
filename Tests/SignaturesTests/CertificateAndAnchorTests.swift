import Core
import Foundation
import Render
import Signatures
import Testing

@Suite struct CompletionCertificateTests {
    static let created = Date(timeIntervalSince1970: 1_796_290_000)

    static let facts = CertificateFacts(
        requestID: "0193a5b2-7c4e-7d21-9f3a-2b8c1d0e4f55", requestName: "Lease agreement {{unit}}", documentName: "lease-2026.pdf",
        projectName: "Acme Inc", createdAt: created, completedAt: created.addingTimeInterval(7_200),
        sha256Before: "9F86D081884C7D659A2FEAA0C55AD015A3BF4F1B2B0B822CD15D6C15B0F00A08",
        sha256After: "60303ae22b998861bce3b28f33eec1be758a213c86c93c076dbe9f558c11c752",
        recipients: [
            .init(
                name: "Jane Signer", email: "jane@example.com", designation: "Signer",
                events: [
                    .init(kind: .invited, at: created),
                    .init(
                        kind: .viewed, at: created.addingTimeInterval(600), ipHash: "ip:5d41402abc4b", userAgent: "Mozilla/5.0 (X11; Linux x86_64)"),
                    .init(
                        kind: .consented, at: created.addingTimeInterval(620), ipHash: "ip:5d41402abc4b", userAgent: "Mozilla/5.0 (X11; Linux x86_64)"
                    ),
                    .init(
                        kind: .signed, at: created.addingTimeInterval(660), ipHash: "ip:5d41402abc4b", userAgent: "Mozilla/5.0 (X11; Linux x86_64)"),
                ],
                signatureImage: PDFStamperTests.signaturePNG),
            .init(
                name: "Олег Петров", email: "oleg@example.com", designation: "Approver",
                events: [
                    .init(kind: .invited, at: created.addingTimeInterval(660)),
                    .init(kind: .viewed, at: created.addingTimeInterval(3_600), ipHash: "ip:7e240de74fb1", userAgent: "Safari/17"),
                    .init(kind: .declined, at: created.addingTimeInterval(3_700), ipHash: "ip:7e240de74fb1", userAgent: "Safari/17"),
                ]),
        ])

    @Test func theCertificateStatesTheRequestHashesRecipientsAndEvents() async throws {
        let clock = ContinuousClock()
        var pdf: [UInt8] = []
        let elapsed = try await clock.measure { pdf = try await CompletionCertificate.render(Self.facts, engine: Engine.engine) }
        print("certificate: \(pdf.count) bytes in \(elapsed)")
        let text = try Tool.inTemporaryDirectory { directory -> String in
            let input = directory.appendingPathComponent("in.pdf")
            try Data(pdf).write(to: input)
            let output = directory.appendingPathComponent("out.txt")
            _ = try Tool.exec("pdftotext", [input.path, output.path])
            return try String(contentsOf: output, encoding: .utf8)
        }
        for expected in [
            "Completion certificate", "Lease agreement {{unit}}", "0193a5b2-7c4e-7d21-9f3a-2b8c1d0e4f55", "lease-2026.pdf", "Acme Inc",
            "9f86d081884c7d659a2feaa0c55ad015a3bf4f1b2b0b822cd15d6c15b0f00a08",
            "60303ae22b998861bce3b28f33eec1be758a213c86c93c076dbe9f558c11c752", "Jane Signer", "Олег Петров", "jane@example.com",
            "invited", "viewed", "consented", "signed", "declined", "ip:5d41402abc4b", "Safari/17", "2026-12-03 09:26:40 UTC",
        ] {
            #expect(text.contains(expected), "\(expected) missing from:\n\(text)")
        }
        // One signature image (the signer's); the approver declined.
        let images = try Tool.run("pdfimages", ["-list"], pdf: pdf).output.split(separator: "\n").dropFirst(2)
        #expect(images.filter { $0.split(separator: " ").dropFirst(2).first == "image" }.count == 1, "\(images)")
        #expect(images.filter { $0.split(separator: " ").dropFirst(2).first == "smask" }.count == 1, "\(images)")
        #expect(try Tool.run("qpdf", ["--check"], pdf: pdf).status == 0)
        // Signed the same way as the document.
        let signed = try PDFSigner(identity: Engine.identity).sign(pdf)
        #expect(try Tool.pdfsig(signed.pdf).first?.contains("Signature is Valid.") == true)
    }

    @Test func theSameFactsGiveTheSameBytes() async throws {
        let first = try await CompletionCertificate.render(Self.facts, engine: Engine.engine)
        let second = try await CompletionCertificate.render(Self.facts, engine: Engine.engine)
        #expect(first == second)
        var changed = Self.facts
        changed.sha256After = String(repeating: "0", count: 64)
        #expect(try await CompletionCertificate.render(changed, engine: Engine.engine) != first)
    }
}

@Suite struct AnchorLocatorTests {
    /// `{{sign_here}}` is a token in a template; the anchor text reaches the page through data here.
    static let document = """
        { "page": { "size": "A4", "margins": "20mm" },
          "blocks": [
            { "type": "heading", "text": "Agreement" },
            { "type": "paragraph", "text": "Tenant: {{anchor}} and then some text after it." },
            { "type": "spacer", "height": 200 },
            { "type": "columns", "columns": [ { "blocks": [ { "type": "paragraph", "text": "Left" } ] },
                                              { "blocks": [ { "type": "paragraph", "align": "right", "text": "Landlord {{anchor}}" } ] } ] },
            { "type": "pageBreak" },
            { "type": "paragraph", "text": "Witness {{anchor}}" }
          ] }
        """

    @Test func everyOccurrenceIsFoundWhereTheTextIsDrawn() async throws {
        let document = try DocumentDecoder.decode(Data(Self.document.utf8))
        let data = JSONValue.object(["anchor": .string("{{sign_here}}")])
        let found = try await AnchorLocator.locate(["{{sign_here}}", "{{absent}}"], document: document, data: data, engine: Engine.engine)
        #expect(found["{{absent}}"] == [])
        let boxes = try #require(found["{{sign_here}}"])
        #expect(boxes.map(\.page) == [1, 1, 2], "\(boxes)")

        // The same places as pdftotext finds in the rendered PDF.
        let pdf = [UInt8](try await Engine.engine.renderPDF(document: document, data: data).bytes)
        let (pageWidth, pageHeight, words) = try TextBoxes.words(pdf)
        let drawn = words.filter { $0.text == "{{sign_here}}" }
        #expect(drawn.count == 3, "\(words.map(\.text))")
        for (box, word) in zip(boxes, drawn) {
            #expect(box.page == word.page)
            #expect(abs(box.x - word.xMin / pageWidth * 100) < 0.5, "\(box) vs \(word)")
            #expect(abs(box.x + box.width - word.xMax / pageWidth * 100) < 0.5, "\(box) vs \(word)")
            #expect(box.y <= word.yMin / pageHeight * 100 + 0.3 && box.y + box.height >= word.yMax / pageHeight * 100 - 0.3, "\(box) vs \(word)")
        }
        // The right-aligned one sits at the right margin.
        #expect(boxes[1].x + boxes[1].width > 85, "\(boxes[1])")

        // A stamp at the anchor's box lands on it.
        let anchor = boxes[2]
        let stamped = try PDFStamper.stamp(
            pdf,
            stamps: [
                Stamp(
                    page: anchor.page, x: anchor.x, y: anchor.y + anchor.height, width: 30, height: 3,
                    content: .text("Signed here", handwriting: false))
            ])
        let after = try TextBoxes.words(stamped).words
        let signed = try #require(after.first { $0.text == "Signed" && $0.page == 2 })
        #expect(abs(signed.xMin / pageWidth * 100 - anchor.x) < 0.5, "\(signed) vs \(anchor)")
    }
}
