import Core
import Foundation

/// One finding of `Linter.lint`.
public struct LintIssue: Sendable, Equatable, Codable, CustomStringConvertible {
    public enum Severity: String, Sendable, Codable { case error, warning }

    public var severity: Severity
    /// Stable code, e.g. `loop_prefixed_binding`, `unknown_formatter`.
    public var code: String
    /// Where in the document: `blocks[3].columns[1].cell`.
    public var path: String
    public var message: String

    public init(severity: Severity, code: String, path: String, message: String) {
        self.severity = severity
        self.code = code
        self.path = path
        self.message = message
    }

    public var description: String { "\(severity.rawValue) \(code) at \(path): \(message)" }
}

/// Checks a document before it is published. Errors are mistakes that make output silently wrong or
/// make renders fail; warnings are likely mistakes.
///
/// Codes: `dotted_loop_key`, `loop_prefixed_binding`, `loop_outside_loop`, `undeclared_variable`,
/// `undeclared_loop`, `nested_loop_depth`, `unknown_formatter`, `invalid_formatter_argument`, `image_without_source`,
/// `unknown_font`, `unknown_paper_size` (errors); `font_coverage`, `invalid_color`,
/// `page_token_outside_decoration`, `column_count`, `extra_cells` (warnings).
public enum Linter {
    /// Lints with the system fonts. `manifest`: the declared manifest (from a catalog or the API); when
    /// absent, the document's own declarations are used if it has any, and undeclared keys are not
    /// reported.
    public static func lint(_ document: Document, manifest: Manifest? = nil) -> [LintIssue] {
        let ws = Workspace(fontConfig: nil, generation: 0)
        return lint(document, manifest: manifest, workspace: ws)
    }

    static func lint(_ document: Document, manifest: Manifest?, workspace ws: Workspace) -> [LintIssue] {
        var issues: [LintIssue] = []
        func error(_ code: String, _ path: String, _ message: String) {
            issues.append(LintIssue(severity: .error, code: code, path: path, message: message))
        }
        func warning(_ code: String, _ path: String, _ message: String) {
            issues.append(LintIssue(severity: .warning, code: code, path: path, message: message))
        }

        var declared: Manifest? = manifest
        if declared == nil, !(document.variables ?? []).isEmpty || !(document.loops ?? []).isEmpty {
            declared = Manifest(variables: document.variables ?? [], loops: document.loops ?? [])
        }
        let declaredLoops = Dictionary((declared?.loops ?? []).map { ($0.key, $0) }, uniquingKeysWith: { a, _ in a })
        let declaredVars = Set((declared?.variables ?? []).map(\.key))

        // Loop keys the document uses anywhere (at the root).
        var usedLoops: Set<String> = Set(declaredLoops.keys)
        DocumentWalker { e in if case .loop(let k, _, let outer) = e, outer.isEmpty { usedLoops.insert(k) } }.walk(document)

        let baseFamily = document.style?.fontFamily ?? "Noto Sans"
        var checkedFonts: Set<String> = []
        func checkFont(_ family: String, _ path: String) {
            guard checkedFonts.insert(family).inserted else { return }
            if (try? ws.checkFamily(family)) == nil { error("unknown_font", path, "No installed or registered font provides \"\(family)\".") }
        }
        checkFont(baseFamily, "style.fontFamily")

        func rootDeclared(_ path: String) -> Bool {
            declaredVars.contains(path) || declaredVars.contains { $0.hasPrefix(path + ".") || path.hasPrefix($0 + ".") }
        }
        func fieldDeclared(_ loop: String, _ path: String) -> Bool {
            declaredLoops[loop]?.itemFields.contains {
                $0.key == path || path.hasPrefix($0.key + ".") || $0.key.hasPrefix(path + ".") || $0.key.hasPrefix(path + "[]")
            } ?? false
        }

        func checkToken(_ t: Token, path: String, loops: [String], decoration: Bool) {
            for f in t.formatters {
                if !Formatters.names.contains(f.name) {
                    error(
                        "unknown_formatter", path,
                        "Unknown formatter \"\(f.name)\" in \(t.raw); known: \(Formatters.names.sorted().joined(separator: ", ")).")
                } else if f.name == "money" || f.name == "currency" {
                    let code = f.args.first ?? ""
                    if code.count != 3 || !code.allSatisfy({ $0.isLetter }) {
                        error("invalid_formatter_argument", path, "\(t.raw): \(f.name) needs an ISO 4217 currency code, e.g. \(f.name):EUR.")
                    }
                } else if f.name == "number" || f.name == "percent", let a = f.args.first, !a.isEmpty, Int(a) == nil {
                    error("invalid_formatter_argument", path, "\(t.raw): \(f.name) takes a number of decimals, e.g. \(f.name):2.")
                }
            }
            if (t.path == "page" || t.path == "pages") && !decoration {
                warning("page_token_outside_decoration", path, "\(t.raw) is only replaced in headers and footers.")
                return
            }
            if isSpecialPath(t.path, decoration: decoration) { return }
            let head = String(t.path.split(separator: ".").first ?? "")
            if let enclosing = loops.first(where: { $0 == head }) {
                let rest = t.path.dropFirst(head.count + 1)
                error(
                    "loop_prefixed_binding", path,
                    "\(t.raw) never resolves: inside the \"\(enclosing)\" loop fields are item-relative; write {{\(rest.isEmpty ? "this" : String(rest))}}."
                )
                return
            }
            if loops.isEmpty, usedLoops.contains(head) {
                error(
                    "loop_outside_loop", path,
                    "\(t.raw) never resolves: \"\(head)\" is a loop (an array); bind it with a table or repeat section whose loop is \"\(head)\".")
                return
            }
            guard declared != nil else { return }
            if let inner = loops.last {
                if fieldDeclared(inner, t.path) || loops.dropLast().contains(where: { fieldDeclared($0, t.path) }) || rootDeclared(t.path) { return }
                error(
                    "undeclared_variable", path,
                    "\(t.raw) is neither a field of loop \"\(inner)\" nor a declared variable; undeclared keys are stripped before render, so it always renders empty."
                )
            } else if !rootDeclared(t.path) {
                error(
                    "undeclared_variable", path,
                    "\(t.raw) is not a declared variable; undeclared keys are stripped before render, so it always renders empty.")
            }
        }

        var coverageSamples: [(String, String)] = []
        DocumentWalker { event in
            switch event {
            case .template(let s, let role, let path, let loops, let deco):
                let tpl = TextTemplate(s)
                for t in tpl.tokens { checkToken(t, path: path, loops: loops, decoration: deco) }
                if role == .text {
                    let literal = tpl.segments.compactMap { if case .literal(let l) = $0 { return l } else { return nil } }.joined()
                    if literal.unicodeScalars.contains(where: { $0.value > 0x7F }) { coverageSamples.append((literal, path)) }
                }
            case .loop(let key, let path, let outer):
                if outer.isEmpty, key.contains(".") {
                    error(
                        "dotted_loop_key", path,
                        "Loop key \"\(key)\" contains a dot: loops bind a top-level array under the literal key, so data sent nested (\(key.split(separator: ".").joined(separator: " → "))) is stripped and the loop renders empty. Use a dot-free key."
                    )
                } else if outer.isEmpty, declared != nil, declaredLoops[key] == nil {
                    error(
                        "undeclared_loop", path, "Loop \"\(key)\" is not declared; its array is stripped before render, so it always renders empty.")
                } else if let o = outer.last, outer.count >= 2 {
                    error(
                        "nested_loop_depth", path,
                        "Loop \"\(key)\" is nested more than one level deep (inside \"\(o)\"); only one level of nesting is supported.")
                }
            case .condition(let v, let path, let loops):
                checkToken(Token(path: v, formatters: [], raw: v), path: path, loops: loops, decoration: false)
            case .emptyImageSource(let path):
                error("image_without_source", path, "The image has no source: set an asset, a URL or an image variable such as {{company.logo}}.")
            case .font(let f, let path):
                checkFont(f, path)
            case .color(let c, let path):
                if RGBA.parse(c) == nil {
                    warning("invalid_color", path, "\"\(c)\" is not a colour (#rgb, #rrggbb, #rrggbbaa or a basic name); the default is used.")
                }
            case .columnCount(let n, let path):
                if !(2...4).contains(n) {
                    warning("column_count", path, "A columns block takes 2 to 4 columns; it has \(n)\(n > 4 ? " (the extra ones are dropped)" : "").")
                }
            case .paperSize(let size, let path):
                if size.dimensions == nil {
                    error("unknown_paper_size", path, "Unknown paper size; use A3, A4, A5, Letter, Legal or {width, height}.")
                }
            case .extraCells(let row, let cells, let columns, let path):
                warning("extra_cells", path, "Row \(row) has \(cells) cells but the table has \(columns) columns.")
            }
        }.walk(document)

        // Characters no installed font covers (static text only; data is unknown at publish time).
        if !coverageSamples.isEmpty {
            let style = RText(runs: [], size: 10, family: baseFamily, color: .black)
            for (text, path) in coverageSamples {
                var t = style
                t.runs = [RRun(text: text)]
                let layout = ws.layout(t, width: nil)
                if let found = RenderWarning.fontCoverage(layout.uncoveredCharacters) { warning(found.code, path, found.message) }
            }
        }
        return issues
    }
}
