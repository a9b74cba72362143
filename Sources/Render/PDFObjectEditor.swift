/// Reads a PDF with a classic cross-reference table (as Cairo and `PDFFontSlimmer` write it), lets a
/// pass read, replace, add and remove objects and edit the catalog, and writes the file again with a new
/// cross-reference table. Passes that post-process Cairo's output (tagging, archiving) share it.
///
/// An object's *body* is what lies between `N 0 obj` and `endobj`: a value, or a stream dictionary with
/// its `stream … endstream`. `write()` is deterministic: the same input and edits give the same bytes.
/// Objects keep their file order; added objects follow in the order they were added.
struct PDFObjectEditor {
    /// Bytes before the first object (`%PDF-1.x` and the binary comment).
    private var head: [UInt8]
    /// Bodies by object number (index 0 is the free head of the list and stays nil).
    private var bodies: [[UInt8]?]
    /// Object numbers in output order.
    private var order: [Int]
    /// The original trailer dictionary (`<< … >>`).
    private var trailer: [UInt8]
    /// The catalog's object number (the trailer's `/Root`).
    let catalogNumber: Int

    /// Parses `pdf`; nil when it does not look like a PDF with one classic xref section.
    static func parse(_ pdf: [UInt8]) -> PDFObjectEditor? {
        guard let xref = PDFXref.read(pdf), let trailerEnd = PDFXref.lastIndex(of: Array("startxref".utf8), in: pdf),
            xref.trailerStart < trailerEnd
        else { return nil }
        let live = xref.entries.enumerated().filter { $0.element.inUse }.sorted { $0.element.offset < $1.element.offset }
        guard let first = live.first?.element.offset, first > 0 else { return nil }
        var bodies = [[UInt8]?](repeating: nil, count: xref.entries.count)
        for (index, item) in live.enumerated() {
            let end = index + 1 < live.count ? live[index + 1].element.offset : xref.start
            guard item.element.offset < end, end <= pdf.count else { return nil }
            guard let body = body(of: pdf[item.element.offset..<end], number: item.offset) else { return nil }
            bodies[item.offset] = body
        }
        let trailerBytes = Array(pdf[(xref.trailerStart + 7)..<trailerEnd])
        guard let open = trailerBytes.firstIndex(of: UInt8(ascii: "<")), let dictEnd = PDFSyntax.valueEnd(trailerBytes, from: open) else {
            return nil
        }
        let trailer = Array(trailerBytes[open..<dictEnd])
        guard let root = PDFSyntax.reference(PDFSyntax.entry("Root", in: trailer)), root < bodies.count, bodies[root] != nil else { return nil }
        return PDFObjectEditor(head: Array(pdf[0..<first]), bodies: bodies, order: live.map(\.offset), trailer: trailer, catalogNumber: root)
    }

    /// `N 0 obj\n<body>endobj\n…` → body (without the header line and `endobj`).
    private static func body(of object: ArraySlice<UInt8>, number: Int) -> [UInt8]? {
        let header = Array("\(number) 0 obj".utf8)
        guard object.count > header.count, Array(object.prefix(header.count)) == header else { return nil }
        var start = object.startIndex + header.count
        while start < object.endIndex, PDFSyntax.isWhitespace(object[start]) { start += 1 }
        var end = object.endIndex
        while end > start, PDFSyntax.isWhitespace(object[end - 1]) { end -= 1 }
        let endobj = Array("endobj".utf8)
        guard end - start >= endobj.count, Array(object[(end - endobj.count)..<end]) == endobj else { return nil }
        end -= endobj.count
        return Array(object[start..<end])
    }

    /// Number of object slots (the trailer's `/Size`).
    var size: Int { bodies.count }

    /// The body of object `number`, or nil when it is free or unknown.
    func object(_ number: Int) -> [UInt8]? {
        number > 0 && number < bodies.count ? bodies[number] : nil
    }

    /// Replaces the body of an existing object.
    mutating func replace(_ number: Int, _ body: [UInt8]) {
        guard number > 0, number < bodies.count, bodies[number] != nil else { return }
        bodies[number] = body
    }

    /// Adds an object; returns its number.
    mutating func add(_ body: [UInt8]) -> Int {
        bodies.append(body)
        order.append(bodies.count - 1)
        return bodies.count - 1
    }

    /// Frees an object (references to it then read as null).
    mutating func remove(_ number: Int) {
        guard number > 0, number < bodies.count, number != catalogNumber else { return }
        bodies[number] = nil
        order.removeAll { $0 == number }
    }

    /// Live object numbers in output order.
    var objectNumbers: [Int] { order }

    /// Sets `/key value` in the catalog (replacing an existing entry). `value` is PDF syntax (`(de-DE)`,
    /// `<< /Marked true >>`, `12 0 R`).
    mutating func setCatalogEntry(_ key: String, _ value: [UInt8]) {
        guard let body = bodies[catalogNumber] else { return }
        bodies[catalogNumber] = PDFSyntax.setting(key, value, in: body)
    }

    /// The value of `/key` in the catalog, as PDF syntax.
    func catalogEntry(_ key: String) -> [UInt8]? {
        bodies[catalogNumber].flatMap { PDFSyntax.entry(key, in: $0) }
    }

    /// The file: head, objects, a new xref table and the trailer with `/Size` updated and an `/ID`
    /// derived from the content when the original has none.
    func write() -> [UInt8] {
        var output = head
        var offsets = [Int](repeating: 0, count: bodies.count)
        for number in order {
            guard let body = bodies[number] else { continue }
            offsets[number] = output.count
            output += Array("\(number) 0 obj\n".utf8)
            output += body
            if body.last != 0x0A { output.append(0x0A) }
            output += Array("endobj\n".utf8)
        }
        var trailer = PDFSyntax.setting("Size", Array(String(bodies.count).utf8), in: self.trailer)
        if PDFSyntax.entry("ID", in: trailer) == nil {
            let id = PDFSyntax.hex(PDFSyntax.fingerprint(output))
            trailer = PDFSyntax.setting("ID", Array("[<\(id)> <\(id)>]".utf8), in: trailer)
        }
        let xrefStart = output.count
        output += Array("xref\n0 \(bodies.count)\n".utf8)
        output += Array("0000000000 65535 f \n".utf8)
        for number in 1..<bodies.count {
            let line = bodies[number] == nil ? "0000000000 65535 f \n" : PDFFontSlimmer.pad(offsets[number], 10) + " 00000 n \n"
            output += Array(line.utf8)
        }
        output += Array("trailer\n".utf8) + trailer + Array("\nstartxref\n\(xrefStart)\n%%EOF\n".utf8)
        return output
    }
}

/// Just enough PDF syntax to find and edit dictionary entries and walk arrays.
enum PDFSyntax {
    static func isWhitespace(_ b: UInt8) -> Bool { PDFLexer.isWhitespace(b) }
    static func isDelimiter(_ b: UInt8) -> Bool { PDFLexer.isDelimiter(b) }

    /// Skips whitespace and comments (Cairo writes `/Type /Page % 1`).
    static func skipWhitespace(_ s: [UInt8], _ i: Int) -> Int {
        var i = i
        while i < s.count {
            if isWhitespace(s[i]) {
                i += 1
            } else if s[i] == UInt8(ascii: "%") {
                while i < s.count, s[i] != 0x0A, s[i] != 0x0D { i += 1 }
            } else {
                break
            }
        }
        return i
    }

    /// The index just past the value (or name) starting at `from` (after whitespace); nil when malformed.
    /// A reference `n g R` counts as one value.
    static func valueEnd(_ s: [UInt8], from: Int) -> Int? {
        let i = skipWhitespace(s, from)
        guard i < s.count else { return nil }
        switch s[i] {
        case UInt8(ascii: "/"):
            var j = i + 1
            while j < s.count, !isWhitespace(s[j]), !isDelimiter(s[j]) { j += 1 }
            return j
        case UInt8(ascii: "("):
            var depth = 0
            var j = i
            while j < s.count {
                switch s[j] {
                case UInt8(ascii: "\\"): j += 1
                case UInt8(ascii: "("): depth += 1
                case UInt8(ascii: ")"):
                    depth -= 1
                    if depth == 0 { return j + 1 }
                default: break
                }
                j += 1
            }
            return nil
        case UInt8(ascii: "<"):
            if i + 1 < s.count, s[i + 1] == UInt8(ascii: "<") {
                var j = i + 2
                while true {
                    j = skipWhitespace(s, j)
                    guard j < s.count else { return nil }
                    if s[j] == UInt8(ascii: ">"), j + 1 < s.count, s[j + 1] == UInt8(ascii: ">") { return j + 2 }
                    guard let next = valueEnd(s, from: j) else { return nil }
                    j = next
                }
            }
            guard let close = s[i...].firstIndex(of: UInt8(ascii: ">")) else { return nil }
            return close + 1
        case UInt8(ascii: "["):
            var j = i + 1
            while true {
                j = skipWhitespace(s, j)
                guard j < s.count else { return nil }
                if s[j] == UInt8(ascii: "]") { return j + 1 }
                guard let next = valueEnd(s, from: j) else { return nil }
                j = next
            }
        default:
            var j = i
            while j < s.count, !isWhitespace(s[j]), !isDelimiter(s[j]) { j += 1 }
            guard j > i else { return nil }
            // `n g R`: a number followed by a number and `R` is one reference.
            if s[i..<j].allSatisfy({ $0 >= 0x30 && $0 <= 0x39 }) {
                let k = skipWhitespace(s, j)
                var l = k
                while l < s.count, s[l] >= 0x30, s[l] <= 0x39 { l += 1 }
                if l > k {
                    let m = skipWhitespace(s, l)
                    if m < s.count, s[m] == UInt8(ascii: "R"), m + 1 == s.count || isWhitespace(s[m + 1]) || isDelimiter(s[m + 1]) { return m + 1 }
                }
            }
            return j
        }
    }

    /// The top-level items of an array `[ … ]` (each as its PDF syntax), or nil when `s` is no array.
    static func arrayItems(_ s: [UInt8]) -> [[UInt8]]? {
        var i = skipWhitespace(s, 0)
        guard i < s.count, s[i] == UInt8(ascii: "[") else { return nil }
        i += 1
        var items: [[UInt8]] = []
        while true {
            i = skipWhitespace(s, i)
            guard i < s.count else { return nil }
            if s[i] == UInt8(ascii: "]") { return items }
            guard let end = valueEnd(s, from: i) else { return nil }
            items.append(Array(s[i..<end]))
            i = end
        }
    }

    /// The range of the value of top-level `/key` in the dictionary that `body` starts with, and the
    /// range of the whole entry (key and value).
    static func entryRange(_ key: String, in body: [UInt8]) -> (value: Range<Int>, entry: Range<Int>)? {
        var i = skipWhitespace(body, 0)
        guard i + 1 < body.count, body[i] == UInt8(ascii: "<"), body[i + 1] == UInt8(ascii: "<") else { return nil }
        i += 2
        let name = Array("/\(key)".utf8)
        while true {
            i = skipWhitespace(body, i)
            guard i < body.count, body[i] == UInt8(ascii: "/") else { return nil }
            guard let keyEnd = valueEnd(body, from: i), let valEnd = valueEnd(body, from: keyEnd) else { return nil }
            if body[i..<keyEnd].elementsEqual(name) {
                return (skipWhitespace(body, keyEnd)..<valEnd, i..<valEnd)
            }
            i = valEnd
        }
    }

    /// The value of top-level `/key` in the dictionary `body` starts with.
    static func entry(_ key: String, in body: [UInt8]) -> [UInt8]? {
        entryRange(key, in: body).map { Array(body[$0.value]) }
    }

    /// `body` with `/key value` set in its leading dictionary (replaced, or added before `>>`).
    static func setting(_ key: String, _ value: [UInt8], in body: [UInt8]) -> [UInt8] {
        if let r = entryRange(key, in: body) {
            return Array(body[..<r.value.lowerBound]) + value + Array(body[r.value.upperBound...])
        }
        guard let end = valueEnd(body, from: 0), end >= 2 else { return body }
        return Array(body[..<(end - 2)]) + Array(" /\(key) ".utf8) + value + Array(" >>".utf8) + Array(body[end...])
    }

    /// `body` without top-level `/key`.
    static func removing(_ key: String, in body: [UInt8]) -> [UInt8] {
        guard let r = entryRange(key, in: body) else { return body }
        return Array(body[..<r.entry.lowerBound]) + Array(body[r.entry.upperBound...])
    }

    /// `value` (no stream) with the whitespace that separates nothing dropped and the rest collapsed to
    /// single spaces; strings are copied as they are.
    static func compacted(_ value: [UInt8]) -> [UInt8] {
        var out: [UInt8] = []
        out.reserveCapacity(value.count)
        var i = 0
        var pendingSpace = false
        func separates(_ b: UInt8) -> Bool { isDelimiter(b) && b != UInt8(ascii: "%") }
        while i < value.count {
            let b = value[i]
            if isWhitespace(b) {
                pendingSpace = true
                i += 1
                continue
            }
            if pendingSpace, let last = out.last, !separates(last), !separates(b) { out.append(0x20) }
            pendingSpace = false
            if b == UInt8(ascii: "("), let end = valueEnd(value, from: i) {
                out += value[i..<end]
                i = end
                continue
            }
            out.append(b)
            i += 1
        }
        return out
    }

    /// The object number of a reference `n 0 R`.
    static func reference(_ value: [UInt8]?) -> Int? {
        value.flatMap { reference($0[...]) }
    }

    /// The object number of a reference `n g R` (nothing else around it but whitespace).
    static func reference(_ value: ArraySlice<UInt8>) -> Int? {
        var i = value.startIndex
        func skip() { while i < value.endIndex, isWhitespace(value[i]) { i += 1 } }
        func digits() -> Int? {
            var n = 0
            let start = i
            while i < value.endIndex, value[i] >= 0x30, value[i] <= 0x39, i - start < 10 {
                n = n * 10 + Int(value[i] - 0x30)
                i += 1
            }
            return i > start ? n : nil
        }
        skip()
        guard let number = digits() else { return nil }
        skip()
        guard digits() != nil else { return nil }
        skip()
        guard i < value.endIndex, value[i] == UInt8(ascii: "R") else { return nil }
        i += 1
        skip()
        return i == value.endIndex ? number : nil
    }

    /// The top-level entries of the dictionary `body` starts with: each key's name (without `/`) and the
    /// range of its value.
    static func entries(_ body: [UInt8]) -> [(key: ArraySlice<UInt8>, value: Range<Int>)]? {
        var i = skipWhitespace(body, 0)
        guard i + 1 < body.count, body[i] == UInt8(ascii: "<"), body[i + 1] == UInt8(ascii: "<") else { return nil }
        i += 2
        var out: [(key: ArraySlice<UInt8>, value: Range<Int>)] = []
        while true {
            i = skipWhitespace(body, i)
            guard i < body.count else { return nil }
            if body[i] == UInt8(ascii: ">") { return out }
            guard body[i] == UInt8(ascii: "/"), let keyEnd = valueEnd(body, from: i), let valueEnd = valueEnd(body, from: keyEnd) else { return nil }
            out.append((body[(i + 1)..<keyEnd], skipWhitespace(body, keyEnd)..<valueEnd))
            i = valueEnd
        }
    }

    /// The ranges of the top-level items of the array at `range`, or nil when it is no array.
    static func arrayItemRanges(_ s: [UInt8], _ range: Range<Int>) -> [Range<Int>]? {
        var i = skipWhitespace(s, range.lowerBound)
        guard i < range.upperBound, s[i] == UInt8(ascii: "[") else { return nil }
        i += 1
        var items: [Range<Int>] = []
        while true {
            i = skipWhitespace(s, i)
            guard i < range.upperBound else { return nil }
            if s[i] == UInt8(ascii: "]") { return items }
            guard let end = valueEnd(s, from: i), end <= range.upperBound else { return nil }
            items.append(i..<end)
            i = end
        }
    }

    /// Appends `/key value` to a compact dictionary, with a space only where the value needs one.
    static func appendEntry(_ out: inout [UInt8], _ key: ArraySlice<UInt8>, _ value: [UInt8]) {
        out.append(UInt8(ascii: "/"))
        out += key
        if let first = value.first, !isDelimiter(first) { out.append(0x20) }
        out += value
    }

    /// A PDF text string: literal for printable ASCII, UTF-16BE hex with a byte-order mark otherwise.
    static func textString(_ s: String) -> [UInt8] { pdfTextString(s) }

    static func hex(_ bytes: [UInt8]) -> String {
        let digits = Array("0123456789ABCDEF".utf8)
        var out: [UInt8] = []
        out.reserveCapacity(bytes.count * 2)
        for b in bytes { out += [digits[Int(b >> 4)], digits[Int(b & 15)]] }
        return String(decoding: out, as: UTF8.self)
    }

    /// 16 bytes that depend on every input byte (two FNV-1a lanes): a deterministic file identifier, not a
    /// cryptographic digest.
    static func fingerprint(_ bytes: [UInt8]) -> [UInt8] {
        var a: UInt64 = 0xcbf2_9ce4_8422_2325
        var b: UInt64 = 0x84222325_cbf29ce4
        for byte in bytes {
            a = (a ^ UInt64(byte)) &* 0x0000_0100_0000_01B3
            b = (b &+ UInt64(byte)) &* 0x9E37_79B9_7F4A_7C15
            b ^= b >> 29
        }
        var out: [UInt8] = []
        for lane in [a, b] { for shift in stride(from: 56, through: 0, by: -8) { out.append(UInt8((lane >> UInt64(shift)) & 0xFF)) } }
        return out
    }
}
