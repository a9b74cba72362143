import Core
import Foundation
import HummingbirdTesting
import PartnerAPI
import TestSupport
import Testing

@Suite("/v1/embed/catalogs")
struct CatalogRouteTests {
    let catalog = """
        {"allowCustom":true,"namespaces":[{"key":"customer","label":"Customer","icon":"user",
          "fields":[{"key":"customer.name","label":"Name","dataType":"text","required":true,"previewData":"Ada","extra":1}]}],
         "loops":[{"key":"items","label":"Items","itemFields":[{"key":"qty","label":"Qty","dataType":"number"}],"previewData":[{"qty":1}]}]}
        """

    @Test("publishing a name again makes the next version current and keeps the old one", arguments: DatabaseLeg.all)
    func versions(leg: DatabaseLeg) async throws {
        try await TestApp.run(leg) { client, _ in
            let key = try await provisionKey(client)
            let first = try await client.call(.post, "/v1/embed/catalogs", bearer: key, json: #"{"name":"crm","catalog":\#(catalog)}"#)
            #expect(first.status == 201, "\(first.body)")
            #expect(first.json["version"] == .number(1))
            let second = try await client.call(.post, "/v1/embed/catalogs", bearer: key, json: #"{"name":"crm","catalog":{"namespaces":[]}}"#)
            #expect(second.json["version"] == .number(2))
            let current = try await client.call(.get, "/v1/embed/catalogs/crm", bearer: key)
            #expect(current.json["version"] == .number(2))
            #expect(current.json["catalog"]?["allowCustom"] == .bool(false))
            let old = try await client.call(.get, "/v1/embed/catalogs/crm/versions/1", bearer: key)
            #expect(old.string("archivedAt") != nil)
            #expect(old.json["catalog"]?["allowCustom"] == .bool(true))
            #expect(old.json["catalog"]?["namespaces"]?.arrayFirst?["fields"]?.arrayFirst?["extra"] == nil)
            #expect(old.json["catalog"]?["namespaces"]?.arrayFirst?["fields"]?.arrayFirst?["previewData"] == .string("Ada"))
            let list = try await client.call(.get, "/v1/embed/catalogs", bearer: key)
            #expect(list.json["data"]?.arrayFirst?["version"] == .number(2))
        }
    }

    @Test("unknown names and versions are 404 catalog_not_found; other projects see nothing")
    func notFound() async throws {
        try await TestApp.run(.sqlite) { client, _ in
            let key = try await provisionKey(client)
            let other = try await provisionKey(client, org: "other")
            _ = try await client.call(.post, "/v1/embed/catalogs", bearer: key, json: #"{"name":"crm","catalog":\#(catalog)}"#)
            for (bearer, path) in [(key, "/v1/embed/catalogs/nope"), (key, "/v1/embed/catalogs/crm/versions/9"), (other, "/v1/embed/catalogs/crm")] {
                #expect(try await client.call(.get, path, bearer: bearer).errorCode == "catalog_not_found")
            }
        }
    }

    @Test(
        "invalid catalogs are 422 invalid_request with paths",
        arguments: [
            (#"{"name":"CRM","catalog":{}}"#, "name"), (#"{"name":"crm"}"#, "catalog"),
            (#"{"name":"crm","catalog":{"namespaces":[{"key":"c","label":"C","fields":[]}]}}"#, "catalog.namespaces[0].fields"),
            (
                #"{"name":"crm","catalog":{"namespaces":[{"key":"c","label":"C","fields":[{"key":"1x","label":"X","dataType":"text"}]}]}}"#,
                "catalog.namespaces[0].fields[0].key"
            ),
            (
                #"{"name":"crm","catalog":{"loops":[{"key":"l","label":"L","itemFields":[{"key":"a","label":"A","dataType":"money"}]}]}}"#,
                "catalog.loops[0].itemFields[0].dataType"
            ),
        ]
    )
    func invalid(body: String, field: String) async throws {
        try await TestApp.run(.sqlite) { client, _ in
            let key = try await provisionKey(client)
            let result = try await client.call(.post, "/v1/embed/catalogs", bearer: key, json: body)
            #expect(result.status == 422)
            #expect(result.errorCode == "invalid_request")
            #expect(result.json["error"]?["issues"]?["fieldErrors"]?[field] != nil, "\(result.body)")
        }
    }
}

extension JSONValue {
    var arrayFirst: JSONValue? {
        if case .array(let items) = self { return items.first }
        return nil
    }
}
