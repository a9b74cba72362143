import Core

/// The draft-07 JSON Schema of a manifest (`jsonSchema` in `GET /v1/templates/:slug`): dot-path keys
/// become nested objects, loops top-level arrays of item objects, `required` lists at every level.
public enum JSONSchemaBuilder {
    public static func schema(for manifest: Manifest) -> JSONValue {
        var root = Node()
        for variable in manifest.variables { root.insert(variable) }
        var object = root.schema()
        if case .object(var members) = object {
            var properties: [String: JSONValue] = [:]
            if case .object(let existing)? = members["properties"] { properties = existing }
            var required: [JSONValue] = []
            if case .array(let existing)? = members["required"] { required = existing }
            for loop in manifest.loops {
                var item = Node()
                for field in loop.itemFields { item.insert(field) }
                properties[loop.key] = .object([
                    "type": .string("array"), "title": .string(loop.label), "maxItems": .number(Double(DataValidator.maxLoopItems)),
                    "items": item.schema(),
                ])
            }
            members["properties"] = .object(properties)
            members["required"] = .array(required)
            members["$schema"] = .string("http://json-schema.org/draft-07/schema#")
            object = .object(members)
        }
        return object
    }

    /// A tree of dot-path segments.
    struct Node {
        var leaf: VariableDefinition?
        var children: [String: Node] = [:]
        var order: [String] = []

        mutating func insert(_ variable: VariableDefinition) {
            insert(variable, segments: variable.key.split(separator: ".").map(String.init)[...])
        }

        mutating func insert(_ variable: VariableDefinition, segments: ArraySlice<String>) {
            guard let first = segments.first else {
                leaf = variable
                return
            }
            if children[first] == nil { order.append(first) }
            children[first, default: Node()].insert(variable, segments: segments.dropFirst())
        }

        var isRequired: Bool { leaf?.required ?? children.values.contains { $0.isRequired } }

        func schema() -> JSONValue {
            if let leaf, children.isEmpty { return JSONSchemaBuilder.leafSchema(leaf) }
            var properties: [String: JSONValue] = [:]
            for key in order { properties[key] = children[key]!.schema() }
            return .object([
                "type": .string("object"),
                "properties": .object(properties),
                "required": .array(order.filter { children[$0]!.isRequired }.map(JSONValue.string)),
            ])
        }
    }

    static func leafSchema(_ variable: VariableDefinition) -> JSONValue {
        var schema: [String: JSONValue] = ["title": .string(variable.label)]
        switch variable.dataType {
        case .text, .longtext: schema["type"] = .string("string")
        case .number, .currency: schema["type"] = .string("number")
        case .boolean: schema["type"] = .string("boolean")
        case .date:
            schema["type"] = .string("string")
            schema["format"] = .string("date")
        case .datetime:
            schema["type"] = .string("string")
            schema["format"] = .string("date-time")
        case .image, .url:
            schema["type"] = .string("string")
            schema["format"] = .string("uri")
            schema["pattern"] = .string("^https?://")
        case .email:
            schema["type"] = .string("string")
            schema["format"] = .string("email")
        }
        return .object(schema)
    }
}
