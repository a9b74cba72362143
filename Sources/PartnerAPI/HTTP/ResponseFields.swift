import Core
import Foundation

// Response bodies are `Encodable` structs next to their routes, written by `JSONBody.encoder` (sorted
// keys, unescaped slashes). Two conventions keep their JSON what clients already read: a plain
// optional is left out when nil, a `@Nullable` one is written as `null`; instants are `Timestamp`s.

/// An epoch-millisecond instant, written as ISO 8601 with milliseconds (`Date.iso8601`).
struct Timestamp: Encodable, Sendable {
    let millis: Int64

    init(_ millis: Int64) { self.millis = millis }

    func encode(to encoder: any Encoder) throws {
        var container = encoder.singleValueContainer()
        try container.encode(Date(epochMillis: millis).iso8601)
    }
}

/// A field that is always present: its value, or `null` when there is none. (Synthesized `Encodable`
/// leaves a nil optional out; this wrapper is encoded in its place and writes the null itself.)
@propertyWrapper
struct Nullable<Value: Encodable>: Encodable {
    var wrappedValue: Value?

    init(wrappedValue: Value?) { self.wrappedValue = wrappedValue }

    func encode(to encoder: any Encoder) throws {
        var container = encoder.singleValueContainer()
        if let wrappedValue { try container.encode(wrappedValue) } else { try container.encodeNil() }
    }
}

extension Optional where Wrapped == Int64 {
    /// An optional epoch-millisecond instant as an optional `Timestamp`.
    var timestamp: Timestamp? { map(Timestamp.init) }
}
