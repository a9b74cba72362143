import Core
import Foundation
import HTTPTypes
import HummingbirdTesting
import PartnerAPI
import TestSupport
import Testing

/// A provisioned project's key, for tests.
func provisionKey(_ client: any TestClientProtocol, org: String = "acme") async throws -> String {
    let result = try await client.call(.post, "/v1/admin/provision", bearer: TestApp.adminKey, json: #"{"externalOrgId":"\#(org)"}"#)
    return try #require(result.string("apiKey"))
}

let invoiceManifest = """
    {"variables":[{"key":"customer.name","label":"Customer","dataType":"text","required":true},
                  {"key":"invoice.total","label":"Total","dataType":"currency","required":true,"format":"money:EUR"},
                  {"key":"invoice.date","label":"Date","dataType":"date"}],
     "loops":[{"key":"items","label":"Items","itemFields":[{"key":"description","label":"Description","dataType":"text","required":true},
                                                          {"key":"qty","label":"Qty","dataType":"number"}]}]}
    """

@Suite("/v1/templates")
struct TemplateRouteTests {
    @Test("a template created from a manifest is published as version 1 with a manifest and JSON Schema", arguments: DatabaseLeg.all)
    func createAndRead(leg: DatabaseLeg) async throws {
        try await TestApp.run(leg) { client, _ in
            let key = try await provisionKey(client)
            let created = try await client.call(.post, "/v1/templates", bearer: key, json: #"{"name":"Invoice","manifest":\#(invoiceManifest)}"#)
            #expect(created.status == 201)
            #expect(created.string("slug") == "invoice")
            #expect(created.json["currentVersionNumber"] == .number(1))
            let read = try await client.call(.get, "/v1/templates/invoice", bearer: key)
            #expect(read.status == 200)
            #expect(read.json["published"] == .bool(true))
            #expect(read.json["templateType"] == .string("document"))
            #expect(read.json["jsonSchema"]?["$schema"] == .string("http://json-schema.org/draft-07/schema#"))
            #expect(read.json["jsonSchema"]?["properties"]?["customer"]?["required"] == .array([.string("name")]))
            #expect(read.json["manifest"]?["loops"] != nil)
            let list = try await client.call(.get, "/v1/templates", bearer: key)
            guard case .array(let templates)? = list.json["templates"] else {
                Issue.record("no list")
                return
            }
            #expect(templates.count == 1)
            #expect(templates.first?["manifest"] == nil)
        }
    }

    @Test("a derived slug that collides gets a suffix; an explicit one is 409 slug_conflict")
    func slugs() async throws {
        try await TestApp.run(.sqlite) { client, _ in
            let key = try await provisionKey(client)
            let body = #"{"name":"Invoice","manifest":\#(invoiceManifest)}"#
            #expect(try await client.call(.post, "/v1/templates", bearer: key, json: body).string("slug") == "invoice")
            let second = try await client.call(.post, "/v1/templates", bearer: key, json: body)
            #expect(second.status == 201)
            #expect(second.string("slug")?.hasPrefix("invoice-") == true)
            let explicit = try await client.call(
                .post, "/v1/templates", bearer: key, json: #"{"name":"X","slug":"invoice","manifest":\#(invoiceManifest)}"#
            )
            #expect(explicit.status == 409)
            #expect(explicit.errorCode == "slug_conflict")
        }
    }

    @Test("PUT creates with 201, then every PUT publishes the next version with 200", arguments: DatabaseLeg.all)
    func put(leg: DatabaseLeg) async throws {
        try await TestApp.run(leg) { client, _ in
            let key = try await provisionKey(client)
            let body = #"{"name":"Receipt","manifest":\#(invoiceManifest)}"#
            let first = try await client.call(.put, "/v1/templates/receipt", bearer: key, json: body)
            #expect(first.status == 201)
            #expect(first.json["currentVersionNumber"] == .number(1))
            let second = try await client.call(.put, "/v1/templates/receipt", bearer: key, json: body)
            let third = try await client.call(
                .put, "/v1/templates/receipt", bearer: key, json: #"{"name":"Receipt v3","manifest":\#(invoiceManifest)}"#)
            #expect(second.status == 200)
            #expect(third.json["currentVersionNumber"] == .number(3))
            #expect(third.string("id") == first.string("id"))
            #expect(try await client.call(.get, "/v1/templates/receipt", bearer: key).string("name") == "Receipt v3")
        }
    }

    @Test("DELETE frees the slug; a second DELETE and a read are 404 template_not_found", arguments: DatabaseLeg.all)
    func delete(leg: DatabaseLeg) async throws {
        try await TestApp.run(leg) { client, _ in
            let key = try await provisionKey(client)
            let created = try await client.call(.post, "/v1/templates", bearer: key, json: #"{"name":"Invoice","manifest":\#(invoiceManifest)}"#)
            let deleted = try await client.call(.delete, "/v1/templates/invoice", bearer: key)
            #expect(deleted.status == 200)
            #expect(deleted.string("id") == created.string("id"))
            #expect(deleted.string("slug") == "invoice")
            #expect(deleted.string("deletedAt") != nil)
            for result in [
                try await client.call(.delete, "/v1/templates/invoice", bearer: key),
                try await client.call(.get, "/v1/templates/invoice", bearer: key),
                try await client.call(.post, "/v1/templates/invoice/render", bearer: key, json: #"{"data":{}}"#),
            ] {
                #expect(result.status == 404)
                #expect(result.errorCode == "template_not_found")
            }
            let again = try await client.call(.post, "/v1/templates", bearer: key, json: #"{"name":"Invoice","manifest":\#(invoiceManifest)}"#)
            #expect(again.string("slug") == "invoice")
            #expect(again.string("id") != created.string("id"))
        }
    }

    @Test("another project's template is 404")
    func scoped() async throws {
        try await TestApp.run(.sqlite) { client, _ in
            let a = try await provisionKey(client, org: "a")
            let b = try await provisionKey(client, org: "b")
            _ = try await client.call(.post, "/v1/templates", bearer: a, json: #"{"name":"Invoice","manifest":\#(invoiceManifest)}"#)
            #expect(try await client.call(.get, "/v1/templates/invoice", bearer: b).errorCode == "template_not_found")
            #expect(try await client.call(.delete, "/v1/templates/invoice", bearer: b).status == 404)
        }
    }

    @Test(
        "bad template bodies are refused with the documented code",
        arguments: [
            (#"{"manifest":{"variables":[],"loops":[]}}"#, 400, "invalid_request", "name"),
            (#"{"name":"x","slug":"Bad Slug","manifest":{"variables":[],"loops":[]}}"#, 400, "invalid_request", "slug"),
            (#"{"name":"x"}"#, 400, "invalid_request", "manifest"),
            (
                #"{"name":"x","manifest":{"variables":[{"key":"a","dataType":"colour"}],"loops":[]}}"#, 400, "invalid_request",
                "manifest.variables[0].dataType"
            ),
            (
                #"{"name":"x","manifest":{"variables":[],"loops":[{"key":"a.b","label":"A","itemFields":[{"key":"x","label":"X","dataType":"text"}]}]}}"#,
                400, "invalid_loop_key", "manifest.loops[0].key"
            ),
            (
                #"{"name":"x","manifest":{"variables":[],"loops":[{"key":"rows","label":"R","itemFields":[]}]}}"#, 400, "invalid_request",
                "manifest.loops[0].itemFields"
            ),
            (#"{"name":"x","pageConfig":{"format":"B7"},"manifest":{"variables":[],"loops":[]}}"#, 400, "invalid_request", "pageConfig.format"),
        ]
    )
    func badBodies(body: String, status: Int, code: String, field: String) async throws {
        try await TestApp.run(.sqlite) { client, _ in
            let key = try await provisionKey(client)
            let result = try await client.call(.post, "/v1/templates", bearer: key, json: body)
            #expect(result.status == status)
            #expect(result.errorCode == code)
            #expect(result.json["error"]?["issues"]?["fieldErrors"]?[field] != nil, "\(result.body)")
        }
    }

    @Test("a layout whose bindings can never resolve is 422 template_invalid")
    func lintErrors() async throws {
        try await TestApp.run(.sqlite) { client, _ in
            let key = try await provisionKey(client)
            let layout = #"{"blocks":[{"type":"table","loop":"items","columns":[{"header":"X","cell":"{{items.name}}"}]}]}"#
            let manifest =
                #"{"variables":[],"loops":[{"key":"items","label":"Items","itemFields":[{"key":"name","label":"Name","dataType":"text"}]}]}"#
            let result = try await client.call(
                .post, "/v1/templates", bearer: key, json: #"{"name":"x","manifest":\#(manifest),"layout":\#(layout)}"#)
            #expect(result.status == 422, "\(result.body)")
            #expect(result.errorCode == "template_invalid")
        }
    }
}
