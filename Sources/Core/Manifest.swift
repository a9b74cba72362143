// The manifest vocabulary shared by Render (extraction, lint), Templates (publish, validation) and the
// HTTP layer (JSON Schema, form fields). Field names match the Craftkit API exactly
// (docs/api.md#manifest).

/// The data type of one variable (`dataType` in the API).
public enum DataType: String, Codable, Sendable, Equatable, Hashable, CaseIterable {
    case text, longtext, number, currency, date, datetime, boolean, image, url, email
}

/// One scalar variable of a template: `{key, label, dataType, required, format?}`.
///
/// `key` is a dot-path (`customer.name`). Inside a loop's `itemFields` it is relative to the item.
/// Decoding is lenient where the API is: a missing `required` means `false`, a missing `label` means
/// the key itself.
public struct VariableDefinition: Codable, Sendable, Equatable, Hashable {
    public var key: String
    public var label: String
    public var dataType: DataType
    public var required: Bool
    /// A format hint such as `money:EUR`, `currency:EUR`, `number:2` or `date:DD/MM/YYYY`.
    public var format: String?

    public init(key: String, label: String? = nil, dataType: DataType = .text, required: Bool = false, format: String? = nil) {
        self.key = key
        self.label = label ?? key
        self.dataType = dataType
        self.required = required
        self.format = format
    }

    enum CodingKeys: String, CodingKey { case key, label, dataType, required, format }

    public init(from decoder: any Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        key = try c.decode(String.self, forKey: .key)
        label = try c.decodeIfPresent(String.self, forKey: .label) ?? key
        dataType = try c.decodeIfPresent(DataType.self, forKey: .dataType) ?? .text
        required = try c.decodeIfPresent(Bool.self, forKey: .required) ?? false
        format = try c.decodeIfPresent(String.self, forKey: .format)
    }

    public func encode(to encoder: any Encoder) throws {
        var c = encoder.container(keyedBy: CodingKeys.self)
        try c.encode(key, forKey: .key)
        try c.encode(label, forKey: .label)
        try c.encode(dataType, forKey: .dataType)
        try c.encode(required, forKey: .required)
        try c.encodeIfPresent(format, forKey: .format)
    }
}

/// A repeating group: an array of objects sent at the top level of `data` under `key` (dot-free).
public struct LoopDefinition: Codable, Sendable, Equatable, Hashable {
    public var key: String
    public var label: String
    /// The shape of one item; keys are relative to the item.
    public var itemFields: [VariableDefinition]
    /// Up to 10 sample rows for the builder preview.
    public var previewData: [[String: JSONValue]]?

    public init(key: String, label: String? = nil, itemFields: [VariableDefinition], previewData: [[String: JSONValue]]? = nil) {
        self.key = key
        self.label = label ?? key
        self.itemFields = itemFields
        self.previewData = previewData
    }

    enum CodingKeys: String, CodingKey { case key, label, itemFields, previewData }

    public init(from decoder: any Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        key = try c.decode(String.self, forKey: .key)
        label = try c.decodeIfPresent(String.self, forKey: .label) ?? key
        itemFields = try c.decodeIfPresent([VariableDefinition].self, forKey: .itemFields) ?? []
        previewData = try c.decodeIfPresent([[String: JSONValue]].self, forKey: .previewData)
    }

    public func encode(to encoder: any Encoder) throws {
        var c = encoder.container(keyedBy: CodingKeys.self)
        try c.encode(key, forKey: .key)
        try c.encode(label, forKey: .label)
        try c.encode(itemFields, forKey: .itemFields)
        try c.encodeIfPresent(previewData, forKey: .previewData)
    }
}

/// `{variables, loops}`: what a template version accepts as render data.
public struct Manifest: Codable, Sendable, Equatable, Hashable {
    public var variables: [VariableDefinition]
    public var loops: [LoopDefinition]

    public init(variables: [VariableDefinition] = [], loops: [LoopDefinition] = []) {
        self.variables = variables
        self.loops = loops
    }

    enum CodingKeys: String, CodingKey { case variables, loops }

    public init(from decoder: any Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        variables = try c.decodeIfPresent([VariableDefinition].self, forKey: .variables) ?? []
        loops = try c.decodeIfPresent([LoopDefinition].self, forKey: .loops) ?? []
    }
}

// `JSONValue` (render data, preview rows, conditional operands) is defined once, in Validation/JSONValue.swift.
