import CPangoCairo
import Foundation

/// Tagged PDF (PDF/UA-1) after Cairo: Cairo 1.16 writes the structure tree from the tags the layout
/// wraps around its ops (`StructTag`), but cannot write attributes (`/A` with a header cell's scope,
/// a Figure's `/Alt`), artifacts, `/Lang`, `/MarkInfo` or `DisplayDocTitle`. This pass adds them:
///
/// - elements drawn as `Private` (`StructTag.artifact`) leave the tree, and their marked content
///   (`/Private << /MCID n >> BDC`) becomes `/Artifact BMC` in the page content streams;
/// - the extra entries of each element are added by the element's position in a pre-order walk of the
///   tree, which is the order in which the tags were begun (`TagWriter`);
/// - the catalog gets `/Lang`, `/MarkInfo << /Marked true >>` and `/ViewerPreferences << /DisplayDocTitle
///   true >>`; pages with annotations get `/Tabs /S` and link annotations their URI as `/Contents`.
///
/// When anything does not look like Cairo's output the PDF is returned as Cairo wrote it.
enum PDFTagging {
    private enum Key {
        static let type = Array("Type".utf8)
        static let k = Array("K".utf8)
        static let s = Array("S".utf8)
        static let privateRole = Array("/Private".utf8)
    }

    struct Settings: Equatable {
        /// BCP 47 language of the document (`/Lang`).
        var language: String

        /// The settings of `document`, or nil for an untagged PDF. Off unless `pdf.tagged` is true: on the
        /// benchmark, tagging cost more than 15 % render time for long tables (BENCHMARKS.md).
        init?(_ document: Document) {
            guard document.pdf?.tagged ?? false else { return nil }
            let language = (document.pdf?.language ?? document.locale ?? "").trimmingCharacters(in: .whitespaces)
            self.language = language.isEmpty ? "en-US" : language
        }
    }

    static func finish(_ pdf: [UInt8], attributes: [Int: [String]], settings: Settings) -> [UInt8] {
        guard var editor = PDFObjectEditor.parse(pdf) else { return pdf }
        if let rootNumber = PDFSyntax.reference(editor.catalogEntry("StructTreeRoot")), let root = editor.object(rootNumber) {
            var removed = Set<Int>()
            var index = 0
            var visited = Set<Int>()
            /// Visits element `number` (pre-order); false when it is an artifact and leaves the tree. Kept
            /// elements are written again in one pass: compacted (Cairo writes one entry per line; compacted, the
            /// tree of a one-page invoice is a tenth of the file smaller), without `/Type` (optional), without
            /// removed kids, with their extra entries.
            func visit(_ number: Int, dropping: Bool) -> Bool {
                guard let body = editor.object(number), visited.insert(number).inserted, let entries = PDFSyntax.entries(body) else { return true }
                let position = index
                index += 1
                let drop = dropping || entries.contains { $0.key.elementsEqual(Key.s) && body[$0.value].elementsEqual(Key.privateRole) }
                var out: [UInt8] = Array("<<".utf8)
                out.reserveCapacity(body.count)
                for entry in entries {
                    if entry.key.elementsEqual(Key.type) { continue }
                    guard entry.key.elementsEqual(Key.k) else {
                        PDFSyntax.appendEntry(&out, entry.key, PDFSyntax.compacted(Array(body[entry.value])))
                        continue
                    }
                    if let child = PDFSyntax.reference(body[entry.value]) {
                        if visit(child, dropping: drop) { PDFSyntax.appendEntry(&out, entry.key, Array(body[entry.value])) }
                        continue
                    }
                    guard let items = PDFSyntax.arrayItemRanges(body, entry.value) else {
                        PDFSyntax.appendEntry(&out, entry.key, PDFSyntax.compacted(Array(body[entry.value])))
                        continue
                    }
                    var kept: [UInt8] = []
                    for item in items {
                        if let child = PDFSyntax.reference(body[item]), !visit(child, dropping: drop) { continue }
                        if !kept.isEmpty { kept.append(0x20) }
                        kept += PDFSyntax.compacted(Array(body[item]))
                    }
                    if !kept.isEmpty { PDFSyntax.appendEntry(&out, entry.key, [UInt8(ascii: "[")] + kept + [UInt8(ascii: "]")]) }
                }
                if drop {
                    removed.insert(number)
                    editor.remove(number)
                    return false
                }
                for extra in attributes[position] ?? [] { out += PDFSyntax.compacted(Array(extra.utf8)) }
                out += Array(">>".utf8)
                editor.replace(number, out)
                return true
            }
            var rootBody = root
            if let kids = PDFSyntax.entry("K", in: root) {
                let items = PDFSyntax.arrayItems(kids) ?? [kids]
                let kept = items.filter { item in PDFSyntax.reference(item).map { visit($0, dropping: false) } ?? true }
                if kept.count != items.count {
                    rootBody = PDFSyntax.setting("K", Array("[ ".utf8) + kept.joined(separator: [0x20]) + Array(" ]".utf8), in: rootBody)
                    editor.replace(rootNumber, rootBody)
                }
            }
            if !removed.isEmpty { dropFromParentTree(&editor, root: rootBody, removed: removed) }
            markArtifacts(&editor)
            editor.setCatalogEntry("MarkInfo", Array("<< /Marked true >>".utf8))
        }
        editor.setCatalogEntry("Lang", PDFSyntax.textString(settings.language))
        editor.setCatalogEntry("ViewerPreferences", Array("<< /DisplayDocTitle true >>".utf8))
        return editor.write()
    }

    /// Entries of the parent tree that point at removed elements become null.
    static func dropFromParentTree(_ editor: inout PDFObjectEditor, root: [UInt8], removed: Set<Int>) {
        guard let treeNumber = PDFSyntax.reference(PDFSyntax.entry("ParentTree", in: root)), let tree = editor.object(treeNumber),
            let nums = PDFSyntax.entry("Nums", in: tree).flatMap(PDFSyntax.arrayItems)
        else { return }
        for (i, value) in nums.enumerated() where i % 2 == 1 {
            guard let number = PDFSyntax.reference(value), let array = editor.object(number), let items = PDFSyntax.arrayItems(array) else {
                continue
            }
            var changed = false
            let mapped = items.map { item -> [UInt8] in
                guard let ref = PDFSyntax.reference(item), removed.contains(ref) else { return item }
                changed = true
                return Array("null".utf8)
            }
            if changed { editor.replace(number, Array("[ ".utf8) + mapped.joined(separator: [0x20]) + Array(" ]".utf8)) }
        }
    }

    /// Rewrites `/Private << /MCID n >> BDC` to `/Artifact BMC` in every page's content stream, and sets
    /// `/Tabs /S` on pages with annotations.
    static func markArtifacts(_ editor: inout PDFObjectEditor) {
        for number in editor.objectNumbers {
            guard let page = editor.object(number), PDFSyntax.entry("Type", in: page) == Array("/Page".utf8) else { continue }
            if let annots = PDFSyntax.entry("Annots", in: page) {
                if PDFSyntax.entry("Tabs", in: page) == nil { editor.replace(number, PDFSyntax.setting("Tabs", Array("/S".utf8), in: page)) }
                for ref in PDFSyntax.arrayItems(annots) ?? [] { describeLink(&editor, PDFSyntax.reference(ref)) }
            }
            guard let contents = PDFSyntax.reference(PDFSyntax.entry("Contents", in: page)), let stream = editor.object(contents),
                let data = streamData(stream, editor: editor)
            else { continue }
            let rewritten = replacingArtifactMarkers(data)
            guard rewritten != data, let compressed = PDFFontSlimmer.deflate(rewritten) else { continue }
            editor.replace(
                contents, Array("<< /Length \(compressed.count) /Filter /FlateDecode >>\nstream\n".utf8) + compressed + Array("\nendstream\n".utf8))
        }
    }

    /// A link annotation without `/Contents` gets its URI as its description (PDF/UA: every annotation
    /// has an alternative description).
    static func describeLink(_ editor: inout PDFObjectEditor, _ number: Int?) {
        guard let number, let annot = editor.object(number), PDFSyntax.entry("Subtype", in: annot) == Array("/Link".utf8),
            PDFSyntax.entry("Contents", in: annot) == nil, let action = PDFSyntax.entry("A", in: annot), let uri = PDFSyntax.entry("URI", in: action)
        else { return }
        editor.replace(number, PDFSyntax.setting("Contents", uri, in: annot))
    }

    /// The decoded data of a stream object (Flate or unfiltered), or nil.
    static func streamData(_ body: [UInt8], editor: PDFObjectEditor) -> [UInt8]? {
        guard let dictEnd = PDFSyntax.valueEnd(body, from: 0) else { return nil }
        var start = PDFSyntax.skipWhitespace(body, dictEnd)
        let keyword = Array("stream".utf8)
        guard start + keyword.count <= body.count, Array(body[start..<(start + keyword.count)]) == keyword else { return nil }
        start += keyword.count
        if start < body.count, body[start] == 0x0D { start += 1 }
        if start < body.count, body[start] == 0x0A { start += 1 }
        let dict = Array(body[0..<dictEnd])
        guard let lengthValue = PDFSyntax.entry("Length", in: dict) else { return nil }
        let length: Int
        if let ref = PDFSyntax.reference(lengthValue) {
            guard let object = editor.object(ref),
                let n = Int(String(decoding: object, as: UTF8.self).trimmingCharacters(in: .whitespacesAndNewlines))
            else {
                return nil
            }
            length = n
        } else {
            guard let n = Int(String(decoding: lengthValue, as: UTF8.self)) else { return nil }
            length = n
        }
        guard length >= 0, start + length <= body.count else { return nil }
        let raw = Array(body[start..<(start + length)])
        guard let filter = PDFSyntax.entry("Filter", in: dict) else { return raw }
        guard filter == Array("/FlateDecode".utf8) else { return nil }
        return PDFFontSlimmer.inflate(raw)
    }

    /// `content` with each `/Private << /MCID n >> BDC` replaced by `/Artifact BMC`.
    static func replacingArtifactMarkers(_ content: [UInt8]) -> [UInt8] {
        let marker = Array("/Private".utf8)
        var out: [UInt8] = []
        out.reserveCapacity(content.count)
        var i = 0
        while i < content.count {
            if content[i] == UInt8(ascii: "/"), i + marker.count <= content.count, Array(content[i..<(i + marker.count)]) == marker,
                let end = artifactMarkerEnd(content, i + marker.count)
            {
                out += Array("/Artifact BMC".utf8)
                i = end
                continue
            }
            out.append(content[i])
            i += 1
        }
        return out
    }

    /// After `/Private`: the end of ` << /MCID n >> BDC`, or nil.
    private static func artifactMarkerEnd(_ s: [UInt8], _ from: Int) -> Int? {
        guard let dictEnd = PDFSyntax.valueEnd(s, from: from), s[PDFSyntax.skipWhitespace(s, from)] == UInt8(ascii: "<") else { return nil }
        let op = PDFSyntax.skipWhitespace(s, dictEnd)
        let bdc = Array("BDC".utf8)
        guard op + 3 <= s.count, Array(s[op..<(op + 3)]) == bdc else { return nil }
        return op + 3
    }
}

/// Begins and ends Cairo's structure tags while a tagged PDF is drawn, and numbers the elements in the
/// order Cairo creates them (a pre-order walk of the tree; `Link` tags create elements too), so that
/// `PDFTagging` can add each element's extra entries.
final class TagWriter {
    private var stack: [StructTag] = []
    private var count = 0
    /// The document's primary language subtag (`de` of `de-CH`).
    private let documentLanguage: String
    /// Extra StructElem entries (`/Key value`) by element position.
    private(set) var attributes: [Int: [String]] = [:]

    init(language: String) {
        documentLanguage = ScriptLanguage.primary(language)
    }

    func begin(_ tag: StructTag, _ cr: OpaquePointer) {
        cairo_tag_begin(cr, tag.role, "")
        var extra: [String] = []
        if let a = tag.attributes { extra.append(a) }
        if let language = tag.language, ScriptLanguage.primary(language) != documentLanguage {
            extra.append("/Lang " + String(decoding: PDFSyntax.textString(language), as: UTF8.self))
        }
        if !extra.isEmpty { attributes[count] = extra }
        count += 1
        stack.append(tag)
    }

    /// Ends `tag`; elements begun inside it and still open end first (Cairo refuses mismatched ends), and
    /// an end without a begin is ignored.
    func end(_ tag: StructTag, _ cr: OpaquePointer) {
        guard let i = stack.lastIndex(where: { $0.role == tag.role }) else { return }
        while stack.count > i { cairo_tag_end(cr, stack.removeLast().role) }
    }

    /// A link annotation was drawn (Cairo's `Link` tag is an element of the tree).
    func linkDrawn() { count += 1 }

    func closeAll(_ cr: OpaquePointer) {
        while let t = stack.popLast() { cairo_tag_end(cr, t.role) }
    }
}

/// The language a text's script implies, for the `/Lang` of an element whose text is (almost) all in one
/// script that is not Latin: Arabic `ar`, Hebrew `he`, Greek `el`, Thai `th`, Devanagari `hi`, Hangul `ko`,
/// kana (with or without kanji) `ja`, Han alone `zh`. Cyrillic, Latin and mixed text give nil: their script
/// does not tell the language.
enum ScriptLanguage {
    static func of(_ text: String) -> String? {
        // Most text is ASCII: no script to look up.
        guard text.utf8.contains(where: { $0 >= 0x80 }) else { return nil }
        var counts: [String: Int] = [:]
        var letters = 0
        var kana = 0
        for scalar in text.unicodeScalars where scalar.properties.isAlphabetic {
            letters += 1
            let script: String
            switch scalar.value {
            case 0x0600...0x06FF, 0x0750...0x077F, 0x08A0...0x08FF, 0xFB50...0xFDFF, 0xFE70...0xFEFF: script = "ar"
            case 0x0590...0x05FF, 0xFB1D...0xFB4F: script = "he"
            case 0x0370...0x03FF, 0x1F00...0x1FFF: script = "el"
            case 0x0E00...0x0E7F: script = "th"
            case 0x0900...0x097F: script = "hi"
            case 0x1100...0x11FF, 0x3130...0x318F, 0xAC00...0xD7AF: script = "ko"
            case 0x3040...0x30FF, 0x31F0...0x31FF:
                script = "cjk"
                kana += 1
            case 0x3400...0x4DBF, 0x4E00...0x9FFF, 0xF900...0xFAFF, 0x20000...0x2FA1F: script = "cjk"
            default: script = "other"
            }
            counts[script, default: 0] += 1
        }
        guard letters > 0, let top = counts.max(by: { $0.value < $1.value || ($0.value == $1.value && $0.key > $1.key) }),
            top.key != "other", Double(top.value) >= Double(letters) * 0.8
        else { return nil }
        if top.key == "cjk" { return kana > 0 ? "ja" : "zh" }
        return top.key
    }

    /// The primary subtag of a BCP 47 tag, lowercased (`de` of `de-CH`).
    static func primary(_ tag: String) -> String {
        String(tag.split(whereSeparator: { $0 == "-" || $0 == "_" }).first ?? "").lowercased()
    }
}
