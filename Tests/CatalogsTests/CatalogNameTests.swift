import Catalogs
import Testing

@Suite("Catalog names")
struct CatalogNameTests {
    @Test("lower-case names with digits and dashes are valid", arguments: ["crm", "crm-v2", "0day", "a-"])
    func valid(name: String) { #expect(CatalogName.problem(with: name) == nil) }

    @Test("other names are refused with a message", arguments: ["", "-crm", "CRM", "crm_v2", "crm v2", String(repeating: "a", count: 121)])
    func invalid(name: String) { #expect(CatalogName.problem(with: name) != nil) }
}
