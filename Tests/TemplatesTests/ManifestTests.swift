import Core
import Foundation
import Templates
import Testing

@Suite("Manifest input, JSON Schema and synthesized layouts")
struct ManifestTests {
    @Test("a dotted loop key is reported apart from other issues")
    func dottedLoopKey() {
        let raw: JSONValue = .object([
            "variables": .array([]),
            "loops": .array([
                .object([
                    "key": .string("a.b"), "label": .string("A"),
                    "itemFields": .array([.object(["key": .string("x"), "dataType": .string("text")])]),
                ])
            ]),
        ])
        let outcome = ManifestInput.parse(raw, path: "manifest")
        #expect(outcome.dottedLoopKeys == ["manifest.loops[0].key"])
    }

    @Test("duplicate keys are refused")
    func duplicates() {
        let variable: JSONValue = .object(["key": .string("a"), "dataType": .string("text")])
        let outcome = ManifestInput.parse(.object(["variables": .array([variable, variable]), "loops": .array([])]), path: "manifest")
        #expect(outcome.issues.fieldErrors["manifest.variables[1].key"] != nil)
    }

    @Test("dot paths nest in the schema and loops become arrays of objects")
    func schema() {
        let schema = JSONSchemaBuilder.schema(
            for: Manifest(
                variables: [VariableDefinition(key: "a.b.c", dataType: .number, required: true), VariableDefinition(key: "d", dataType: .url)],
                loops: [LoopDefinition(key: "rows", itemFields: [VariableDefinition(key: "x", dataType: .email, required: true)])]
            )
        )
        #expect(schema["properties"]?["a"]?["properties"]?["b"]?["properties"]?["c"]?["type"] == .string("number"))
        #expect(schema["properties"]?["a"]?["required"] == .array([.string("b")]))
        #expect(schema["required"] == .array([.string("a")]))
        #expect(schema["properties"]?["d"]?["format"] == .string("uri"))
        #expect(schema["properties"]?["rows"]?["items"]?["required"] == .array([.string("x")]))
    }

    @Test("a synthesized layout shows every variable and a table per loop")
    func synthesized() {
        let document = LayoutSynthesizer.document(
            name: "Invoice",
            manifest: Manifest(
                variables: [
                    VariableDefinition(key: "total", dataType: .currency, format: "money:USD"), VariableDefinition(key: "logo", dataType: .image),
                ],
                loops: [LoopDefinition(key: "items", itemFields: [VariableDefinition(key: "qty", dataType: .number)])]
            )
        )
        let text = String(decoding: (try? JSONEncoder().encode(document)) ?? Data(), as: UTF8.self)
        #expect(text.contains("{{total | money:USD}}"))
        #expect(text.contains(#""src":"{{logo}}""#))
        #expect(text.contains(#""loop":"items""#))
        #expect(text.contains("{{qty}}"))
    }
}
