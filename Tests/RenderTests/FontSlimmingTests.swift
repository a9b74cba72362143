import Foundation
import Testing

@testable import Render

@Suite("Embedded fonts without hinting")
struct FontSlimmingTests {
    static func tables(_ font: [UInt8]) -> [String] {
        let count = Int(font[4]) << 8 | Int(font[5])
        return (0..<count).map { String(decoding: font[(12 + $0 * 16)..<(16 + $0 * 16)], as: UTF8.self) }
    }

    @Test("a hinted TrueType font loses fpgm, prep, cvt and glyph instructions, keeps its glyphs, and can be dehinted again")
    func dehintsAFont() throws {
        let path = "/usr/share/fonts/truetype/noto/NotoSans-Regular.ttf"
        let font = try [UInt8](Data(contentsOf: URL(fileURLWithPath: path)))
        #expect(Self.tables(font).contains("fpgm"))
        let slim = try #require(TrueTypeDehinter.dehint(font))
        let kept = Self.tables(slim)
        #expect(!kept.contains("fpgm") && !kept.contains("prep") && !kept.contains("cvt "))
        #expect(kept.contains("glyf") && kept.contains("loca") && kept.contains("cmap"))
        #expect(slim.count < font.count * 3 / 4)
        #expect(TrueTypeDehinter.dehint(slim) != nil)
        #expect(TrueTypeDehinter.dehint(Array(font.prefix(100))) == nil)
    }

    @Test("the invoice's embedded subsets carry no hinting, the PDF checks clean and keeps its text")
    func invoiceFonts() async throws {
        // Untagged: the size bound below is about the fonts, not the structure tree (TaggedPDFTests).
        var document = try Fixture.document("invoice.json")
        document.pdf = PDFSettings(tagged: false)
        let pdf = try await Fixture.engine.renderPDF(document: document, data: Fixture.data("invoice.data.json"), images: Fixture.assets)
        let bytes = [UInt8](pdf.bytes)
        var fonts = 0
        var search = 0
        let marker = Array("/Length1 ".utf8)
        while let found = PDFXref.find(marker, in: Array(bytes[search...])) {
            let at = search + found
            let streamAt = try #require(PDFXref.find(Array("stream\n".utf8), in: Array(bytes[at...]))) + at + 7
            let dictionary = String(decoding: bytes[max(0, at - 80)..<at], as: UTF8.self)
            let length = try #require(dictionary.components(separatedBy: "/Length ").last?.split(separator: "\n").first.flatMap { Int($0) })
            let font = try #require(PDFFontSlimmer.inflate(Array(bytes[streamAt..<(streamAt + length)])))
            #expect(!Self.tables(font).contains("fpgm"))
            fonts += 1
            search = streamAt + length
        }
        #expect(fonts == 3)
        #expect(try Tool.qpdfCheck(pdf.bytes).status == 0)
        #expect(try Tool.text(pdf.bytes).contains("Invoice"))
        #expect(pdf.bytes.count < 25_000)
    }
}
