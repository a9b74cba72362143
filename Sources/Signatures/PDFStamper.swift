import Foundation
import Render

/// One filled field drawn onto a page: where (a box in percentages of the page) and what.
public struct Stamp: Sendable, Equatable {
    /// 1-based page number.
    public var page: Int
    /// The box, in percentages of the page's width and height, origin at the page's top-left corner.
    public var x: Double
    public var y: Double
    public var width: Double
    public var height: Double
    public var content: Content

    public enum Content: Sendable, Equatable {
        /// A typed signature or initials (`handwriting`: drawn in a handwriting font), or a date or text
        /// value (Helvetica).
        case text(String, handwriting: Bool)
        /// A drawn or uploaded signature.
        case image(png: [UInt8])
    }

    public init(page: Int, x: Double, y: Double, width: Double, height: Double, content: Content) {
        self.page = page
        self.x = x
        self.y = y
        self.width = width
        self.height = height
        self.content = content
    }
}

/// Why stamps cannot be drawn. `stamp` is the index of the offending stamp in the list given.
public enum PDFStampError: Error, Equatable, CustomStringConvertible {
    /// The input is not a PDF of the shape the render engine writes (see `PDFSignatureError`).
    case notAnEnginePDF(PDFSignatureError)
    case tooManyStamps(count: Int, limit: Int)
    case pageOutOfRange(stamp: Int, page: Int, pageCount: Int)
    /// A box that is not finite, has no area or leaves the page (0…100 on both axes).
    case invalidBox(stamp: Int)
    case notAPNG(stamp: Int)
    case imageTooLarge(stamp: Int, reason: String)
    /// Empty text (nothing but spaces), text longer than `PDFStamper.maxTextLength` characters (or
    /// eight times as many UTF-8 bytes), or control characters.
    case invalidText(stamp: Int)

    public var description: String {
        switch self {
        case .notAnEnginePDF(let error): "not a PDF of this server's engine: \(error)"
        case .tooManyStamps(let count, let limit): "\(count) stamps, at most \(limit)"
        case .pageOutOfRange(let stamp, let page, let pageCount): "stamp \(stamp): page \(page) outside 1…\(pageCount)"
        case .invalidBox(let stamp): "stamp \(stamp): the box must lie within the page (percentages 0…100) and have an area"
        case .notAPNG(let stamp): "stamp \(stamp): the image is not a PNG"
        case .imageTooLarge(let stamp, let reason): "stamp \(stamp): image too large (\(reason))"
        case .invalidText(let stamp): "stamp \(stamp): text must be 1…\(PDFStamper.maxTextLength) printable characters"
        }
    }
}

/// Draws filled fields onto a PDF as an incremental update (docs/signatures.md#stamping-the-fields).
public enum PDFStamper {
    public static let maxStamps = 200
    public static let maxTextLength = 500

    /// Ink of text drawn in the handwriting font; plain text is black.
    static let inkColor = (0.05, 0.12, 0.42)

    /// Appends an incremental update drawing every stamp on its page; the original bytes are kept
    /// unchanged (so the unsigned PDF's SHA-256 still matches its prefix). Throws `PDFStampError` for a
    /// page out of range, an image that is not a PNG, input that is not an engine PDF.
    ///
    /// Each stamped page gets a new content stream appended to its `/Contents` (made an array), wrapped
    /// so the page's own graphics state cannot leak into it (a `q` stream first, `Q` opening the new
    /// one), and its `/Resources` inlined with the font and images the stamps use. Text Helvetica can
    /// encode (WinAnsi) is vector text; handwriting and other scripts are drawn through Pango into an
    /// image that fills the box; images keep their aspect ratio, centered in the box.
    public static func stamp(_ pdf: [UInt8], stamps: [Stamp]) throws -> [UInt8] {
        guard stamps.count <= maxStamps else { throw PDFStampError.tooManyStamps(count: stamps.count, limit: maxStamps) }
        for (index, stamp) in stamps.enumerated() { try validate(stamp, index: index) }
        do {
            return try draw(pdf, stamps: stamps)
        } catch let error as PDFSignatureError {
            throw PDFStampError.notAnEnginePDF(error)
        }
    }

    static func validate(_ stamp: Stamp, index: Int) throws {
        let box = [stamp.x, stamp.y, stamp.width, stamp.height]
        guard box.allSatisfy({ $0.isFinite && $0 >= 0 && $0 <= 100 }), stamp.width > 0, stamp.height > 0,
            stamp.x + stamp.width <= 100.0001, stamp.y + stamp.height <= 100.0001
        else { throw PDFStampError.invalidBox(stamp: index) }
        switch stamp.content {
        case .text(let text, _):
            guard text.count <= maxTextLength, text.utf8.count <= maxTextLength * 8, !text.allSatisfy(\.isWhitespace),
                !text.unicodeScalars.contains(where: { $0.properties.generalCategory == .control })
            else { throw PDFStampError.invalidText(stamp: index) }
        case .image(let png):
            guard let size = StampRaster.pngSize(png) else { throw PDFStampError.notAPNG(stamp: index) }
            guard png.count <= StampRaster.maxPNGBytes else {
                throw PDFStampError.imageTooLarge(stamp: index, reason: "\(png.count) bytes, at most \(StampRaster.maxPNGBytes)")
            }
            guard size.width <= StampRaster.maxSide, size.height <= StampRaster.maxSide else {
                throw PDFStampError.imageTooLarge(stamp: index, reason: "\(size.width)×\(size.height) pixels, at most 2000×2000")
            }
        }
    }

    static func draw(_ pdf: [UInt8], stamps: [Stamp]) throws -> [UInt8] {
        let structure = try PDFStructure(pdf)
        let root = try structure.rootReference
        let pages = try structure.pages(catalog: try structure.dictionary(.reference(root), "/Root"))
        for (index, stamp) in stamps.enumerated() where stamp.page < 1 || stamp.page > pages.count {
            throw PDFStampError.pageOutOfRange(stamp: index, page: stamp.page, pageCount: pages.count)
        }
        guard !stamps.isEmpty else { return pdf }

        var update = try PDFIncrementalUpdate(structure)
        // One `q` stream opens every stamped page's contents; each page's stamp stream starts with `Q`.
        let save = try update.allocate()
        update.appendStream(save, .dictionary([]), data: Array("q\n".utf8))
        var font: PDFReference?
        // One image XObject per distinct picture: initials on every page, or the same signature twice.
        var written: [RasterKey: (reference: PDFReference, width: Int, height: Int)] = [:]

        for pageNumber in Set(stamps.map(\.page)).sorted() {
            let page = pages[pageNumber - 1]
            if let rotate = page.rotate, rotate.integer.map({ $0 % 360 == 0 }) != true {
                throw PDFSignatureError.unsupported("page \(pageNumber) is rotated")
            }
            let (left, bottom, pageWidth, pageHeight) = try page.box(number: pageNumber)

            var content = Array("Q\n".utf8)
            var images: [(name: [UInt8], reference: PDFReference)] = []
            var usesFont = false
            for (index, stamp) in stamps.enumerated() where stamp.page == pageNumber {
                // The box in PDF user space (origin bottom-left).
                let w = stamp.width / 100 * pageWidth
                let h = stamp.height / 100 * pageHeight
                let x = left + stamp.x / 100 * pageWidth
                let y = bottom + pageHeight - (stamp.y + stamp.height) / 100 * pageHeight
                let key: RasterKey
                switch stamp.content {
                case .text(let text, let handwriting): key = .text(text, handwriting: handwriting, width: w, height: h)
                case .image(let png): key = .png(png)
                }
                var image = written[key]
                var fill = true
                switch stamp.content {
                case .text(let text, let handwriting):
                    if !handwriting, let codes = HelveticaWinAnsi.encode(text) {
                        let unitWidth = HelveticaWinAnsi.width(codes)
                        let size = min(h * 0.7, unitWidth > 0 ? w / unitWidth : h)
                        // Capitals (cap height 0.718) centered in the box.
                        let baseline = y + (h - size * 0.718) / 2
                        content += Array("BT /CkStampHelvetica \(f(size)) Tf 0 0 0 rg \(f(x)) \(f(baseline)) Td ".utf8)
                        content += HelveticaWinAnsi.literal(codes) + Array(" Tj ET\n".utf8)
                        usesFont = true
                        continue
                    }
                    if image == nil {
                        let raster = try StampRaster.drawText(
                            text, family: handwriting ? StampRaster.handwritingFamily : StampRaster.textFamily,
                            boxWidth: w, boxHeight: h, color: handwriting ? inkColor : (0, 0, 0))
                        image = (try appendImage(raster, to: &update), raster.width, raster.height)
                    }
                case .image(let png):
                    if image == nil {
                        let raster: StampRaster
                        do {
                            raster = try StampRaster.decodePNG(png)
                        } catch StampRaster.Failure.tooLarge(let reason) {
                            throw PDFStampError.imageTooLarge(stamp: index, reason: reason)
                        } catch {
                            throw PDFStampError.notAPNG(stamp: index)
                        }
                        image = (try appendImage(raster, to: &update), raster.width, raster.height)
                    }
                    fill = false
                }
                guard let image else { continue }
                written[key] = image
                let name = Array("CkStamp\(image.reference.number)".utf8)
                if !images.contains(where: { $0.name == name }) { images.append((name, image.reference)) }
                // The image fills the box (text rasters are drawn to the box's shape) or fits it, centered.
                var (drawWidth, drawHeight) = (w, h)
                if !fill {
                    let scale = min(w / Double(image.width), h / Double(image.height))
                    (drawWidth, drawHeight) = (Double(image.width) * scale, Double(image.height) * scale)
                }
                let drawX = x + (w - drawWidth) / 2
                let drawY = y + (h - drawHeight) / 2
                content += Array("q \(f(drawWidth)) 0 0 \(f(drawHeight)) \(f(drawX)) \(f(drawY)) cm /".utf8) + name + Array(" Do Q\n".utf8)
            }

            let stream = try update.allocate()
            update.appendStream(stream, .dictionary([]), data: content)

            var resources: PDFObject = .dictionary([])
            if let existing = page.resources { resources = try structure.dictionary(existing, "page /Resources") }
            if usesFont {
                if font == nil {
                    let reference = try update.allocate()
                    update.append(
                        reference,
                        PDFObject.dictionary([
                            (Array("Type".utf8), .name("Font")), (Array("Subtype".utf8), .name("Type1")),
                            (Array("BaseFont".utf8), .name("Helvetica")), (Array("Encoding".utf8), .name("WinAnsiEncoding")),
                        ]))
                    font = reference
                }
                var fonts: PDFObject = .dictionary([])
                if let existing = resources["Font"] { fonts = try structure.dictionary(existing, "page /Font resources") }
                resources = resources.setting("Font", to: fonts.setting("CkStampHelvetica", to: .reference(font!)))
            }
            if !images.isEmpty {
                var xobjects: PDFObject = .dictionary([])
                if let existing = resources["XObject"] { xobjects = try structure.dictionary(existing, "page /XObject resources") }
                for image in images { xobjects = xobjects.setting(String(decoding: image.name, as: UTF8.self), to: .reference(image.reference)) }
                resources = resources.setting("XObject", to: xobjects)
            }

            // The page's own content: one stream, or an array of them (inline or behind a reference).
            var contents: [PDFObject] = [.reference(save)]
            switch page.dictionary["Contents"] {
            case nil: break
            case .array(let items)?: contents += items
            case .reference(let reference)?:
                let target = try structure.value(reference)
                if !target.isStream, case .array(let items) = target.value { contents += items } else { contents.append(.reference(reference)) }
            case .some: throw PDFSignatureError.malformed("page \(pageNumber) /Contents is neither a stream nor an array")
            }
            contents.append(.reference(stream))
            update.append(page.reference, page.dictionary.setting("Contents", to: .array(contents)).setting("Resources", to: resources))
        }
        return try update.finish(root: root)
    }

    /// Each page's size in points (its `/MediaBox`, inherited through the page tree), pages in order:
    /// what converts a box given in points into the percentages of a `Stamp`.
    public static func pageSizes(_ pdf: [UInt8]) throws -> [PageSize] {
        do {
            let structure = try PDFStructure(pdf)
            let pages = try structure.pages(catalog: try structure.dictionary(.reference(try structure.rootReference), "/Root"))
            return try pages.enumerated().map { index, page in
                let box = try page.box(number: index + 1)
                return PageSize(width: box.width, height: box.height)
            }
        } catch let error as PDFSignatureError {
            throw PDFStampError.notAnEnginePDF(error)
        }
    }

    /// What makes two stamps draw the same picture.
    enum RasterKey: Hashable {
        case png([UInt8])
        case text(String, handwriting: Bool, width: Double, height: Double)
    }

    /// An image XObject (DeviceRGB, FlateDecode) with an `/SMask` when the raster has transparency.
    static func appendImage(_ raster: StampRaster, to update: inout PDFIncrementalUpdate) throws -> PDFReference {
        let image = try update.allocate()
        func header(_ colorSpace: String) -> PDFObject {
            .dictionary([
                (Array("Type".utf8), .name("XObject")), (Array("Subtype".utf8), .name("Image")),
                (Array("Width".utf8), .integer(raster.width)), (Array("Height".utf8), .integer(raster.height)),
                (Array("ColorSpace".utf8), .name(colorSpace)), (Array("BitsPerComponent".utf8), .integer(8)),
                (Array("Filter".utf8), .name("FlateDecode")),
            ])
        }
        var dictionary = header("DeviceRGB")
        if let alpha = raster.alpha {
            let mask = try update.allocate()
            update.appendStream(mask, header("DeviceGray"), data: StampRaster.deflate(alpha))
            dictionary = dictionary.setting("SMask", to: .reference(mask))
        }
        update.appendStream(image, dictionary, data: StampRaster.deflate(raster.rgb))
        return image
    }

    private static func f(_ value: Double) -> String { PDFObject.format(value) }
}
