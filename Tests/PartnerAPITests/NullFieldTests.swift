import Core
import Foundation
import HTTPTypes
import HummingbirdTesting
import PartnerAPI
import TestSupport
import Testing

/// An optional field is left out, never sent as null: Craftkit's schemas refuse null, and so does
/// this server, except for the settings a null clears (docs/api.md#errors).
@Suite("null request fields")
struct NullFieldTests {
    /// The field errors of a refusal, by path.
    func fieldErrors(_ result: TestResult) -> [String: JSONValue] {
        guard case .object(let errors)? = result.json["error"]?["issues"]?["fieldErrors"] else { return [:] }
        return errors
    }

    @Test("null in an optional field is refused with the field named, on every kind of body", arguments: DatabaseLeg.all)
    func refused(leg: DatabaseLeg) async throws {
        try await TestApp.run(leg) { client, _ in
            let key = try await provisionKey(client)
            let manifest = #"{"variables":[],"loops":[]}"#
            let cases: [(HTTPRequest.Method, String, String, Int, String)] = [
                (.post, "/v1/templates", #"{"name":"Invoice","slug":null,"manifest":\#(manifest)}"#, 400, "slug"),
                (
                    .put, "/v1/templates/invoice", #"{"name":"Invoice","manifest":\#(manifest),"pageConfig":{"printBackground":null}}"#, 400,
                    "pageConfig.printBackground"
                ),
                (.post, "/v1/embed/catalogs", #"{"name":"crm","catalog":{"namespaces":[],"loops":null}}"#, 422, "catalog.loops"),
                (
                    .post, "/v1/embed/sessions",
                    #"{"tenant":{"externalId":"t","displayName":"T"},"actor":{"externalId":"a"},"scope":{"mode":"edit","templateId":null}}"#,
                    422, "scope.templateId"
                ),
                (.post, "/v1/embed/builder/templates", #"{"documentTemplate":{"name":"X","layout":null}}"#, 400, "documentTemplate.layout"),
            ]
            for (method, path, body, status, field) in cases {
                let result = try await client.call(method, path, bearer: key, json: body)
                #expect(result.status == status, "\(path): \(result.body)")
                #expect(result.errorCode == "invalid_request", "\(path): \(result.body)")
                #expect(fieldErrors(result)[field] != nil, "\(path): \(result.body)")
            }
            // Nothing was created by the refused requests.
            #expect(try await client.call(.get, "/v1/templates/invoice", bearer: key).status == 404)
        }
    }

    @Test("null clears the org's sender and appearance, the settings it is documented to clear")
    func clears() async throws {
        try await TestApp.run(.sqlite) { client, _ in
            let admin = TestApp.adminKey
            let set = #"{"externalOrgId":"acme","emailFrom":"Acme <docs@acme.example>","appearance":{"displayName":"Acme"}}"#
            #expect(try await client.call(.post, "/v1/admin/provision", bearer: admin, json: set).status == 200)
            let cleared = try await client.call(
                .patch, "/v1/admin/provision", bearer: admin, json: #"{"externalOrgId":"acme","emailFrom":null,"appearance":null}"#)
            #expect(cleared.status == 200, "\(cleared.body)")
            #expect(cleared.json["emailFrom"] == .null)
            #expect(cleared.json["appearance"] == .null)
            // allowedOrigins is not cleared by null: it is refused.
            let origins = try await client.call(
                .patch, "/v1/admin/provision", bearer: admin, json: #"{"externalOrgId":"acme","allowedOrigins":null}"#)
            #expect(origins.status == 400)
            #expect(fieldErrors(origins)["allowedOrigins"] != nil)
        }
    }
}
