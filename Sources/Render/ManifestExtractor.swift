import Core
import Foundation

/// Builds a template's manifest (`{variables, loops}`) from its document, at publish time.
///
/// Binding rules it follows (the same the renderer uses):
/// - a token outside any loop is a root variable (`{{customer.name}}` → key `customer.name`);
/// - a table or repeat section with `loop: "lineItems"` binds `data.lineItems`; tokens inside it are
///   item-relative (`{{description}}` → item field `description` of loop `lineItems`), unless their
///   first segment names a root variable the document or catalog declares, or one used outside loops;
/// - a loop inside a loop (one level) is an item field of the outer loop; its fields are listed in the
///   outer loop's `itemFields` as `inner[].field`.
///
/// Data types come from the declarations (the `declared` manifest, e.g. from a catalog, then the
/// document's own `variables`/`loops`), else from usage: `money`/`currency` → currency, `number`/
/// `percent` → number, `date` → date, `datetime` → datetime, `yesno` → boolean, an image `src` →
/// image, a link → url; `text` otherwise.
public enum ManifestExtractor {
    public static func extract(_ document: Document, declared: Manifest? = nil) -> Manifest {
        var decl = Manifest(variables: document.variables ?? [], loops: document.loops ?? [])
        if let declared {
            // The catalog's declarations win over the document's.
            let keys = Set(declared.variables.map(\.key))
            decl.variables = declared.variables + decl.variables.filter { !keys.contains($0.key) }
            let loopKeys = Set(declared.loops.map(\.key))
            decl.loops = declared.loops + decl.loops.filter { !loopKeys.contains($0.key) }
        }
        let declaredVars = Dictionary(decl.variables.map { ($0.key, $0) }, uniquingKeysWith: { a, _ in a })
        let declaredLoops = Dictionary(decl.loops.map { ($0.key, $0) }, uniquingKeysWith: { a, _ in a })

        // Pass 1: root paths used outside loops, and which loops nest in which.
        var rootHeads: Set<String> = Set(decl.variables.compactMap { $0.key.split(separator: ".").first.map(String.init) })
        var nestedIn: [String: String] = [:]
        DocumentWalker { event in
            switch event {
            case .template(let s, _, _, let loops, let deco) where loops.isEmpty:
                for t in tokenPaths(in: s) where !isSpecialPath(t.path, decoration: deco) {
                    if let h = t.path.split(separator: ".").first { rootHeads.insert(String(h)) }
                }
            case .condition(let v, _, let loops) where loops.isEmpty:
                if let h = v.split(separator: ".").first { rootHeads.insert(String(h)) }
            case .loop(let key, _, let outer):
                if let o = outer.last, nestedIn[key] == nil { nestedIn[key] = o }
            default: break
            }
        }.walk(document)

        var variables: [VariableDefinition] = []
        var variableIndex: [String: Int] = [:]
        var loopOrder: [String] = []
        var loopFields: [String: [VariableDefinition]] = [:]

        func addRoot(_ key: String, _ inferred: (DataType, String?)) {
            if let i = variableIndex[key] {
                if variables[i].dataType == .text, declaredVars[key] == nil, inferred.0 != .text {
                    variables[i].dataType = inferred.0
                    variables[i].format = inferred.1
                }
                return
            }
            let v = declaredVars[key] ?? VariableDefinition(key: key, label: humanize(key), dataType: inferred.0, required: false, format: inferred.1)
            variableIndex[key] = variables.count
            variables.append(v)
        }
        func addLoop(_ key: String) {
            if loopFields[key] == nil {
                loopFields[key] = []
                loopOrder.append(key)
            }
        }
        func addField(_ loop: String, _ key: String, _ inferred: (DataType, String?)) {
            addLoop(loop)
            if let i = loopFields[loop]!.firstIndex(where: { $0.key == key }) {
                let declaredField = declaredLoops[loop]?.itemFields.contains { $0.key == key } ?? false
                if loopFields[loop]![i].dataType == .text, !declaredField, inferred.0 != .text {
                    loopFields[loop]![i].dataType = inferred.0
                    loopFields[loop]![i].format = inferred.1
                }
                return
            }
            let v =
                declaredLoops[loop]?.itemFields.first { $0.key == key }
                ?? VariableDefinition(key: key, label: humanize(key), dataType: inferred.0, required: false, format: inferred.1)
            loopFields[loop]!.append(v)
        }
        func isField(_ loop: String, _ path: String) -> Bool {
            declaredLoops[loop]?.itemFields.contains { $0.key == path || path.hasPrefix($0.key + ".") } ?? false
        }
        /// Records `path` used inside `loops` (innermost last).
        func bind(_ path: String, _ loops: [String], _ inferred: (DataType, String?)) {
            guard let inner = loops.last else { return addRoot(path, inferred) }
            let head = String(path.split(separator: ".").first ?? "")
            if isField(inner, path) || !(rootHeads.contains(head) || loops.dropLast().contains { isField($0, path) }) {
                if let outer = nestedIn[inner], loops.count >= 2 {
                    addField(outer, "\(inner)[].\(path)", inferred)
                } else {
                    addField(inner, path, inferred)
                }
                return
            }
            // An outer loop's field, or a root variable.
            for (depth, l) in loops.dropLast().enumerated().reversed() where isField(l, path) {
                if depth > 0, let outer = nestedIn[l] { addField(outer, "\(l)[].\(path)", inferred) } else { addField(l, path, inferred) }
                return
            }
            addRoot(path, inferred)
        }

        DocumentWalker { event in
            switch event {
            case .template(let s, let role, _, let loops, let deco):
                for t in tokenPaths(in: s) where !isSpecialPath(t.path, decoration: deco) {
                    bind(t.path, loops, inferType(t, role: role))
                }
            case .condition(let v, _, let loops):
                if !isSpecialPath(v, decoration: false) { bind(v, loops, (.text, nil)) }
            case .loop(let key, _, let outer):
                if outer.isEmpty { addLoop(key) }
            default:
                break
            }
        }.walk(document)

        let loops = loopOrder.filter { nestedIn[$0] == nil }.map { key -> LoopDefinition in
            var fields = loopFields[key] ?? []
            if fields.isEmpty { fields = declaredLoops[key]?.itemFields ?? [VariableDefinition(key: "value", label: "Value")] }
            let d = declaredLoops[key]
            return LoopDefinition(key: key, label: d?.label ?? humanize(key), itemFields: fields, previewData: d?.previewData)
        }
        return Manifest(variables: variables, loops: loops)
    }

    static func inferType(_ t: Token, role: TemplateRole) -> (DataType, String?) {
        switch role {
        case .imageSource: return (.image, nil)
        case .link: return (.url, nil)
        default: break
        }
        for f in t.formatters {
            let spec = f.args.isEmpty ? f.name : "\(f.name):\(f.args.joined(separator: ","))"
            switch f.name {
            case "money", "currency": return (.currency, spec)
            case "number", "percent": return (.number, spec)
            case "date": return (.date, spec)
            case "datetime": return (.datetime, spec)
            case "yesno": return (.boolean, nil)
            default: continue
            }
        }
        return (.text, nil)
    }

    /// `customer.firstName` → "Customer first name".
    static func humanize(_ key: String) -> String {
        var words: [String] = []
        var current = ""
        for ch in key {
            if ch == "." || ch == "_" || ch == "-" || ch == "[" || ch == "]" {
                if !current.isEmpty { words.append(current) }
                current = ""
            } else if ch.isUppercase, !current.isEmpty, !(current.last?.isUppercase ?? false) {
                words.append(current)
                current = String(ch)
            } else {
                current.append(ch)
            }
        }
        if !current.isEmpty { words.append(current) }
        let s = words.map { $0.lowercased() }.joined(separator: " ")
        return s.prefix(1).uppercased() + s.dropFirst()
    }
}
