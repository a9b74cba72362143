import Core
import Foundation
import Testing

@Suite("JSON bodies and validation")
struct ValidationTests {
    @Test("booleans, numbers and nulls keep their JSON types")
    func parsesTypes() throws {
        let value = try JSONValue.parse(Data(#"{"a":true,"b":1,"c":null,"d":"x","e":[0,false]}"#.utf8))
        #expect(value["a"] == .bool(true))
        #expect(value["b"] == .number(1))
        #expect(value["c"] == .null)
        #expect(value["d"] == .string("x"))
        #expect(value["e"] == .array([.number(0), .bool(false)]))
    }

    @Test("anything that is not JSON is invalid_json", arguments: ["", "{", "{'a':1}", "nope", "{\"a\":}"])
    func rejectsGarbage(input: String) {
        #expect(throws: AppError.invalidJSON()) { try JSONValue.parse(Data(input.utf8)) }
    }

    @Test("every problem is reported with its path, in one error")
    func collectsAllIssues() throws {
        let body = try JSONValue.parse(Data(#"{"name":5,"origins":["ok",3],"flag":"yes"}"#.utf8))
        var fields = try ObjectValidator(body)
        _ = fields.string("name", required: true)
        _ = fields.string("missing", required: true)
        _ = fields.stringArray("origins", maxCount: 5) { $0 == "ok" ? nil : "bad" }
        _ = fields.bool("flag")
        do {
            try fields.finish()
            Issue.record("validation passed")
        } catch let error as AppError {
            #expect(error.status == 400)
            #expect(error.code == "invalid_request")
            #expect(error.issues?.fieldErrors["name"] == ["Expected string, received number"])
            #expect(error.issues?.fieldErrors["missing"] == ["Required"])
            #expect(error.issues?.fieldErrors["origins[1]"] == ["Expected string, received number"])
            #expect(error.issues?.fieldErrors["flag"] == ["Expected boolean, received string"])
        }
    }

    @Test("a body that is not an object is a form error")
    func notAnObject() {
        #expect(throws: AppError.self) { try ObjectValidator(.array([])) }
    }

    @Test("length limits count characters, not bytes")
    func lengthLimits() throws {
        var fields = try ObjectValidator(.object(["a": .string("ü"), "b": .string(""), "c": .string(String(repeating: "x", count: 11))]))
        #expect(fields.string("a", length: 1...1) == "ü")
        #expect(fields.string("b", length: 1...10) == nil)
        #expect(fields.string("c", length: 1...10) == nil)
        #expect(fields.issues.fieldErrors["b"] == ["Must not be empty"])
        #expect(fields.issues.fieldErrors["c"] == ["Must be at most 10 characters"])
    }
}
