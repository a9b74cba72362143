import Core
import Foundation
import HummingbirdTesting
import PartnerAPI
import TestSupport
import Testing

@Suite("Compatibility with the Craftkit API")
struct CompatibilityTests {
    func fill(_ client: any TestClientProtocol, key: String, externalID: String) async throws -> (token: String, sessionID: String) {
        let minted = try await client.call(
            .post, "/v1/embed/sessions", bearer: key,
            json:
                #"{"tenant":{"externalId":"t","displayName":"T"},"actor":{"externalId":"a"},"scope":{"mode":"fill","templateExternalId":"\#(externalID)"}}"#
        )
        return (try #require(minted.string("session_token"), "\(minted.body)"), try #require(minted.string("session_id")))
    }

    @Test("a fill session whose templateExternalId is the template's id submits; one naming no template is 404 template_not_resolved")
    func templateExternalIDIsAnID() async throws {
        try await TestApp.run(.sqlite) { client, _ in
            let key = try await provisionKey(client)
            let created = try await client.call(.post, "/v1/templates", bearer: key, json: #"{"name":"Invoice","manifest":\#(invoiceManifest)}"#)
            let id = try #require(created.string("id"))
            let body = #"{"data":{"customer.name":"Ada","invoice.total":"1"}}"#
            let byID = try await fill(client, key: key, externalID: id)
            let submitted = try await client.call(.post, "/v1/embed/form-submit/\(byID.sessionID)", bearer: byID.token, json: body)
            #expect(submitted.status == 202, "\(submitted.body)")
            let bySlug = try await fill(client, key: key, externalID: "invoice")
            #expect(try await client.call(.post, "/v1/embed/form-submit/\(bySlug.sessionID)", bearer: bySlug.token, json: body).status == 202)
            for missing in [Identifier.make(), "no-such-template"] {
                let lost = try await fill(client, key: key, externalID: missing)
                let refused = try await client.call(.post, "/v1/embed/form-submit/\(lost.sessionID)", bearer: lost.token, json: body)
                #expect(refused.status == 404)
                #expect(refused.errorCode == "template_not_resolved")
            }
        }
    }
}

@Suite("Compatibility: embed download")
struct EmbedDownloadCompatibilityTests {
    @Test("the partner's embed download of a render without a PDF yet is 404, the project route's 409 not_ready")
    func unfinishedDownload() async throws {
        try await TestApp.run(.sqlite) { client, _ in
            let key = try await provisionKey(client)
            _ = try await client.call(.post, "/v1/templates", bearer: key, json: #"{"name":"Invoice","manifest":\#(invoiceManifest)}"#)
            let render = try await client.call(
                .post, "/v1/templates/invoice/render", bearer: key, json: #"{"data":{"customer":{"name":"A"},"invoice":{"total":1}}}"#)
            let id = try #require(render.string("id"))
            let embed = try await client.call(.get, "/v1/embed/renders/\(id)/download", bearer: key)
            #expect(embed.status == 404)
            #expect(embed.errorCode == "not_found")
            #expect(try await client.call(.get, "/v1/renders/\(id)/download", bearer: key).errorCode == "not_ready")
        }
    }
}

@Suite("Compatibility: test keys")
struct TestKeyWatermarkTests {
    @Test("a render requested with a ck_test_ key carries TEST on every page; a ck_live_ render does not", arguments: DatabaseLeg.all)
    func watermark(leg: DatabaseLeg) async throws {
        try await TestApp.run(leg) { client, services in
            let live = try await provisionKey(client)
            let test = try #require(
                try await client.call(.post, "/v1/keys", bearer: live, json: #"{"name":"CI","environment":"test"}"#).string("key"))
            #expect(test.hasPrefix("ck_test_"))
            _ = try await client.call(.post, "/v1/templates", bearer: live, json: #"{"name":"Invoice","manifest":\#(invoiceManifest)}"#)
            var texts: [String: String] = [:]
            for (name, key) in [("live", live), ("test", test)] {
                let render = try await client.call(
                    .post, "/v1/templates/invoice/render", bearer: key, json: #"{"data":{"customer":{"name":"Ada"},"invoice":{"total":1}}}"#)
                let id = try #require(render.string("id"), "\(render.body)")
                while try await services.renderWorker.runOnce(owner: "w") {}
                let pdf = try await client.execute(uri: "/v1/renders/\(id)/download", method: .get, headers: [.authorization: "Bearer \(live)"]) {
                    Data($0.body.readableBytesView)
                }
                texts[name] = try PDFText.extract(pdf).filter { !$0.isWhitespace }
            }
            #expect(texts["test"]?.contains("TEST") == true, "\(texts["test"] ?? "")")
            #expect(texts["test"]?.contains("Ada") == true)
            #expect(texts["live"]?.contains("TEST") == false, "\(texts["live"] ?? "")")
            #expect(texts["live"]?.contains("Ada") == true)
        }
    }
}
