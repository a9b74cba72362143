import Core
import Foundation
import HummingbirdTesting
import PartnerAPI
import TestSupport
import Testing

@Suite("Builder session routes")
struct BuilderSessionTests {
    let layout = #"{"blocks":[{"type":"heading","text":"Dear {{customer.name}}"},{"type":"paragraph","text":"Total {{invoice.total | money:EUR}}"}]}"#

    func setUp(
        _ client: any TestClientProtocol, mode: String = "edit", permissions: String = "{}"
    ) async throws -> (key: String, token: String, id: String) {
        let key = try await provisionKey(client)
        let created = try await client.call(.post, "/v1/templates", bearer: key, json: #"{"name":"Invoice","manifest":\#(invoiceManifest)}"#)
        let id = try #require(created.string("id"))
        let mint =
            #"{"tenant":{"externalId":"t","displayName":"T"},"actor":{"externalId":"a"},"scope":{"mode":"\#(mode)","templateExternalId":"invoice"},"permissions":\#(permissions)}"#
        let token = try #require(try await client.call(.post, "/v1/embed/sessions", bearer: key, json: mint).string("session_token"))
        return (key, token, id)
    }

    @Test("an edit session loads, saves a draft, publishes, lists versions and rolls back", arguments: DatabaseLeg.all)
    func editFlow(leg: DatabaseLeg) async throws {
        try await TestApp.run(leg) { client, _ in
            let (_, token, id) = try await setUp(client, permissions: #"{"rollback":true}"#)
            let base = "/v1/embed/builder/templates/\(id)"
            let loaded = try await client.call(.get, base, bearer: token)
            #expect(loaded.status == 200, "\(loaded.body)")
            #expect(loaded.json["published"]?["version"] == .number(1))
            #expect(loaded.json["draft"] == .null)
            #expect(
                try await client.call(.put, base + "/draft", bearer: token, json: #"{"documentTemplate":{"name":"Invoice","layout":\#(layout)}}"#)
                    .status == 200)
            #expect(try await client.call(.get, base, bearer: token).json["draft"]?["layout"] != nil)
            let published = try await client.call(.post, base + "/publish", bearer: token)
            #expect(published.status == 200, "\(published.body)")
            #expect(published.json["version"] == .number(2))
            let versions = try await client.call(.get, base + "/versions", bearer: token)
            #expect(versions.json["data"]?.arrayFirst?["version"] == .number(2))
            let rolled = try await client.call(.post, base + "/rollback", bearer: token, json: #"{"versionNumber":1}"#)
            #expect(rolled.json["version"] == .number(3))
            #expect(try await client.call(.post, base + "/rollback", bearer: token, json: #"{"versionNumber":9}"#).errorCode == "version_not_found")
            // A null version is a clear 400, never a crash (schemathesis found it).
            let null = try await client.call(.post, base + "/rollback", bearer: token, json: #"{"versionNumber":null}"#)
            #expect(null.status == 400)
            #expect(null.errorCode == "invalid_request")
        }
    }

    @Test("permissions and modes gate every write")
    func gating() async throws {
        try await TestApp.run(.sqlite) { client, _ in
            let (key, token, id) = try await setUp(client)
            let base = "/v1/embed/builder/templates/\(id)"
            #expect(try await client.call(.patch, base, bearer: token, json: #"{"name":"New"}"#).errorCode == "permission_denied")
            #expect(try await client.call(.delete, base, bearer: token).errorCode == "permission_denied")
            #expect(try await client.call(.post, base + "/rollback", bearer: token, json: #"{"versionNumber":1}"#).errorCode == "permission_denied")
            let viewMint =
                #"{"tenant":{"externalId":"t","displayName":"T"},"actor":{"externalId":"a"},"scope":{"mode":"view","templateExternalId":"invoice"}}"#
            let view = try #require(try await client.call(.post, "/v1/embed/sessions", bearer: key, json: viewMint).string("session_token"))
            #expect(try await client.call(.put, base + "/draft", bearer: view, json: #"{"documentTemplate":{}}"#).errorCode == "wrong_mode")
            #expect(try await client.call(.get, base, bearer: view).status == 200)
            let other = try await client.call(.post, "/v1/templates", bearer: key, json: #"{"name":"Other","manifest":\#(invoiceManifest)}"#)
            #expect(
                try await client.call(.get, "/v1/embed/builder/templates/\(try #require(other.string("id")))", bearer: token).errorCode
                    == "template_not_found")
        }
    }

    @Test("rename and delete work when granted")
    func renameAndDelete() async throws {
        try await TestApp.run(.sqlite) { client, _ in
            let (key, token, id) = try await setUp(client, permissions: #"{"rename":true,"delete":true}"#)
            let base = "/v1/embed/builder/templates/\(id)"
            #expect(try await client.call(.patch, base, bearer: token, json: #"{"name":"Renamed"}"#).status == 200)
            #expect(try await client.call(.get, "/v1/templates/invoice", bearer: key).string("name") == "Renamed")
            #expect(try await client.call(.delete, base, bearer: token).status == 200)
            #expect(try await client.call(.get, base, bearer: token).errorCode == "template_not_found")
        }
    }

    @Test("preview renders the draft with sample data as a PNG page or a PDF, storing nothing")
    func preview() async throws {
        try await TestApp.run(.sqlite) { client, services in
            let (_, token, id) = try await setUp(client)
            let base = "/v1/embed/builder/templates/\(id)"
            _ = try await client.call(.put, base + "/draft", bearer: token, json: #"{"documentTemplate":{"layout":\#(layout)}}"#)
            let png = try await client.execute(uri: base + "/preview", method: .post, headers: [.authorization: "Bearer \(token)"]) { $0 }
            #expect(png.status == .ok)
            #expect(png.headers[.contentType] == "image/png")
            #expect(Data(png.body.readableBytesView).starts(with: [0x89, 0x50, 0x4E, 0x47]))
            let pdf = try await client.execute(
                uri: base + "/preview", method: .post, headers: [.authorization: "Bearer \(token)", .contentType: "application/json"],
                body: .init(string: #"{"format":"pdf","data":{"customer":{"name":"Grace"},"invoice":{"total":7}}}"#)
            ) { Data($0.body.readableBytesView) }
            #expect(try PDFText.extract(pdf).contains("Dear Grace"))
            let renders = try await services.database.sql.raw("SELECT COUNT(*) AS n FROM renders").first()
            #expect(try renders?.decode(column: "n", as: Int64.self) == 0)
        }
    }

    @Test("a create session works on the template it created, and only that one")
    func createMode() async throws {
        try await TestApp.run(.sqlite) { client, _ in
            let key = try await provisionKey(client)
            let mint = #"{"tenant":{"externalId":"t","displayName":"T"},"actor":{"externalId":"a"},"scope":{"mode":"create"}}"#
            let token = try #require(try await client.call(.post, "/v1/embed/sessions", bearer: key, json: mint).string("session_token"))
            let other = try #require(try await client.call(.post, "/v1/embed/sessions", bearer: key, json: mint).string("session_token"))
            let created = try await client.call(
                .post, "/v1/embed/builder/templates", bearer: token, json: #"{"documentTemplate":{"name":"Mine","layout":\#(layout)}}"#)
            guard case .string(let id)? = created.json["documentTemplate"]?["_id"] else {
                Issue.record("no id: \(created.body)")
                return
            }
            #expect(try await client.call(.get, "/v1/embed/builder/templates/\(id)", bearer: token).status == 200)
            #expect(try await client.call(.get, "/v1/embed/builder/templates/\(id)", bearer: other).errorCode == "template_not_found")
        }
    }
}
