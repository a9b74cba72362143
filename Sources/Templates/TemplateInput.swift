import Core
import Foundation
import Render

/// The create/upsert body of `POST /v1/templates` and `PUT /v1/templates/:slug`
/// (docs/api.md#template-requests).
public struct TemplateInput: Sendable {
    public var name: String
    public var slug: String?
    public var description: String?
    public var manifest: Manifest
    /// An explicit document; nil → synthesized from the manifest.
    public var layout: Document?
    public var page: PageSetup?

    public static let pageFormats = ["A3", "A4", "A5", "Letter", "Legal"]

    public init(json: JSONValue, slugAllowed: Bool) throws {
        var fields = try ObjectValidator(json)
        let name = fields.string("name", required: true, length: 1...120)
        var slug: String?
        // Checked wherever it is sent; kept only where the body may name the slug (PUT's path names it).
        if let candidate = fields.string("slug", length: 1...Slug.maxLength) {
            if Slug.isValid(candidate) {
                slug = slugAllowed ? candidate : nil
            } else {
                fields.fail("slug", "Must be kebab-case: lower-case letters and digits separated by single dashes")
            }
        }
        let description = fields.string("description", length: 0...280)
        var manifest = Manifest()
        var issues = ValidationIssues()
        var dottedLoopKeys: [String] = []
        if let raw = fields.object("manifest", required: true) {
            let outcome = ManifestInput.parse(raw, path: "manifest")
            manifest = outcome.manifest
            issues.merge(outcome.issues)
            dottedLoopKeys = outcome.dottedLoopKeys
        }
        var layout: Document?
        if let raw = fields.object("layout") {
            do {
                layout = try DocumentDecoder.decode(json: raw)
            } catch {
                fields.fail("layout", "Not a valid document: \(error)")
            }
        }
        let page = Self.pageSetup(&fields)
        issues.merge(fields.issues)
        if !dottedLoopKeys.isEmpty {
            var loopIssues = ValidationIssues()
            for path in dottedLoopKeys { loopIssues.add("Loop keys must not contain a dot; send the array at the top level of data", at: path) }
            throw AppError(status: 400, code: "invalid_loop_key", message: "A loop key contains a dot.", issues: loopIssues)
        }
        if !issues.isEmpty { throw AppError.invalidRequest(issues) }
        self.name = name!
        self.slug = slug
        self.description = description
        self.manifest = manifest
        self.layout = layout
        self.page = page
    }

    /// `^[0-9]{1,4}(\.[0-9]{1,4})?(pt|mm|cm|in|px)?$`: digits, an optional fraction and unit.
    static func isMargin(_ text: String) -> Bool {
        var number = Substring(text)
        for unit in ["pt", "mm", "cm", "in", "px"] where number.hasSuffix(unit) {
            number = number.dropLast(2)
            break
        }
        let parts = number.split(separator: ".", maxSplits: 1, omittingEmptySubsequences: false)
        let digits = { (part: Substring) in (1...4).contains(part.count) && part.unicodeScalars.allSatisfy { ("0"..."9").contains($0) } }
        return digits(parts[0]) && (parts.count == 1 || digits(parts[1]))
    }

    /// `pageConfig`: `{format, orientation, margin}`; default A4 portrait. `printBackground` is accepted
    /// (backgrounds always print here).
    static func pageSetup(_ fields: inout ObjectValidator) -> PageSetup? {
        guard let raw = fields.object("pageConfig"), var config = try? ObjectValidator(raw, path: "pageConfig") else { return nil }
        var setup = PageSetup()
        if let format = config.string("format") {
            if let known = pageFormats.first(where: { $0.caseInsensitiveCompare(format) == .orderedSame }) {
                setup.size = .named(known)
            } else {
                config.fail("format", "Must be one of \(pageFormats.joined(separator: ", "))")
            }
        }
        if let orientation = config.string("orientation") {
            if let value = Orientation(rawValue: orientation) {
                setup.orientation = value
            } else {
                config.fail("orientation", "Must be portrait or landscape")
            }
        }
        if let margin = config.string("margin") {
            // A non-negative number with an optional unit, as openapi.yaml's pattern says ("nan", "-5mm"
            // or "1e9" would otherwise reach the layout engine).
            if Self.isMargin(margin), let length = Length(string: margin) {
                setup.margins = Margins(all: length)
            } else {
                config.fail("margin", "Must be a length such as 20mm, 1in or 36pt")
            }
        }
        _ = config.bool("printBackground")
        fields.record(config.issues)
        return setup
    }
}
