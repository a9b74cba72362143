/// A PDF object, as much of ISO 32000's object syntax as reading a catalog, a page tree and a trailer
/// needs. Names, numbers and strings keep their bytes as written, so an object read and written back
/// says the same thing (the page and the catalog are rewritten this way in the signing update).
package indirect enum PDFObject: Equatable, Sendable {
    case null
    case bool(Bool)
    /// An integer or a real, as written (`12`, `-3.5`).
    case number([UInt8])
    /// A name without its slash, as written (escapes like `#20` kept).
    case name([UInt8])
    /// A literal `( … )` or hex `< … >` string, delimiters included.
    case string([UInt8])
    case array([PDFObject])
    /// Entries in file order; keys are names as written, without the slash.
    case dictionary([(key: [UInt8], value: PDFObject)])
    case reference(PDFReference)

    package static func == (lhs: PDFObject, rhs: PDFObject) -> Bool {
        switch (lhs, rhs) {
        case (.null, .null): true
        case (.bool(let a), .bool(let b)): a == b
        case (.number(let a), .number(let b)), (.name(let a), .name(let b)), (.string(let a), .string(let b)): a == b
        case (.array(let a), .array(let b)): a == b
        case (.dictionary(let a), .dictionary(let b)): a.map(\.key) == b.map(\.key) && a.map(\.value) == b.map(\.value)
        case (.reference(let a), .reference(let b)): a == b
        default: false
        }
    }

    package subscript(key: String) -> PDFObject? {
        guard case .dictionary(let entries) = self else { return nil }
        let bytes = Array(key.utf8)
        return entries.last(where: { $0.key == bytes })?.value
    }

    package var integer: Int? {
        guard case .number(let bytes) = self, bytes.count <= 18, !bytes.contains(UInt8(ascii: ".")) else { return nil }
        return Int(String(decoding: bytes, as: UTF8.self))
    }

    package var reference: PDFReference? {
        if case .reference(let reference) = self { return reference }
        return nil
    }

    package func isName(_ name: String) -> Bool {
        if case .name(let bytes) = self { return bytes == Array(name.utf8) }
        return false
    }

    /// The dictionary with `key` set to `value` (replaced in place when present, else appended).
    package func setting(_ key: String, to value: PDFObject) -> PDFObject {
        guard case .dictionary(var entries) = self else { return self }
        let bytes = Array(key.utf8)
        entries.removeAll { $0.key == bytes }
        entries.append((bytes, value))
        return .dictionary(entries)
    }

    /// The object in PDF syntax.
    package var serialized: [UInt8] {
        var out: [UInt8] = []
        write(to: &out)
        return out
    }

    package func write(to out: inout [UInt8]) {
        switch self {
        case .null: out += Array("null".utf8)
        case .bool(let value): out += Array((value ? "true" : "false").utf8)
        case .number(let bytes): out += bytes
        case .name(let bytes): out += [UInt8(ascii: "/")] + bytes
        case .string(let bytes): out += bytes
        case .array(let items):
            out += Array("[".utf8)
            for (index, item) in items.enumerated() {
                if index > 0 { out.append(UInt8(ascii: " ")) }
                item.write(to: &out)
            }
            out += Array("]".utf8)
        case .dictionary(let entries):
            out += Array("<<".utf8)
            for entry in entries {
                out += [UInt8(ascii: " "), UInt8(ascii: "/")] + entry.key + [UInt8(ascii: " ")]
                entry.value.write(to: &out)
            }
            out += Array(" >>".utf8)
        case .reference(let reference): out += Array("\(reference.number) \(reference.generation) R".utf8)
        }
    }
}

package struct PDFReference: Hashable, Sendable {
    package var number: Int
    package var generation: Int
}

/// Reads PDF tokens and objects from bytes. Every read is bounded: nesting depth, the number of values
/// one object may hold, and the input's end; malformed input is a `PDFFileError.malformed`, never
/// a trap.
package struct PDFLexer {
    package static let maxDepth = 32
    package static let maxValuesPerObject = 200_000

    package let bytes: [UInt8]
    package var position: Int
    package var budget = PDFLexer.maxValuesPerObject

    package init(_ bytes: [UInt8], at position: Int) {
        self.bytes = bytes
        self.position = position
    }

    package static func isWhitespace(_ byte: UInt8) -> Bool {
        byte == 0x00 || byte == 0x09 || byte == 0x0A || byte == 0x0C || byte == 0x0D || byte == 0x20
    }

    package static func isDelimiter(_ byte: UInt8) -> Bool {
        switch byte {
        case UInt8(ascii: "("), UInt8(ascii: ")"), UInt8(ascii: "<"), UInt8(ascii: ">"), UInt8(ascii: "["), UInt8(ascii: "]"),
            UInt8(ascii: "{"), UInt8(ascii: "}"), UInt8(ascii: "/"), UInt8(ascii: "%"):
            true
        default: false
        }
    }

    /// Skips whitespace and comments.
    package mutating func skipSpace() {
        while position < bytes.count {
            let byte = bytes[position]
            if PDFLexer.isWhitespace(byte) {
                position += 1
            } else if byte == UInt8(ascii: "%") {
                while position < bytes.count, bytes[position] != 0x0A, bytes[position] != 0x0D { position += 1 }
            } else {
                return
            }
        }
    }

    /// A run of regular characters (a number or a keyword), or nil at a delimiter or the end.
    package mutating func word() -> [UInt8]? {
        skipSpace()
        let start = position
        while position < bytes.count, !PDFLexer.isWhitespace(bytes[position]), !PDFLexer.isDelimiter(bytes[position]) { position += 1 }
        return position > start ? Array(bytes[start..<position]) : nil
    }

    /// Consumes `keyword` (followed by a delimiter, whitespace or the end) or throws.
    package mutating func expect(_ keyword: String) throws {
        let saved = position
        guard word() == Array(keyword.utf8) else {
            position = saved
            throw PDFFileError.malformed("expected \(keyword) at byte \(saved)")
        }
    }

    /// Whether `keyword` comes next (consumed if so).
    package mutating func accept(_ keyword: String) -> Bool {
        let saved = position
        if word() == Array(keyword.utf8) { return true }
        position = saved
        return false
    }

    package mutating func integer() throws -> Int {
        let saved = position
        guard let word = word(), word.count <= 18, let value = Int(String(decoding: word, as: UTF8.self)) else {
            throw PDFFileError.malformed("expected an integer at byte \(saved)")
        }
        return value
    }

    package static func isNumber(_ word: [UInt8]) -> Bool {
        guard !word.isEmpty, word.count <= 40 else { return false }
        var digits = 0
        var dots = 0
        for (index, byte) in word.enumerated() {
            switch byte {
            case UInt8(ascii: "0")...UInt8(ascii: "9"): digits += 1
            case UInt8(ascii: "."): dots += 1
            case UInt8(ascii: "+"), UInt8(ascii: "-"): if index != 0 { return false }
            default: return false
            }
        }
        return digits > 0 && dots <= 1
    }

    package static func isUnsignedInteger(_ word: [UInt8]) -> Bool {
        !word.isEmpty && word.count <= 10 && word.allSatisfy { (UInt8(ascii: "0")...UInt8(ascii: "9")).contains($0) }
    }

    /// One value (a reference `N G R` included).
    package mutating func value(depth: Int = 0) throws -> PDFObject {
        guard depth < PDFLexer.maxDepth else { throw PDFFileError.malformed("objects nested deeper than \(PDFLexer.maxDepth)") }
        budget -= 1
        guard budget >= 0 else { throw PDFFileError.malformed("object holds more than \(PDFLexer.maxValuesPerObject) values") }
        skipSpace()
        guard position < bytes.count else { throw PDFFileError.malformed("unexpected end of file") }
        let start = position
        switch bytes[position] {
        case UInt8(ascii: "/"):
            position += 1
            while position < bytes.count, !PDFLexer.isWhitespace(bytes[position]), !PDFLexer.isDelimiter(bytes[position]) { position += 1 }
            return .name(Array(bytes[(start + 1)..<position]))
        case UInt8(ascii: "("):
            return .string(try literalString())
        case UInt8(ascii: "<"):
            if position + 1 < bytes.count, bytes[position + 1] == UInt8(ascii: "<") {
                position += 2
                var entries: [(key: [UInt8], value: PDFObject)] = []
                while true {
                    skipSpace()
                    guard position + 1 < bytes.count else { throw PDFFileError.malformed("unterminated dictionary at byte \(start)") }
                    if bytes[position] == UInt8(ascii: ">"), bytes[position + 1] == UInt8(ascii: ">") {
                        position += 2
                        return .dictionary(entries)
                    }
                    guard case .name(let key) = try value(depth: depth + 1) else {
                        throw PDFFileError.malformed("dictionary key is not a name at byte \(start)")
                    }
                    entries.append((key, try value(depth: depth + 1)))
                }
            }
            guard let end = bytes[position...].firstIndex(of: UInt8(ascii: ">")) else {
                throw PDFFileError.malformed("unterminated hex string at byte \(start)")
            }
            let body = bytes[(position + 1)..<end]
            guard body.allSatisfy({ PDFLexer.isWhitespace($0) || $0.isHexDigit }) else {
                throw PDFFileError.malformed("bad hex string at byte \(start)")
            }
            position = end + 1
            return .string(Array(bytes[start..<position]))
        case UInt8(ascii: "["):
            position += 1
            var items: [PDFObject] = []
            while true {
                skipSpace()
                guard position < bytes.count else { throw PDFFileError.malformed("unterminated array at byte \(start)") }
                if bytes[position] == UInt8(ascii: "]") {
                    position += 1
                    return .array(items)
                }
                items.append(try value(depth: depth + 1))
            }
        default:
            guard let word = word() else { throw PDFFileError.malformed("unexpected byte at \(start)") }
            switch word {
            case Array("null".utf8): return .null
            case Array("true".utf8): return .bool(true)
            case Array("false".utf8): return .bool(false)
            default: break
            }
            guard PDFLexer.isNumber(word) else { throw PDFFileError.malformed("unexpected token at byte \(start)") }
            // `N G R`: look ahead two words without consuming them unless they complete a reference.
            if PDFLexer.isUnsignedInteger(word) {
                let saved = position
                if let generation = self.word(), PDFLexer.isUnsignedInteger(generation), generation.count <= 5, self.word() == [UInt8(ascii: "R")],
                    let number = Int(String(decoding: word, as: UTF8.self)), let gen = Int(String(decoding: generation, as: UTF8.self))
                {
                    return .reference(PDFReference(number: number, generation: gen))
                }
                position = saved
            }
            return .number(word)
        }
    }

    /// `( … )` with balanced parentheses and backslash escapes, delimiters included.
    package mutating func literalString() throws -> [UInt8] {
        let start = position
        var depth = 0
        while position < bytes.count {
            let byte = bytes[position]
            position += 1
            switch byte {
            case UInt8(ascii: "\\"): position += 1
            case UInt8(ascii: "("): depth += 1
            case UInt8(ascii: ")"):
                depth -= 1
                if depth == 0 { return Array(bytes[start..<position]) }
            default: break
            }
        }
        throw PDFFileError.malformed("unterminated string at byte \(start)")
    }
}

extension UInt8 {
    package var isHexDigit: Bool {
        (UInt8(ascii: "0")...UInt8(ascii: "9")).contains(self) || (UInt8(ascii: "a")...UInt8(ascii: "f")).contains(self)
            || (UInt8(ascii: "A")...UInt8(ascii: "F")).contains(self)
    }
}

/// Text for a PDF string: a literal string when it is printable ASCII, else UTF-16BE with a byte-order
/// mark as a hex string (ISO 32000-1 §7.9.2.2).
package func pdfTextString(_ text: String) -> [UInt8] {
    if text.unicodeScalars.allSatisfy({ $0.value >= 0x20 && $0.value < 0x7F }) {
        var out: [UInt8] = [UInt8(ascii: "(")]
        for byte in text.utf8 {
            if byte == UInt8(ascii: "(") || byte == UInt8(ascii: ")") || byte == UInt8(ascii: "\\") { out.append(UInt8(ascii: "\\")) }
            out.append(byte)
        }
        return out + [UInt8(ascii: ")")]
    }
    let digits = Array("0123456789ABCDEF".utf8)
    var out: [UInt8] = Array("<FEFF".utf8)
    for unit in text.utf16 {
        for shift in [12, 8, 4, 0] { out.append(digits[Int((unit >> UInt16(shift)) & 0xF)]) }
    }
    return out + [UInt8(ascii: ">")]
}
