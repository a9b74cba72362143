import Core

/// `POST /v1/embed/catalogs` body (docs/api.md#variable-catalogs): `{name, catalog: {allowCustom,
/// namespaces, loops}}`. The stored payload is the validated catalog with unknown keys dropped and
/// defaults filled. Validation failures are 422 `invalid_request`, as the reference lists for this
/// endpoint.
public struct CatalogInput: Sendable {
    public var name: String
    public var catalog: JSONValue

    static let maxNamespaces = 50
    static let maxFields = 200
    static let maxLoops = 50
    static let maxItemFields = 100
    static let maxPreviewRows = 10

    public init(json: JSONValue) throws {
        var fields = try ObjectValidator(json)
        let name = fields.string("name", required: true)
        if let name, let problem = CatalogName.problem(with: name) { fields.fail("name", problem) }
        var catalog: JSONValue = .null
        if let raw = fields.object("catalog", required: true) {
            var issues = ValidationIssues()
            catalog = Self.parseCatalog(raw, issues: &issues)
            fields.record(issues)
        }
        try fields.finish(status: 422)
        self.name = name!
        self.catalog = catalog
    }

    /// Validates a catalog payload found at `path` (an inline session catalog uses this too); 422 on problems.
    public static func validated(_ raw: JSONValue, path: String) throws -> JSONValue {
        var issues = ValidationIssues()
        let catalog = parseCatalog(raw, issues: &issues, path: path)
        if !issues.isEmpty { throw AppError.invalidRequest(issues, status: 422) }
        return catalog
    }

    static func parseCatalog(_ raw: JSONValue, issues: inout ValidationIssues, path root: String = "catalog") -> JSONValue {
        guard case .object = raw else {
            issues.add("Expected object, received \(raw.typeName)", at: root)
            return .null
        }
        var catalog = try! ObjectValidator(raw, path: root)
        let allowCustom = catalog.bool("allowCustom") ?? false
        var namespaces: [JSONValue] = []
        for (index, item) in (catalog.array("namespaces", maxCount: maxNamespaces) ?? []).enumerated() {
            let path = "\(root).namespaces[\(index)]"
            guard case .object = item, var namespace = try? ObjectValidator(item, path: path) else {
                issues.add("Expected object, received \(item.typeName)", at: path)
                continue
            }
            let key = namespace.string("key", required: true, length: 1...160)
            let label = namespace.string("label", required: true, length: 1...160)
            let icon = namespace.string("icon", length: 1...60)
            let fields = parseFields(namespace.array("fields", required: true, maxCount: maxFields), path: "\(path).fields", issues: &issues)
            issues.merge(namespace.issues)
            if let key, let label {
                var members: [String: JSONValue] = ["key": .string(key), "label": .string(label), "fields": .array(fields)]
                if let icon { members["icon"] = .string(icon) }
                namespaces.append(.object(members))
            }
        }
        var loops: [JSONValue] = []
        for (index, item) in (catalog.array("loops", maxCount: maxLoops) ?? []).enumerated() {
            let path = "\(root).loops[\(index)]"
            guard case .object = item, var loop = try? ObjectValidator(item, path: path) else {
                issues.add("Expected object, received \(item.typeName)", at: path)
                continue
            }
            let key = loop.string("key", required: true, length: 1...160)
            if let key, !VariableKey.isDotPath(key) { loop.fail("key", "Must be a key or dot-path of letters, digits and _") }
            let label = loop.string("label", required: true, length: 1...160)
            let itemFields = parseFields(
                loop.array("itemFields", required: true, maxCount: maxItemFields), path: "\(path).itemFields", issues: &issues)
            let preview = loop.array("previewData", maxCount: maxPreviewRows)
            issues.merge(loop.issues)
            if let key, let label {
                var members: [String: JSONValue] = ["key": .string(key), "label": .string(label), "itemFields": .array(itemFields)]
                if let preview { members["previewData"] = .array(preview) }
                loops.append(.object(members))
            }
        }
        issues.merge(catalog.issues)
        return .object(["allowCustom": .bool(allowCustom), "namespaces": .array(namespaces), "loops": .array(loops)])
    }

    /// CatalogField: `{key, label, dataType, required?, format?, description?, previewData?}`; at least one.
    static func parseFields(_ items: [JSONValue]?, path: String, issues: inout ValidationIssues) -> [JSONValue] {
        guard let items else { return [] }
        if items.isEmpty { issues.add("Must contain at least 1 field", at: path) }
        var result: [JSONValue] = []
        for (index, item) in items.enumerated() {
            let fieldPath = "\(path)[\(index)]"
            guard case .object = item, var field = try? ObjectValidator(item, path: fieldPath) else {
                issues.add("Expected object, received \(item.typeName)", at: fieldPath)
                continue
            }
            let key = field.string("key", required: true, length: 1...160)
            if let key, !VariableKey.isDotPath(key) { field.fail("key", "Must match ^[a-zA-Z_][a-zA-Z0-9_.]*$") }
            let label = field.string("label", required: true, length: 1...160)
            let typeName = field.string("dataType", required: true)
            if let typeName, DataType(rawValue: typeName) == nil {
                field.fail("dataType", "Must be one of \(DataType.allCases.map(\.rawValue).joined(separator: ", "))")
            }
            let required = field.bool("required") ?? false
            // Empty is no format, as Craftkit's catalog field allows it.
            let format = field.string("format", length: 0...60).flatMap { $0.isEmpty ? nil : $0 }
            let description = field.string("description", length: 0...280)
            var preview = field.raw("previewData")
            switch preview {
            case .object?, .array?:
                field.fail("previewData", "Must be a scalar")
                preview = nil
            case .null?:
                field.fail("previewData", "Must not be null; leave the field out instead")
                preview = nil
            default: break
            }
            issues.merge(field.issues)
            guard let key, let label, let typeName, DataType(rawValue: typeName) != nil else { continue }
            var members: [String: JSONValue] = [
                "key": .string(key), "label": .string(label), "dataType": .string(typeName), "required": .bool(required),
            ]
            if let format { members["format"] = .string(format) }
            if let description { members["description"] = .string(description) }
            if let preview { members["previewData"] = preview }
            result.append(.object(members))
        }
        return result
    }
}
