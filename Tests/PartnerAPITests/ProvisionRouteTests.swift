import Core
import Foundation
import HTTPTypes
import HummingbirdTesting
import PartnerAPI
import TestSupport
import Testing

@Suite("POST/PATCH /v1/admin/provision")
struct ProvisionRouteTests {
    let admin = TestApp.adminKey

    @Test("provisioning twice returns the same key, both 200 (created true, then false), and the key authenticates", arguments: DatabaseLeg.all)
    func provisionTwice(leg: DatabaseLeg) async throws {
        try await TestApp.run(leg) { client, _ in
            let first = try await client.call(
                .post, "/v1/admin/provision", bearer: admin, json: #"{"externalOrgId":"acme","allowedOrigins":["https://app.acme.com"]}"#)
            #expect(first.status == 200)
            let key = try #require(first.string("apiKey"))
            #expect(key.hasPrefix("ck_live_"))
            #expect(first.json["created"] == .bool(true))
            #expect(first.json["emailFrom"] == .null)
            #expect(first.json["embed"]?["allowedOrigins"] == .array([.string("https://app.acme.com")]))
            let second = try await client.call(.post, "/v1/admin/provision", bearer: admin, json: #"{"externalOrgId":"acme"}"#)
            #expect(second.status == 200)
            #expect(second.string("apiKey") == key)
            #expect(second.json["created"] == .bool(false))
            #expect(second.string("projectId") == first.string("projectId"))
            #expect(try await client.call(.get, "/v1/keys", bearer: key).status == 200)
        }
    }

    @Test("fifty parallel provisions of one org create one org", arguments: DatabaseLeg.all)
    func parallel(leg: DatabaseLeg) async throws {
        try await TestApp.run(leg) { client, services in
            let results = try await withThrowingTaskGroup(of: TestResult.self) { group in
                for _ in 0..<50 {
                    group.addTask { try await client.call(.post, "/v1/admin/provision", bearer: admin, json: #"{"externalOrgId":"race"}"#) }
                }
                return try await group.reduce(into: []) { $0.append($1) }
            }
            #expect(results.allSatisfy { $0.status == 200 })
            #expect(results.filter { $0.json["created"] == .bool(true) }.count == 1)
            #expect(Set(results.compactMap { $0.string("apiKey") }).count == 1)
            let orgs = try await services.database.sql.raw("SELECT COUNT(*) AS n FROM orgs").first()
            #expect(try orgs?.decode(column: "n", as: Int64.self) == 1)
        }
    }

    @Test(
        "externalOrgId empty, 161 characters, a number or null is 400 invalid_request on that field",
        arguments: [#""""#, "\"\(String(repeating: "x", count: 161))\"", "42", "null"]
    )
    func badExternalOrgID(value: String) async throws {
        try await TestApp.run(.sqlite) { client, _ in
            let result = try await client.call(.post, "/v1/admin/provision", bearer: admin, json: #"{"externalOrgId":\#(value)}"#)
            #expect(result.status == 400)
            #expect(result.errorCode == "invalid_request")
            #expect(result.json["error"]?["issues"]?["fieldErrors"]?["externalOrgId"] != nil)
        }
    }

    @Test("wrong types are reported per field by dot path")
    func wrongTypes() async throws {
        try await TestApp.run(.sqlite) { client, _ in
            let result = try await client.call(
                .post, "/v1/admin/provision", bearer: admin, json: #"{"externalOrgId":"a","name":7,"allowedOrigins":["https://ok.example",false]}"#
            )
            #expect(result.status == 400)
            let fields = result.json["error"]?["issues"]?["fieldErrors"]
            #expect(fields?["name"] == .array([.string("Expected string, received number")]))
            #expect(fields?["allowedOrigins[1]"] == .array([.string("Expected string, received boolean")]))
            #expect(result.json["error"]?["issues"]?["formErrors"] == .array([]))
        }
    }

    @Test("unknown fields are ignored and SQL-looking strings come back verbatim")
    func verbatim() async throws {
        try await TestApp.run(.sqlite) { client, _ in
            let body = #"{"externalOrgId":"x'; DROP TABLE orgs; --","name":"O\"Brien","unknown":{"deep":[1,2]}}"#
            let result = try await client.call(.post, "/v1/admin/provision", bearer: admin, json: body)
            #expect(result.status == 200)
            #expect(result.string("externalOrgId") == "x'; DROP TABLE orgs; --")
            #expect(result.string("name") == "O\"Brien")
            #expect(try await client.call(.post, "/v1/admin/provision", bearer: admin, json: body).status == 200)
        }
    }

    @Test("a body that is not JSON is 400 invalid_json", arguments: ["{", "externalOrgId=acme", ""])
    func notJSON(body: String) async throws {
        try await TestApp.run(.sqlite) { client, _ in
            let result = try await client.call(.post, "/v1/admin/provision", bearer: admin, json: body)
            #expect(result.status == 400)
            #expect(result.errorCode == "invalid_json")
        }
    }

    @Test("a body over the limit is 413 payload_too_large")
    func tooLarge() async throws {
        try await TestApp.run(.sqlite, environment: ["CRAFTKIT_MAX_BODY_BYTES": "1k"]) { client, _ in
            let padding = String(repeating: "x", count: 2000)
            let result = try await client.call(.post, "/v1/admin/provision", bearer: admin, json: #"{"externalOrgId":"a","pad":"\#(padding)"}"#)
            #expect(result.status == 413)
            #expect(result.errorCode == "payload_too_large")
        }
    }

    @Test("PATCH updates the sender and origins; an unknown org is 404 org_not_found", arguments: DatabaseLeg.all)
    func patch(leg: DatabaseLeg) async throws {
        try await TestApp.run(leg) { client, _ in
            _ = try await client.call(.post, "/v1/admin/provision", bearer: admin, json: #"{"externalOrgId":"acme"}"#)
            let updated = try await client.call(
                .patch, "/v1/admin/provision", bearer: admin,
                json: #"{"externalOrgId":"acme","emailFrom":"Acme <docs@acme.com>","allowedOrigins":["https://x.example"]}"#
            )
            #expect(updated.status == 200)
            #expect(updated.string("emailFrom") == "Acme <docs@acme.com>")
            #expect(updated.json["apiKey"] == nil)
            #expect(updated.json["embed"]?["allowedOrigins"] == .array([.string("https://x.example")]))
            let missing = try await client.call(
                .patch, "/v1/admin/provision", bearer: admin, json: #"{"externalOrgId":"ghost","emailFrom":"a@b.co"}"#)
            #expect(missing.status == 404)
            #expect(missing.errorCode == "org_not_found")
        }
    }
}
