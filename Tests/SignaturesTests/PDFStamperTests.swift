import Crypto
import Foundation
import Signatures
import Testing

@Suite struct PDFStamperTests {
    /// A 120×40 signature-like PNG: a dark stroke on transparency.
    static let signaturePNG = TestPNG.rgba(width: 120, height: 40) { x, y in
        abs(Double(y) - 20 - 12 * sin(Double(x) / 9)) < 3 ? (20, 30, 110, 255) : (255, 255, 255, 0)
    }

    static let stamps: [Stamp] = [
        Stamp(page: 1, x: 10, y: 80, width: 30, height: 4, content: .text("Jane Signer", handwriting: false)),
        Stamp(page: 1, x: 60, y: 80, width: 30, height: 4, content: .text("2026-12-03", handwriting: false)),
        Stamp(page: 1, x: 10, y: 86, width: 30, height: 6, content: .text("Jane Signer", handwriting: true)),
        Stamp(page: 1, x: 60, y: 86, width: 30, height: 6, content: .image(png: signaturePNG)),
        Stamp(page: 1, x: 10, y: 93, width: 30, height: 4, content: .text("山田 太郎", handwriting: false)),
        Stamp(page: 1, x: 60, y: 93, width: 30, height: 4, content: .text("Zoë Ødegård – “café”", handwriting: false)),
    ]

    func stampedInvoice() async throws -> (original: [UInt8], stamped: [UInt8]) {
        let original = [UInt8](try await Engine.invoice.value.bytes)
        return (original, try PDFStamper.stamp(original, stamps: Self.stamps))
    }

    @Test func theOriginalIsAPrefixAndQpdfAcceptsTheUpdate() async throws {
        let (original, stamped) = try await stampedInvoice()
        #expect(stamped.count > original.count)
        #expect(Array(stamped[0..<original.count]) == original)
        #expect(SHA256.hash(data: stamped[0..<original.count]) == SHA256.hash(data: original))
        let check = try Tool.run("qpdf", ["--check"], pdf: stamped)
        #expect(check.status == 0, "\(check.output)")
        #expect(check.output.contains("No syntax or stream encoding errors found"), "\(check.output)")
        let info = try Tool.run("pdfinfo", [], pdf: stamped)
        #expect(info.output.contains("Pages:           1"), "\(info.output)")
    }

    @Test func vectorTextIsFoundWherePlaced() async throws {
        let (_, stamped) = try await stampedInvoice()
        let (pageWidth, pageHeight, words) = try TextBoxes.words(stamped)
        func box(_ word: String) throws -> TextBoxes.Word { try #require(words.first { $0.text == word }, "\(word) in \(words.map(\.text))") }
        // "Jane Signer" in the box at x 10 %, y 80…84 %.
        let jane = try box("Jane")
        #expect(abs(jane.xMin / pageWidth * 100 - 10) < 1, "\(jane)")
        #expect(jane.yMin / pageHeight * 100 > 79.5 && jane.yMax / pageHeight * 100 < 84.5, "\(jane)")
        let signer = try box("Signer")
        #expect(signer.xMax / pageWidth * 100 <= 40.5, "\(signer)")
        let date = try box("2026-12-03")
        #expect(abs(date.xMin / pageWidth * 100 - 60) < 1, "\(date)")
        // WinAnsi beyond ASCII stays vector text.
        let text = String(words.map(\.text).joined(separator: " "))
        #expect(text.contains("Zoë") && text.contains("Ødegård") && text.contains("“café”"), "\(text)")
        // Handwriting and CJK are images, not text.
        #expect(!text.contains("山田"), "\(text)")
    }

    @Test func imagesAreEmbeddedWithTheirTransparency() async throws {
        let (original, stamped) = try await stampedInvoice()
        let before = try Tool.run("pdfimages", ["-list"], pdf: original).output.split(separator: "\n").count
        let list = try Tool.run("pdfimages", ["-list"], pdf: stamped)
        let rows = list.output.split(separator: "\n").dropFirst(2)
        // Handwriting, the PNG and the CJK text: three images, each with its soft mask.
        let added = rows.count - max(0, before - 2)
        #expect(added == 6, "\(list.output)")
        #expect(rows.contains { $0.contains(" 120 ") && $0.contains(" 40 ") && $0.contains("image") }, "\(list.output)")
        #expect(rows.filter { $0.contains("smask") }.count >= 3, "\(list.output)")
    }

    @Test func theStampedPDFSignsAndVerifies() async throws {
        let (original, stamped) = try await stampedInvoice()
        let signed = try PDFSigner(identity: Engine.identity).sign(stamped)
        #expect(Array(signed.pdf[0..<original.count]) == original)
        let report = try #require(try Tool.pdfsig(signed.pdf).first)
        #expect(report.contains("Signature Validation: Signature is Valid."), "\(report)")
        #expect(report.contains("Total document signed"), "\(report)")
        #expect(try Tool.run("qpdf", ["--check"], pdf: signed.pdf).status == 0)
    }

    @Test func stampsLandOnTheirPageOfAManyPageDocument() async throws {
        let rendered = try await Engine.render("report.json", "report-1000.data.json")
        let pdf = [UInt8](rendered.bytes)
        #expect(rendered.pageCount >= 3)
        let stamped = try PDFStamper.stamp(
            pdf,
            stamps: [
                Stamp(page: 2, x: 5, y: 5, width: 40, height: 3, content: .text("Stamped on two", handwriting: false)),
                Stamp(page: rendered.pageCount, x: 5, y: 5, width: 40, height: 3, content: .text("Stamped on last", handwriting: false)),
            ])
        let two = try Tool.inTemporaryDirectory { directory -> String in
            let input = directory.appendingPathComponent("in.pdf")
            try Data(stamped).write(to: input)
            let output = directory.appendingPathComponent("out.txt")
            _ = try Tool.exec("pdftotext", ["-f", "2", "-l", "2", input.path, output.path])
            return try String(contentsOf: output, encoding: .utf8)
        }
        #expect(two.contains("Stamped on two") && !two.contains("Stamped on last"))
        #expect(try Tool.run("qpdf", ["--check"], pdf: stamped).status == 0)
        #expect(try Tool.pdfsig(try PDFSigner(identity: Engine.identity).sign(stamped).pdf).first?.contains("Signature is Valid.") == true)
    }

    @Test func oneImageObjectServesEveryStampOfTheSamePicture() async throws {
        let rendered = try await Engine.render("report.json", "report-1000.data.json")
        let pdf = [UInt8](rendered.bytes)
        let initials = (1...3).map { Stamp(page: $0, x: 85, y: 92, width: 8, height: 4, content: .text("JS", handwriting: true)) }
        let signatures = (1...3).map { Stamp(page: $0, x: 5, y: 92, width: 20, height: 5, content: .image(png: Self.signaturePNG)) }
        let stamped = try PDFStamper.stamp(pdf, stamps: initials + signatures)
        let list = try Tool.run("pdfimages", ["-list", "-f", "1", "-l", "3"], pdf: stamped).output
        // Columns: page num type width height color comp bpc enc interp object …
        var objects: [String] = []
        for row in list.split(separator: "\n").dropFirst(2) {
            let columns = row.split(separator: " ")
            if columns.count > 10, columns[2] == "image" { objects.append(String(columns[10])) }
        }
        #expect(objects.count == 6, "\(list)")
        #expect(Set(objects).count == 2, "\(list)")
        #expect(try Tool.run("qpdf", ["--check"], pdf: stamped).status == 0)
    }

    @Test func pageSizesAreTheMediaBoxes() async throws {
        let original = [UInt8](try await Engine.invoice.value.bytes)
        let sizes = try PDFStamper.pageSizes(original)
        #expect(sizes.count == 1)
        #expect(abs((sizes.first?.width ?? 0) - 595.28) < 0.1 && abs((sizes.first?.height ?? 0) - 841.89) < 0.1, "\(sizes)")
        #expect(throws: PDFStampError.notAnEnginePDF(.notAPDF)) { try PDFStamper.pageSizes(Array("nope".utf8)) }
    }

    @Test func badInputIsATypedError() async throws {
        let original = [UInt8](try await Engine.invoice.value.bytes)
        let text = Stamp.Content.text("x", handwriting: false)
        func stamp(_ stamps: [Stamp], pdf: [UInt8]? = nil) throws { _ = try PDFStamper.stamp(pdf ?? original, stamps: stamps) }
        #expect(throws: PDFStampError.pageOutOfRange(stamp: 0, page: 2, pageCount: 1)) {
            try stamp([Stamp(page: 2, x: 0, y: 0, width: 10, height: 10, content: text)])
        }
        #expect(throws: PDFStampError.pageOutOfRange(stamp: 1, page: 0, pageCount: 1)) {
            try stamp([
                Stamp(page: 1, x: 0, y: 0, width: 10, height: 10, content: text), Stamp(page: 0, x: 0, y: 0, width: 10, height: 10, content: text),
            ])
        }
        for box in [(-1.0, 0.0, 10.0, 10.0), (95, 0, 10, 10), (0, 0, 0, 10), (.nan, 0, 10, 10), (0, 0, .infinity, 10)] {
            #expect(throws: PDFStampError.invalidBox(stamp: 0)) {
                try stamp([Stamp(page: 1, x: box.0, y: box.1, width: box.2, height: box.3, content: text)])
            }
        }
        let marks = "e" + String(repeating: "\u{301}", count: 5000)  // one character, 10 KB
        for bad in ["", "   ", String(repeating: "a", count: 501), "a\u{0}b", "line\nbreak", marks] {
            #expect(throws: PDFStampError.invalidText(stamp: 0)) {
                try stamp([Stamp(page: 1, x: 0, y: 0, width: 10, height: 10, content: .text(bad, handwriting: true))])
            }
        }
        let jpeg: [UInt8] = [0xFF, 0xD8, 0xFF, 0xE0] + [UInt8](repeating: 0, count: 64)
        var corrupt = Self.signaturePNG
        corrupt.replaceSubrange(60..<corrupt.count, with: [UInt8](repeating: 0x55, count: corrupt.count - 60))
        for png in [jpeg, [], corrupt, Array(Self.signaturePNG.prefix(40))] {
            #expect(throws: PDFStampError.notAPNG(stamp: 0)) {
                try stamp([Stamp(page: 1, x: 0, y: 0, width: 10, height: 10, content: .image(png: png))])
            }
        }
        var huge = Self.signaturePNG
        huge.replaceSubrange(16..<20, with: [0, 0, 0x0B, 0xB8])  // 3000 pixels wide
        #expect(throws: PDFStampError.imageTooLarge(stamp: 0, reason: "3000×40 pixels, at most 2000×2000")) {
            try stamp([Stamp(page: 1, x: 0, y: 0, width: 10, height: 10, content: .image(png: huge))])
        }
        let big = Self.signaturePNG + [UInt8](repeating: 0, count: 512 * 1024)
        #expect(throws: PDFStampError.self) { try stamp([Stamp(page: 1, x: 0, y: 0, width: 10, height: 10, content: .image(png: big))]) }
        let many = Array(repeating: Stamp(page: 1, x: 0, y: 0, width: 1, height: 1, content: text), count: 201)
        #expect(throws: PDFStampError.tooManyStamps(count: 201, limit: 200)) { try stamp(many) }
        #expect(throws: PDFStampError.notAnEnginePDF(.notAPDF)) {
            try stamp([Stamp(page: 1, x: 0, y: 0, width: 1, height: 1, content: text)], pdf: Array("hello".utf8))
        }
        #expect(throws: PDFStampError.self) {
            try stamp([Stamp(page: 1, x: 0, y: 0, width: 1, height: 1, content: text)], pdf: Array(original.prefix(original.count / 2)))
        }
        // No stamps: the input as it is.
        #expect(try PDFStamper.stamp(original, stamps: []) == original)
    }

    /// Mutations of a real PDF either stamp or throw `PDFStampError`; none traps or hangs.
    @Test func mutatedPDFsNeverTrap() async throws {
        let original = [UInt8](try await Engine.invoice.value.bytes)
        let stamps = [Stamp(page: 1, x: 10, y: 10, width: 20, height: 5, content: .text("Jane", handwriting: false))]
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
                _ = try PDFStamper.stamp(input, stamps: stamps)
            } catch is PDFStampError {
            } catch {
                Issue.record("round \(round): \(error)")
            }
        }
        // Mutated PNGs: a PNG or a typed error.
        for round in 0..<200 {
            var png = Self.signaturePNG
            let at = Int.random(in: 8..<png.count, using: &generator)
            png[at] = UInt8.random(in: 0...255, using: &generator)
            if round % 2 == 1 { png.removeSubrange(Int.random(in: 33..<png.count, using: &generator)..<png.count) }
            do {
                _ = try PDFStamper.stamp(original, stamps: [Stamp(page: 1, x: 0, y: 0, width: 10, height: 10, content: .image(png: png))])
            } catch is PDFStampError {
            } catch {
                Issue.record("png round \(round): \(error)")
            }
        }
    }

    @Test func aStampedPDFStampsAgainAndSigns() async throws {
        let (original, once) = try await stampedInvoice()
        let twice = try PDFStamper.stamp(
            once, stamps: [Stamp(page: 1, x: 40, y: 2, width: 20, height: 3, content: .text("Second pass", handwriting: false))])
        #expect(Array(twice[0..<once.count]) == once && Array(twice[0..<original.count]) == original)
        let words = try TextBoxes.words(twice).words.map(\.text)
        #expect(words.contains("Jane") && words.contains("Second") && words.contains("pass"), "\(words)")
        #expect(try Tool.run("qpdf", ["--check"], pdf: twice).status == 0)
        #expect(try Tool.pdfsig(try PDFSigner(identity: Engine.identity).sign(twice).pdf).first?.contains("Signature is Valid.") == true)
    }

    /// The bound: 200 stamps over a long document, half of them distinct handwritten names (each a raster).
    @Test func twoHundredStampsOnAHundredPages() async throws {
        let rendered = try await Engine.render("report.json", "report-1000.data.json", rowsTimes: 5)
        let pdf = [UInt8](rendered.bytes)
        let stamps = (0..<200).map { index in
            Stamp(
                page: index % rendered.pageCount + 1, x: 10, y: 90, width: 30, height: 5,
                content: index.isMultiple(of: 2) ? .text("Signer \(index)", handwriting: true) : .image(png: Self.signaturePNG))
        }
        let clock = ContinuousClock()
        var stamped: [UInt8] = []
        let elapsed = try clock.measure { stamped = try PDFStamper.stamp(pdf, stamps: stamps) }
        print("stamp 200 fields on \(rendered.pageCount) pages: \(pdf.count) → \(stamped.count) bytes in \(elapsed)")
        #expect(try Tool.run("qpdf", ["--check"], pdf: stamped).status == 0)
    }

    @Test func stampingTime() async throws {
        let original = [UInt8](try await Engine.invoice.value.bytes)
        let clock = ContinuousClock()
        var stamped: [UInt8] = []
        let elapsed = try clock.measure { stamped = try PDFStamper.stamp(original, stamps: Self.stamps) }
        print("stamp 6 fields: \(original.count) → \(stamped.count) bytes in \(elapsed)")
    }
}

/// Word boxes from `pdftotext -bbox` (points, origin top-left).
enum TextBoxes {
    struct Word {
        var text: String
        var xMin, yMin, xMax, yMax: Double
        var page: Int
    }

    static func words(_ pdf: [UInt8]) throws -> (pageWidth: Double, pageHeight: Double, words: [Word]) {
        let html = try Tool.inTemporaryDirectory { directory -> String in
            let input = directory.appendingPathComponent("in.pdf")
            try Data(pdf).write(to: input)
            let output = directory.appendingPathComponent("out.html")
            _ = try Tool.exec("pdftotext", ["-bbox", input.path, output.path])
            return try String(contentsOf: output, encoding: .utf8)
        }
        func attribute(_ name: String, in line: Substring) -> Double? {
            guard let range = line.range(of: "\(name)=\"") else { return nil }
            let rest = line[range.upperBound...]
            return rest.firstIndex(of: "\"").flatMap { Double(rest[..<$0]) }
        }
        var words: [Word] = []
        var width = 0.0
        var height = 0.0
        var page = 0
        for line in html.split(separator: "\n") {
            if line.contains("<page ") {
                page += 1
                width = attribute("width", in: line) ?? 0
                height = attribute("height", in: line) ?? 0
            } else if line.contains("<word "), let start = line.firstIndex(of: ">"), let end = line.range(of: "</word>")?.lowerBound {
                let text = String(line[line.index(after: start)..<end])
                    .replacingOccurrences(of: "&amp;", with: "&").replacingOccurrences(of: "&lt;", with: "<")
                    .replacingOccurrences(of: "&gt;", with: ">").replacingOccurrences(of: "&quot;", with: "\"")
                words.append(
                    Word(
                        text: text, xMin: attribute("xMin", in: line) ?? 0, yMin: attribute("yMin", in: line) ?? 0,
                        xMax: attribute("xMax", in: line) ?? 0, yMax: attribute("yMax", in: line) ?? 0, page: page))
            }
        }
        return (width, height, words)
    }
}

/// A minimal PNG encoder for test images: RGBA, 8 bits, stored (uncompressed) deflate blocks.
enum TestPNG {
    static func rgba(width: Int, height: Int, pixel: (Int, Int) -> (UInt8, UInt8, UInt8, UInt8)) -> [UInt8] {
        var raw: [UInt8] = []
        for y in 0..<height {
            raw.append(0)
            for x in 0..<width {
                let p = pixel(x, y)
                raw += [p.0, p.1, p.2, p.3]
            }
        }
        // zlib: header, stored blocks of at most 65535 bytes, Adler-32.
        var zlib: [UInt8] = [0x78, 0x01]
        var offset = 0
        repeat {
            let count = min(65535, raw.count - offset)
            let last: UInt8 = offset + count == raw.count ? 1 : 0
            zlib += [last, UInt8(count & 0xFF), UInt8(count >> 8), UInt8(~count & 0xFF), UInt8((~count >> 8) & 0xFF)]
            zlib += raw[offset..<(offset + count)]
            offset += count
        } while offset < raw.count
        var a: UInt32 = 1
        var b: UInt32 = 0
        for byte in raw {
            a = (a + UInt32(byte)) % 65521
            b = (b + a) % 65521
        }
        zlib += bigEndian((b << 16) | a)
        var png: [UInt8] = [0x89, 0x50, 0x4E, 0x47, 0x0D, 0x0A, 0x1A, 0x0A]
        png += chunk("IHDR", bigEndian(UInt32(width)) + bigEndian(UInt32(height)) + [8, 6, 0, 0, 0])
        png += chunk("IDAT", zlib)
        png += chunk("IEND", [])
        return png
    }

    static func bigEndian(_ value: UInt32) -> [UInt8] {
        [UInt8(value >> 24), UInt8((value >> 16) & 0xFF), UInt8((value >> 8) & 0xFF), UInt8(value & 0xFF)]
    }

    static func chunk(_ type: String, _ data: [UInt8]) -> [UInt8] {
        let body = Array(type.utf8) + data
        return bigEndian(UInt32(data.count)) + body + bigEndian(crc32(body))
    }

    static func crc32(_ bytes: [UInt8]) -> UInt32 {
        var crc: UInt32 = 0xFFFF_FFFF
        for byte in bytes {
            crc ^= UInt32(byte)
            for _ in 0..<8 { crc = crc & 1 == 1 ? (crc >> 1) ^ 0xEDB8_8320 : crc >> 1 }
        }
        return ~crc
    }
}
