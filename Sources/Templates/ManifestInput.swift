import Core

/// Reads a manifest (`{variables, loops}`, docs/api.md#manifest) from a request body, recording every
/// problem under its path (`manifest.variables[2].dataType`). A loop key with a dot is reported
/// separately, since the reference answers it with its own code (400 `invalid_loop_key`).
public enum ManifestInput {
    public static let maxVariables = 500
    public static let maxLoops = 50
    public static let maxItemFields = 100
    public static let maxPreviewRows = 10

    public struct Outcome: Sendable {
        public var manifest: Manifest
        public var issues: ValidationIssues
        /// Paths of loop keys that contain a dot.
        public var dottedLoopKeys: [String]
    }

    public static func parse(_ value: JSONValue, path: String) -> Outcome {
        var issues = ValidationIssues()
        var dotted: [String] = []
        guard case .object = value else {
            issues.add("Expected object, received \(value.typeName)", at: path)
            return Outcome(manifest: Manifest(), issues: issues, dottedLoopKeys: [])
        }
        var fields = try! ObjectValidator(value, path: path)
        let variables = (fields.array("variables", required: true, maxCount: maxVariables) ?? []).enumerated().compactMap { index, item in
            variable(item, path: "\(path).variables[\(index)]", into: &issues)
        }
        var loops: [LoopDefinition] = []
        for (index, item) in (fields.array("loops", required: true, maxCount: maxLoops) ?? []).enumerated() {
            let loopPath = "\(path).loops[\(index)]"
            guard case .object = item, var loop = try? ObjectValidator(item, path: loopPath) else {
                issues.add("Expected object, received \(item.typeName)", at: loopPath)
                continue
            }
            let key = loop.string("key", required: true, length: 1...120)
            if let key, key.contains(".") {
                dotted.append("\(loopPath).key")
            } else if let key, !VariableKey.isKey(key) {
                loop.fail("key", "Must start with a letter or _ and contain only letters, digits and _")
            }
            let label = loop.string("label", required: true, length: 1...160)
            let itemValues = loop.array("itemFields", required: true, maxCount: maxItemFields) ?? []
            if itemValues.isEmpty, loop.raw("itemFields") != nil { loop.fail("itemFields", "Must contain at least 1 field") }
            let itemFields = itemValues.enumerated().compactMap { fieldIndex, field in
                variable(field, path: "\(loopPath).itemFields[\(fieldIndex)]", into: &issues)
            }
            var previewRows: [[String: JSONValue]]?
            if let rows = loop.array("previewData", maxCount: maxPreviewRows) {
                previewRows = []
                for (rowIndex, row) in rows.enumerated() {
                    if case .object(let members) = row {
                        previewRows?.append(members)
                    } else {
                        loop.fail("previewData[\(rowIndex)]", "Expected object, received \(row.typeName)")
                    }
                }
            }
            issues.merge(loop.issues)
            if let key, let label, !itemFields.isEmpty {
                loops.append(LoopDefinition(key: key, label: label, itemFields: itemFields, previewData: previewRows))
            }
        }
        issues.merge(fields.issues)
        var seen = Set<String>()
        for (index, variable) in variables.enumerated() where !seen.insert(variable.key).inserted {
            issues.add("Duplicate key \"\(variable.key)\"", at: "\(path).variables[\(index)].key")
        }
        for (index, loop) in loops.enumerated() where !seen.insert(loop.key).inserted {
            issues.add("Duplicate key \"\(loop.key)\"", at: "\(path).loops[\(index)].key")
        }
        return Outcome(manifest: Manifest(variables: variables, loops: loops), issues: issues, dottedLoopKeys: dotted)
    }

    static func variable(_ value: JSONValue, path: String, into issues: inout ValidationIssues) -> VariableDefinition? {
        guard case .object = value, var fields = try? ObjectValidator(value, path: path) else {
            issues.add("Expected object, received \(value.typeName)", at: path)
            return nil
        }
        let key = fields.string("key", required: true, length: 1...160)
        if let key, !VariableKey.isDotPath(key) {
            fields.fail("key", "Must be a dot-path of letters, digits and _ (e.g. customer.name)")
        }
        let label = fields.string("label", length: 1...160)
        let typeName = fields.string("dataType", required: true)
        let dataType = typeName.flatMap(DataType.init(rawValue:))
        if typeName != nil, dataType == nil {
            fields.fail("dataType", "Must be one of \(DataType.allCases.map(\.rawValue).joined(separator: ", "))")
        }
        let required = fields.bool("required") ?? false
        let format = fields.string("format", length: 1...64)
        issues.merge(fields.issues)
        guard let key, VariableKey.isDotPath(key), let dataType else { return nil }
        return VariableDefinition(key: key, label: label, dataType: dataType, required: required, format: format)
    }
}
