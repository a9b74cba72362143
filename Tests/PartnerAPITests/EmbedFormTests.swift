import Core
import Foundation
import HTTPTypes
import HummingbirdTesting
import NIOCore
import PartnerAPI
import TestSupport
import Testing

@Suite("Embed form fill")
struct EmbedFormTests {
    let manifest = """
        {"variables":[{"key":"customer.name","label":"Customer","dataType":"text","required":true},
                      {"key":"note","label":"Note","dataType":"text"},
                      {"key":"logo","label":"Logo","dataType":"image"}],"loops":[]}
        """
    static let png = Data(base64Encoded: "iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mP8z8BQDwAEhQGAhKmMIQAAAABJRU5ErkJggg==")!

    struct Fill {
        let key: String
        let token: String
        let sessionID: String
    }

    func setUp(_ client: any TestClientProtocol, mode: String = "fill", permissions: String = "{}", limits: String = "{}") async throws -> Fill {
        let key = try await provisionKey(client)
        _ = try await client.call(.post, "/v1/templates", bearer: key, json: #"{"name":"Order","manifest":\#(manifest)}"#)
        let mint = """
            {"tenant":{"externalId":"t1","displayName":"Tenant"},"actor":{"externalId":"u1"},"scope":{"mode":"\(mode)","templateExternalId":"order"},
             "permissions":\(permissions),"limits":\(limits),"form":{"prefill":{"customer":{"name":"Prefilled"},"note":"from prefill"}}}
            """
        let minted = try await client.call(.post, "/v1/embed/sessions", bearer: key, json: mint)
        #expect(minted.status == 200, "\(minted.body)")
        return Fill(key: key, token: try #require(minted.string("session_token")), sessionID: try #require(minted.string("session_id")))
    }

    func upload(
        _ client: any TestClientProtocol, _ fill: Fill, bytes: Data, type: String = "image/png", field: String = "file"
    ) async throws -> TestResult {
        var body = Data("--XyZ\r\nContent-Disposition: form-data; name=\"\(field)\"; filename=\"logo.png\"\r\nContent-Type: \(type)\r\n\r\n".utf8)
        body.append(bytes)
        body.append(Data("\r\n--XyZ--\r\n".utf8))
        return try await client.execute(
            uri: "/v1/embed/form-submit/\(fill.sessionID)/upload-image", method: .post,
            headers: [.authorization: "Bearer \(fill.token)", .contentType: "multipart/form-data; boundary=XyZ"], body: ByteBuffer(data: body)
        ) { TestResult(status: Int($0.status.code), headers: $0.headers, body: String(buffer: $0.body)) }
    }

    @Test("prefill, upload, submit, poll with the token: the PDF holds the user's values over the prefill, and the image", arguments: DatabaseLeg.all)
    func formFlow(leg: DatabaseLeg) async throws {
        try await TestApp.run(leg) { client, services in
            let fill = try await setUp(client)
            let uploaded = try await upload(client, fill, bytes: Self.png)
            #expect(uploaded.status == 200, "\(uploaded.body)")
            let url = try #require(uploaded.string("url"))
            let submitted = try await client.call(
                .post, "/v1/embed/form-submit/\(fill.sessionID)", bearer: fill.token,
                json: #"{"data":{"customer.name":"Ada Lovelace","logo":"\#(url)","__proto__":{"x":1}},"datasetSelection":{"crm":"42"}}"#
            )
            #expect(submitted.status == 202, "\(submitted.body)")
            let id = try #require(submitted.string("id"))
            #expect(submitted.string("pollUrl")?.hasSuffix("/v1/embed/renders/\(id)") == true)
            while try await services.renderWorker.runOnce(owner: "w") {}
            let polled = try await client.call(.get, "/v1/embed/renders/\(id)", bearer: fill.token)
            #expect(polled.string("status") == "succeeded", "\(polled.body)")
            let download = try await client.execute(uri: "/v1/renders/\(id)/download", method: .get, headers: [.authorization: "Bearer \(fill.key)"])
            {
                Data($0.body.readableBytesView)
            }
            let text = try PDFText.extract(download)
            #expect(text.contains("Ada Lovelace"))
            #expect(text.contains("from prefill"))
            #expect(!text.contains("Prefilled"))
            #expect(download.range(of: Data("/Image".utf8)) != nil, "the uploaded image is in the PDF")
            // The partner sees the form render in its embed list, filtered by tenant.
            let listed = try await client.call(.get, "/v1/embed/renders?tenant=t1&status=succeeded", bearer: fill.key)
            #expect(listed.json["data"]?.arrayFirst?["id"] == .string(id), "\(listed.body)")
            #expect(try await client.call(.get, "/v1/embed/renders?tenant=nobody", bearer: fill.key).json["data"] == .array([]))
        }
    }

    @Test("sessions are checked: mode, permission, session id, origin and token")
    func guards() async throws {
        try await TestApp.run(.sqlite) { client, _ in
            let edit = try await setUp(client, mode: "edit")
            let body = #"{"data":{"customer":{"name":"A"}}}"#
            #expect(try await client.call(.post, "/v1/embed/form-submit/\(edit.sessionID)", bearer: edit.token, json: body).errorCode == "wrong_mode")
            let noSubmit = try await setUp(client, permissions: #"{"submitForm":false}"#)
            #expect(
                try await client.call(.post, "/v1/embed/form-submit/\(noSubmit.sessionID)", bearer: noSubmit.token, json: body).errorCode
                    == "permission_denied")
            let fill = try await setUp(client)
            #expect(
                try await client.call(.post, "/v1/embed/form-submit/\(Identifier.make())", bearer: fill.token, json: body).errorCode
                    == "session_not_found")
            let foreign = try await client.call(
                .post, "/v1/embed/form-submit/\(fill.sessionID)", bearer: fill.token, json: body,
                headers: [HTTPField.Name("Origin")!: "https://evil.example"])
            #expect(foreign.status == 400)
            #expect(foreign.errorCode == "bad_request")
            #expect(
                try await client.call(.post, "/v1/embed/form-submit/\(fill.sessionID)", bearer: "garbage", json: body).errorCode == "unauthorized")
            #expect(try await client.call(.post, "/v1/embed/form-submit/\(fill.sessionID)", bearer: fill.key, json: body).errorCode == "unauthorized")
            let extra = try await client.call(.post, "/v1/embed/form-submit/\(fill.sessionID)", bearer: fill.token, json: #"{"data":{},"x":1}"#)
            #expect(extra.errorCode == "invalid_request")
            let invalid = try await client.call(
                .post, "/v1/embed/form-submit/\(fill.sessionID)", bearer: fill.token, json: #"{"data":{"logo":"data:x"}}"#)
            #expect(invalid.errorCode == "invalid_input_data")
        }
    }

    @Test("a fill session saves and reloads a form draft when saveFormDraft is granted", arguments: DatabaseLeg.all)
    func formDraft(leg: DatabaseLeg) async throws {
        try await TestApp.run(leg) { client, _ in
            let fill = try await setUp(client)
            let path = "/v1/embed/form-submit/\(fill.sessionID)/draft"
            #expect(try await client.call(.get, path, bearer: fill.token).json["data"] == .null)
            #expect(try await client.call(.put, path, bearer: fill.token, json: #"{"data":{"customer":{"name":"Half"}}}"#).status == 200)
            #expect(try await client.call(.get, path, bearer: fill.token).json["data"]?["customer"]?["name"] == .string("Half"))
            let denied = try await setUp(client, permissions: #"{"saveFormDraft":false}"#)
            let refused = try await client.call(.put, "/v1/embed/form-submit/\(denied.sessionID)/draft", bearer: denied.token, json: #"{"data":{}}"#)
            #expect(refused.errorCode == "permission_denied")
        }
    }

    @Test("uploads are checked by their bytes, their field and the session's byte limit")
    func uploads() async throws {
        try await TestApp.run(.sqlite) { client, _ in
            let fill = try await setUp(client, limits: #"{"maxUploadsBytes":100}"#)
            #expect(
                try await upload(client, fill, bytes: Data("<svg xmlns='http://www.w3.org/2000/svg'/>".utf8), type: "image/svg+xml").errorCode
                    == "invalid_type")
            #expect(
                try await upload(client, fill, bytes: Data([0xFF, 0xD8, 0xFF, 0xE0]) + Data(count: 20), type: "image/png").errorCode == "invalid_type"
            )
            #expect(try await upload(client, fill, bytes: Self.png, field: "picture").errorCode == "missing_file")
            #expect(try await upload(client, fill, bytes: Self.png).status == 200)
            let over = try await upload(client, fill, bytes: Self.png)
            #expect(over.status == 413)
            #expect(over.errorCode == "file_too_large")
            let notMultipart = try await client.call(.post, "/v1/embed/form-submit/\(fill.sessionID)/upload-image", bearer: fill.token, json: "{}")
            #expect(notMultipart.errorCode == "invalid_multipart")
        }
    }
}
