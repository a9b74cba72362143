import Core
import Foundation
import Testing

/// Inputs the fuzz targets (Sources/Fuzz, `make fuzz`) once failed on, kept as plain tests.
@Suite("Fuzz regressions: Core")
struct CoreFuzzRegressionTests {
    /// json target: a decomposed "é" key next to a precomposed "é/" key. String `<` orders neither
    /// before the other, so the serialized text depended on the dictionary's iteration order.
    @Test("serialization of non-NFC keys is stable")
    func nonNFCKeysSerializeStably() throws {
        let input = Data(#"{"dup":1,"dup":2,"e\u0301":"x","\u00e9/":"y"}"#.utf8)
        let value = try JSONValue.parse(input)
        let text = value.serialized
        #expect(value.serializedString == "{\"dup\":1,\"e\u{301}\":\"x\",\"\u{e9}/\":\"y\"}")
        #expect(try JSONValue.parse(text) == value)
        #expect(try JSONValue.parse(text).serialized == text)
        // Dictionaries of other capacities iterate in other orders: the text must not change.
        guard case .object(let members) = value else {
            Issue.record("not an object")
            return
        }
        for capacity in [0, 3, 8, 17, 64, 300] {
            var copy = [String: JSONValue](minimumCapacity: capacity)
            for key in members.keys.reversed() { copy[key] = members[key] }
            #expect(JSONValue.object(copy).serialized == text, "capacity \(capacity)")
        }
    }

    /// form target: "e\u0301" and "\u00e9.b" collide after expansion (the two spellings of "é" are
    /// one dictionary key) and "\u00e9/" is unordered against the first by String `<`, so which of
    /// the colliding values won depended on the dictionary's iteration order.
    @Test("dotted-key expansion does not depend on dictionary order")
    func expansionIsOrderIndependent() throws {
        let input = Data(#"{"e\u0301":1,"\u00e9/":2,"\u00e9.b":3}"#.utf8)
        guard case .object(let members) = try JSONValue.parse(input) else {
            Issue.record("not an object")
            return
        }
        var expansions = Set<JSONValue>()
        for capacity in [0, 3, 5, 8, 17, 64, 300] {
            for keys in [Array(members.keys), members.keys.reversed()] {
                var copy = [String: JSONValue](minimumCapacity: capacity)
                for key in keys { copy[key] = members[key] }
                expansions.insert(DottedKeys.expand(.object(copy)))
            }
        }
        #expect(expansions.count == 1)
        // Byte order puts the decomposed key first, so the later "\u00e9.b" object wins the collision.
        #expect(expansions.first?["e\u{301}"] == .object(["b": .number(3)]))
    }
}
