import Core
import Foundation
import Testing

@Suite("Render data validation")
struct DataValidatorTests {
    let manifest = Manifest(
        variables: [
            VariableDefinition(key: "customer.name", dataType: .text, required: true),
            VariableDefinition(key: "total", dataType: .currency),
            VariableDefinition(key: "paid", dataType: .boolean),
            VariableDefinition(key: "due", dataType: .date),
            VariableDefinition(key: "logo", dataType: .image),
            VariableDefinition(key: "contact", dataType: .email),
        ],
        loops: [LoopDefinition(key: "items", itemFields: [VariableDefinition(key: "qty", dataType: .number, required: true)])]
    )

    func issues(_ json: String) -> [String: [String]] {
        do {
            _ = try DataValidator.validate(try JSONValue.parse(Data(json.utf8)), against: manifest)
            return [:]
        } catch let error as AppError {
            #expect(error.code == "invalid_input_data")
            return error.issues?.fieldErrors ?? [:]
        } catch {
            return ["?": ["\(error)"]]
        }
    }

    @Test("values are coerced and unknown keys stripped")
    func coerces() throws {
        let input = #"{"customer":{"name":"Ada","age":36},"total":"12.50","paid":"true","due":"2026-12-31","extra":1,"items":[{"qty":"3","x":1}]}"#
        let output = try DataValidator.validate(try JSONValue.parse(Data(input.utf8)), against: manifest)
        #expect(
            output
                == .object([
                    "customer": .object(["name": .string("Ada")]), "total": .number(12.5), "paid": .bool(true), "due": .string("2026-12-31"),
                    "items": .array([.object(["qty": .number(3)])]),
                ])
        )
    }

    @Test("every problem is reported with its path")
    func paths() {
        let found = issues(
            #"{"customer":{"name":true},"total":"abc","paid":"maybe","due":"2026-02-30","logo":"data:image/png;base64,AA","contact":"nope","items":[{"qty":1},{}]}"#
        )
        #expect(Set(found.keys) == ["customer.name", "total", "paid", "due", "logo", "contact", "items[1].qty"])
    }

    @Test("a missing required scalar is Required; a missing optional one is simply absent")
    func required() {
        #expect(issues("{}") == ["customer.name": ["Required"]])
    }

    @Test("a loop over 10,000 items is refused")
    func loopCap() {
        let rows = Array(repeating: #"{"qty":1}"#, count: 10_001).joined(separator: ",")
        #expect(issues(#"{"customer":{"name":"A"},"items":[\#(rows)]}"#)["items"] != nil)
    }

    @Test("numbers where text is expected keep their digits")
    func numbersAsText() throws {
        let output = try DataValidator.validate(.object(["customer": .object(["name": .number(12345)])]), against: manifest)
        #expect(output["customer"]?["name"] == .string("12345"))
    }
}
