import Core
import Foundation
import HTTPTypes
import HummingbirdTesting
import PartnerAPI
import TestSupport
import Testing

@Suite("Inbound render triggers")
struct InboundTriggerTests {
    let flat = #"{"customer":{"name":"Ada Lovelace"},"invoice":{"total":4200}}"#
    let signature = HTTPField.Name("x-craftkit-signature")!

    func prepare(_ client: any TestClientProtocol, enforce: Bool = false) async throws -> (key: String, token: String, secret: String) {
        let key = try await provisionKey(client)
        _ = try await client.call(.post, "/v1/templates", bearer: key, json: #"{"name":"Invoice","manifest":\#(invoiceManifest)}"#)
        let trigger = try await client.call(.post, "/v1/templates/invoice/inbound", bearer: key, json: #"{"enforceSignature":\#(enforce)}"#)
        #expect(trigger.status == 201, "\(trigger.body)")
        return (key, try #require(trigger.string("token")), try #require(trigger.string("secret")))
    }

    @Test("a POST with the flat data queues a render the project can poll", arguments: DatabaseLeg.all)
    func triggers(leg: DatabaseLeg) async throws {
        try await TestApp.run(leg) { client, services in
            let (key, token, _) = try await prepare(client)
            let result = try await client.call(.post, "/v1/hooks/\(token)", json: flat)
            #expect(result.status == 202, "\(result.body)")
            #expect(result.string("status") == "queued")
            let id = try #require(result.string("id"))
            while try await services.renderWorker.runOnce(owner: "w") {}
            #expect(try await client.call(.get, "/v1/renders/\(id)", bearer: key).string("status") == "succeeded")
        }
    }

    @Test("a signature must match the raw body; an enforcing trigger requires one")
    func signatures() async throws {
        try await TestApp.run(.sqlite) { client, _ in
            let (_, token, secret) = try await prepare(client, enforce: true)
            let good = HMACHex.sign(secret: secret, body: Data(flat.utf8))
            #expect(try await client.call(.post, "/v1/hooks/\(token)", json: flat, headers: [signature: good]).status == 202)
            for headers: HTTPFields in [[:], [signature: String(repeating: "0", count: 64)], [signature: "nothex"]] {
                let refused = try await client.call(.post, "/v1/hooks/\(token)", json: flat, headers: headers)
                #expect(refused.status == 401)
                #expect(refused.errorCode == "invalid_signature")
            }
        }
    }

    @Test(
        "bad inbound requests get the reference's codes",
        arguments: [("{", 400, "invalid_json"), (#"{"customer":{}}"#, 400, "invalid_input_data"), ("[1]", 400, "invalid_input_data")]
    )
    func badBodies(body: String, status: Int, code: String) async throws {
        try await TestApp.run(.sqlite) { client, _ in
            let (_, token, _) = try await prepare(client)
            let result = try await client.call(.post, "/v1/hooks/\(token)", json: body)
            #expect(result.status == status, "\(result.body)")
            #expect(result.errorCode == code)
        }
    }

    @Test("an unknown or replaced token is 404 invalid_token")
    func tokens() async throws {
        try await TestApp.run(.sqlite) { client, _ in
            let (key, token, _) = try await prepare(client)
            #expect(try await client.call(.post, "/v1/hooks/ckh_nope", json: flat).errorCode == "invalid_token")
            _ = try await client.call(.post, "/v1/templates/invoice/inbound", bearer: key)
            #expect(try await client.call(.post, "/v1/hooks/\(token)", json: flat).errorCode == "invalid_token")
            let read = try await client.call(.get, "/v1/templates/invoice/inbound", bearer: key)
            #expect(read.json["token"] == nil && read.json["secret"] == nil)
            #expect(try await client.call(.delete, "/v1/templates/invoice/inbound", bearer: key).status == 200)
            #expect(try await client.call(.get, "/v1/templates/invoice/inbound", bearer: key).status == 404)
        }
    }

    @Test("a template without a published version is 409 no_published_version")
    func unpublished() async throws {
        try await TestApp.run(.sqlite) { client, services in
            let (_, token, _) = try await prepare(client)
            try await services.database.sql.raw("UPDATE templates SET current_version_number = NULL").run()
            #expect(try await client.call(.post, "/v1/hooks/\(token)", json: flat).errorCode == "no_published_version")
        }
    }
}
