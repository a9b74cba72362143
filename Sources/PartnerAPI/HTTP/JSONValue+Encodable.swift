import Core
import Foundation

extension JSONValue {
    /// Any `Encodable` as a JSON value (for composing response bodies).
    init(encoding value: some Encodable) throws {
        self = try JSONValue.parse(try JSONEncoder().encode(value))
    }

    /// Optional strings and numbers as JSON, `null` when absent.
    static func string(_ value: String?) -> JSONValue { value.map(JSONValue.string) ?? .null }
    static func int(_ value: (some BinaryInteger)?) -> JSONValue { value.map { .number(Double($0)) } ?? .null }
    static func timestamp(_ millis: Int64?) -> JSONValue { millis.map { .string(Date(epochMillis: $0).iso8601) } ?? .null }
}
