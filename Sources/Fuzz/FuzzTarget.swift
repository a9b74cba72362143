import Core
import Foundation
@_spi(Fuzzing) import Render
import Signatures

/// The parsers that read bytes from people nobody vetted, one per fuzz target. Each run must return
/// normally for every input: refusing it (a thrown error) is fine, a trap or a sanitizer report is a
/// bug. The `precondition`s are properties the rest of the server relies on, checked on every input
/// that gets through.
enum FuzzTarget: String, CaseIterable, Sendable {
    case json, form, multipart, document, image, stamp

    func run(_ data: Data) {
        switch self {
        case .json: Self.json(data)
        case .form: Self.form(data)
        case .multipart: Self.multipart(data)
        case .document: Self.document(data)
        case .image: Self.image(data)
        case .stamp: Self.stamp(data)
        }
    }

    /// Every body and token goes through this parser; tokens and responses are written back with
    /// `serialized`, so what parses must survive the round trip unchanged.
    static func json(_ data: Data) {
        guard let value = try? JSONValue.parse(data) else { return }
        let text = value.serialized
        guard let again = try? JSONValue.parse(text) else { preconditionFailure("serialized JSON does not parse: \(text.count) bytes") }
        precondition(again == value, "the round trip changed the value")
        precondition(again.serialized == text, "serialization is not stable")
    }

    /// Form and render data: the limits check runs first, and only a value that passes is expanded
    /// (expansion recurses per level) and validated, as the routes do.
    static func form(_ data: Data) {
        guard let value = try? JSONValue.parse(data), (try? DataLimits.data.check(value, at: "data")) != nil else { return }
        let expanded = DottedKeys.expand(value)
        // Keys that collide after expansion ("a" and "a.b") merge in key order, so the same data must
        // expand the same way whatever order its dictionaries iterate in.
        precondition(DottedKeys.expand(reordered(value)) == expanded, "expansion depends on dictionary order")
        // The limits count a key's dot segments as levels, so the expanded value is no deeper than
        // they allow, and no key downstream is empty, dotted or reserved.
        precondition(depth(of: expanded) <= DataLimits.data.maxDepth, "expansion nests deeper than the limits allow")
        precondition(keysAreExpanded(expanded), "an empty, dotted or reserved key survived expansion")
        guard let valid = try? DataValidator.validate(expanded, against: formManifest) else { return }
        // Validated data is stored and validated again when re-rendered: it must pass unchanged.
        guard let again = try? DataValidator.validate(valid, against: formManifest) else {
            preconditionFailure("validated data fails validation")
        }
        precondition(again == valid, "validation is not idempotent")
    }

    /// The upload route's reader. The first line of the input is the Content-Type header, the rest
    /// the body, so the fuzzer mutates the boundary parameter too.
    static func multipart(_ data: Data) {
        let newline = data.firstIndex(of: 0x0A) ?? data.endIndex
        let header = String(decoding: data[data.startIndex..<newline], as: UTF8.self)
        let body = newline < data.endIndex ? data[data.index(after: newline)...] : Data()
        guard let boundary = try? Multipart.boundary(fromContentType: header) else { return }
        precondition((1...70).contains(boundary.count), "boundary length out of range")
        // Both a slice (indices not from zero) and a copy, since the route hands over either.
        for input in [body, Data(body)] {
            guard let parts = try? Multipart.parts(of: input, boundary: boundary) else { continue }
            let delimiter = Data("\r\n--\(boundary)".utf8)
            for part in parts {
                precondition(part.body.count <= input.count, "a part is larger than the body")
                precondition(part.body.range(of: delimiter) == nil, "a part runs over a delimiter")
            }
        }
    }

    /// Stored layouts from builder sessions and the template API, decoded (never rendered here).
    static func document(_ data: Data) {
        _ = try? DocumentDecoder.decode(data)
        // The JSON entry point (the template service's) re-serializes native documents before
        // decoding them, a path of its own.
        if let json = try? JSONValue.parse(data) { _ = try? DocumentDecoder.decode(json: json) }
    }

    /// Limits small enough that a hostile header cannot make a run allocate much, large enough for
    /// the seed images.
    static let imageLimits = RenderLimits(maxImageBytes: 1 << 20, maxImagePixels: 1 << 18)

    /// Uploads are typed by `ImageKind.sniff`, renders by the engine's own sniffer: they must agree on
    /// the formats both know. An input starting with `data:` is a bound `src` and goes through the
    /// data-URI decoder first.
    static func image(_ data: Data) {
        var bytes = data
        if data.starts(with: Data("data:".utf8)) {
            guard let inline = ImageProbe.inlineBytes(ofSource: String(decoding: data, as: UTF8.self)) else { return }
            bytes = inline
        }
        let kind = ImageKind.sniff(bytes)
        let engine = ImageProbe.sniff(bytes)
        precondition(kind == .gif ? engine == nil : kind.map(name) == engine, "the upload and render sniffers disagree")
        guard let result = ImageProbe.decode(bytes, limits: imageLimits) else { return }
        precondition(result.format == engine, "decoded as another format than sniffed")
        precondition(result.width > 0 && result.height > 0, "decoded an empty image")
        precondition(result.width * result.height <= imageLimits.maxImagePixels, "decoded past the pixel limit")
    }

    /// The signing page's uploads and typed names drawn into a PDF (`PDFStamper`). The first byte picks
    /// what the rest is: 0 a PNG (a drawn or uploaded signature), 1 a typed name in the handwriting font,
    /// 2 text for Helvetica (or Pango when it does not encode), 3 the PDF itself (the bounded parser).
    /// Every outcome is the stamped PDF with the input PDF as its prefix, or a `PDFStampError`.
    static func stamp(_ data: Data) {
        guard let mode = data.first else { return }
        let rest = [UInt8](data.dropFirst())
        var pdf = stampPDF
        let box = (x: 10.0, y: 10.0, width: 40.0, height: 8.0)
        let content: Stamp.Content
        switch mode % 4 {
        case 0: content = .image(png: rest)
        case 1: content = .text(String(decoding: rest.prefix(600), as: UTF8.self), handwriting: true)
        case 2: content = .text(String(decoding: rest.prefix(600), as: UTF8.self), handwriting: false)
        default:
            pdf = rest
            content = .text("Jane Signer", handwriting: false)
        }
        do {
            let stamped = try PDFStamper.stamp(
                pdf, stamps: [Stamp(page: 1, x: box.x, y: box.y, width: box.width, height: box.height, content: content)])
            precondition(stamped.count > pdf.count && stamped.starts(with: pdf), "the input is not the prefix of the stamped PDF")
        } catch is PDFStampError {
        } catch {
            preconditionFailure("PDFStamper threw \(type(of: error)), not PDFStampError")
        }
    }

    /// A one-page PDF of the engine's shape (classic cross-reference table), written once.
    static let stampPDF: [UInt8] = {
        let objects = [
            "<< /Type /Catalog /Pages 2 0 R >>",
            "<< /Type /Pages /Kids [3 0 R] /Count 1 /MediaBox [0 0 595.28 841.89] >>",
            "<< /Type /Page /Parent 2 0 R /Resources << >> /Contents 4 0 R >>",
            "<< /Length 0 >>\nstream\n\nendstream",
        ]
        var out = Array("%PDF-1.5\n".utf8)
        var offsets: [Int] = []
        for (index, body) in objects.enumerated() {
            offsets.append(out.count)
            out += Array("\(index + 1) 0 obj\n\(body)\nendobj\n".utf8)
        }
        let xref = out.count
        out += Array("xref\n0 \(objects.count + 1)\n0000000000 65535 f \n".utf8)
        for offset in offsets {
            let digits = String(offset)
            out += Array((String(repeating: "0", count: 10 - digits.count) + digits + " 00000 n \n").utf8)
        }
        out += Array("trailer\n<< /Size \(objects.count + 1) /Root 1 0 R >>\nstartxref\n\(xref)\n%%EOF\n".utf8)
        return out
    }()

    static func name(_ kind: ImageKind) -> String {
        switch kind {
        case .png: "png"
        case .jpeg: "jpeg"
        case .webp: "webp"
        case .gif: "gif"
        }
    }

    /// A manifest with every data type, a required field, a nested dot-path and a loop.
    static let formManifest = Manifest(
        variables: [
            VariableDefinition(key: "customer.name", dataType: .text, required: true),
            VariableDefinition(key: "customer.email", dataType: .email),
            VariableDefinition(key: "notes", dataType: .longtext),
            VariableDefinition(key: "total", dataType: .number),
            VariableDefinition(key: "amount", dataType: .currency),
            VariableDefinition(key: "paid", dataType: .boolean),
            VariableDefinition(key: "issued", dataType: .date),
            VariableDefinition(key: "due", dataType: .datetime),
            VariableDefinition(key: "logo", dataType: .image),
            VariableDefinition(key: "site", dataType: .url),
        ],
        loops: [
            LoopDefinition(
                key: "items",
                itemFields: [
                    VariableDefinition(key: "name", dataType: .text, required: true),
                    VariableDefinition(key: "qty", dataType: .number),
                    VariableDefinition(key: "meta.sku", dataType: .text),
                ])
        ])

    /// The same value with every object rebuilt at another capacity and insertion order, so that it
    /// iterates its keys in another order.
    static func reordered(_ value: JSONValue) -> JSONValue {
        switch value {
        case .object(let members):
            var copy = [String: JSONValue](minimumCapacity: members.count * 4 + 7)
            for (key, member) in members.reversed() { copy[key] = reordered(member) }
            return .object(copy)
        case .array(let items): return .array(items.map(reordered))
        default: return value
        }
    }

    /// Edges on the longest path from the root, as `DataLimits` counts depth.
    static func depth(of value: JSONValue) -> Int {
        switch value {
        case .object(let members): members.values.map { depth(of: $0) + 1 }.max() ?? 0
        case .array(let items): items.map { depth(of: $0) + 1 }.max() ?? 0
        default: 0
        }
    }

    static func keysAreExpanded(_ value: JSONValue) -> Bool {
        switch value {
        case .object(let members):
            members.allSatisfy { key, member in
                !key.isEmpty && !key.contains(".") && !DottedKeys.reservedKeys.contains(key) && keysAreExpanded(member)
            }
        case .array(let items): items.allSatisfy(keysAreExpanded)
        default: true
        }
    }
}
