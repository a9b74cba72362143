import Core

/// Sample values for previews: a loop's `previewData` when it has some, otherwise a plausible value per
/// data type, so a draft can be seen filled in before any real data exists.
public enum SampleData {
    public static func make(for manifest: Manifest) -> JSONValue {
        var data: JSONValue = .object([:])
        for variable in manifest.variables {
            if let value = sample(variable) { data.set(path: variable.key.split(separator: ".").map(String.init), to: value) }
        }
        for loop in manifest.loops {
            let rows: [JSONValue]
            if let preview = loop.previewData, !preview.isEmpty {
                rows = preview.map { JSONValue.object($0) }
            } else {
                rows = (1...3).map { index in
                    var row: JSONValue = .object([:])
                    for field in loop.itemFields {
                        if let value = sample(field, index: index) { row.set(path: field.key.split(separator: ".").map(String.init), to: value) }
                    }
                    return row
                }
            }
            data.set(path: [loop.key], to: .array(rows))
        }
        return data
    }

    static func sample(_ variable: VariableDefinition, index: Int = 1) -> JSONValue? {
        switch variable.dataType {
        case .text: .string(index == 1 ? variable.label : "\(variable.label) \(index)")
        case .longtext: .string("\(variable.label): a longer sample text that wraps over more than one line in the preview.")
        case .number: .number(Double(index * 3))
        case .currency: .number(1234.5 * Double(index))
        case .date: .string("2026-01-3\(min(index, 1))")
        case .datetime: .string("2026-01-31T09:30:00Z")
        case .boolean: .bool(index % 2 == 1)
        case .url: .string("https://example.com")
        case .email: .string("someone@example.com")
        case .image: nil
        }
    }
}
