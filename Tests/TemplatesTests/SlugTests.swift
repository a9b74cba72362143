import Templates
import Testing

@Suite("Template slugs")
struct SlugTests {
    @Test("valid slugs are kebab-case", arguments: ["invoice", "invoice-2024", "a", "a-b-c"])
    func valid(slug: String) { #expect(Slug.isValid(slug)) }

    @Test("invalid slugs are refused", arguments: ["", "Invoice", "-a", "a-", "a--b", "a_b", "ü", String(repeating: "a", count: 121)])
    func invalid(slug: String) { #expect(!Slug.isValid(slug)) }

    @Test("names become slugs with accents folded and punctuation collapsed")
    func derive() {
        #expect(Slug.derive(from: "Rechnung für Müller & Söhne!") == "rechnung-fur-muller-sohne")
        #expect(Slug.derive(from: "  Invoice   2024 ") == "invoice-2024")
        #expect(Slug.derive(from: "!!!") == "template")
        #expect(Slug.isValid(Slug.derive(from: String(repeating: "word ", count: 60))))
    }

    @Test("a collision suffix keeps the slug valid")
    func suffix() {
        let slug = Slug.withSuffix("invoice")
        #expect(slug.hasPrefix("invoice-"))
        #expect(Slug.isValid(slug))
    }
}
