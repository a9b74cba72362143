import Core
import Foundation
import Testing

@Suite("JSONValue serialization")
struct JSONSerializeTests {
    static let samples: [JSONValue] = [
        .null, .bool(true), .number(0), .number(-3), .number(1234.5), .number(0.1), .number(1e20), .number(-2.5e-7),
        .string("plain"), .string("quote \" backslash \\ slash / newline \n tab \t bell \u{7} é 日本 🎉"),
        .array([.number(1), .string("a"), .null, .array([])]),
        .object(["b": .number(2), "a": .object(["z": .bool(false), "y": .array([.object([:])])]), "ü": .string("x")]),
    ]

    @Test("matches JSONEncoder with sorted keys and unescaped slashes", arguments: samples)
    func matchesEncoder(value: JSONValue) throws {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
        let expected = String(decoding: try encoder.encode(value), as: UTF8.self)
        #expect(value.serializedString == expected)
        #expect(try JSONValue.parse(value.serialized) == value)
    }

    @Test("non-finite numbers become null")
    func nonFinite() {
        #expect(JSONValue.array([.number(.nan), .number(.infinity)]).serializedString == "[null,null]")
    }
}

@Suite("JSONValue parsing")
struct JSONParseTests {
    static let valid = [
        #"{"a":1,"b":[true,false,null],"c":{"d":"e"}}"#, #"  [ 1 , -2.5e3 , 0.125, 1E+2, -0 ]  "#, #""esc \" \\ \/ \b\f\n\r\t \u00e9 \ud83c\udf89""#,
        #"{"dup":1,"dup":2}"#, "[]", "{}", #""日本語 🎉""#, "123456789012345678", "0.1",
    ]
    static let invalid = [
        "", " ", "{", "}", "[1,]", "{\"a\":1,}", "{a:1}", "01", "1.", ".5", "-", "1e", "+1", "tru", "nul", "\"open", "\"\\x\"", "\"\\u12\"",
        "\"\\ud800\"", "\"\\udc00\"", "[1 2]", "{\"a\" 1}", "\"tab\there\"", "1 2", "NaN", "Infinity", "1e999",
    ]

    @Test("valid documents parse as JSONDecoder parses them", arguments: valid)
    func validDocuments(text: String) throws {
        let expected = try JSONDecoder().decode(JSONValue.self, from: Data(text.utf8))
        #expect(try JSONValue.parse(Data(text.utf8)) == expected)
    }

    @Test("invalid documents are invalid_json", arguments: invalid)
    func invalidDocuments(text: String) {
        #expect(throws: AppError.invalidJSON()) { try JSONValue.parse(Data(text.utf8)) }
    }

    @Test("deep nesting is refused instead of exhausting the stack; invalid UTF-8 is refused")
    func limits() {
        let deep = String(repeating: "[", count: 10_000) + String(repeating: "]", count: 10_000)
        #expect(throws: AppError.invalidJSON()) { try JSONValue.parse(Data(deep.utf8)) }
        #expect(throws: AppError.invalidJSON()) { try JSONValue.parse(Data([0x22, 0xFF, 0xFE, 0x22])) }
        let fine = String(repeating: "[", count: 200) + String(repeating: "]", count: 200)
        #expect((try? JSONValue.parse(Data(fine.utf8))) != nil)
    }
}
