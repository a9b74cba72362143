import Core
import Foundation
import HTTPTypes
import HummingbirdTesting
import NIOCore
import PartnerAPI
import TestSupport
import Testing

@Suite("Embed pages and their session routes")
struct EmbedPageTests {
    let catalog =
        #"{"allowCustom":true,"namespaces":[{"key":"customer","label":"Customer","fields":[{"key":"customer.name","label":"Name","dataType":"text","previewData":"Grace Hopper"}]}],"loops":[{"key":"items","label":"Items","itemFields":[{"key":"description","label":"Description","dataType":"text"}],"previewData":[{"description":"Catalog row"}]}]}"#

    /// A partner allowing `https://app.acme.test`, the invoice template, and a minted session token.
    func session(
        _ client: any TestClientProtocol, mode: String = "edit", extra: String = ""
    ) async throws -> (key: String, token: String, sessionID: String) {
        let provisioned = try await client.call(
            .post, "/v1/admin/provision", bearer: TestApp.adminKey, json: #"{"externalOrgId":"acme","allowedOrigins":["https://app.acme.test"]}"#)
        let key = try #require(provisioned.string("apiKey"))
        if try await client.call(.get, "/v1/templates/invoice", bearer: key).status == 404 {
            _ = try await client.call(.post, "/v1/templates", bearer: key, json: #"{"name":"Invoice","manifest":\#(invoiceManifest)}"#)
        }
        let scope = mode == "create" ? #"{"mode":"create"}"# : #"{"mode":"\#(mode)","templateExternalId":"invoice"}"#
        let mint = try await client.call(
            .post, "/v1/embed/sessions", bearer: key,
            json:
                #"{"tenant":{"externalId":"t","displayName":"Tenant"},"actor":{"externalId":"a"},"scope":\#(scope),"variableCatalog":\#(catalog)\#(extra)}"#
        )
        return (key, try #require(mint.string("session_token"), "\(mint.body)"), try #require(mint.string("session_id")))
    }

    @Test("the session route gives the pages mode, camelCase permissions, limits, usage, catalog and the template's manifest and schema")
    func bootstrap() async throws {
        try await TestApp.run(.sqlite) { client, _ in
            let (_, token, sessionID) = try await session(
                client, mode: "fill", extra: #","form":{"prefill":{"customer":{"name":"P"}},"showPreview":true}"#)
            let result = try await client.call(.get, "/v1/embed/session", bearer: token)
            #expect(result.status == 200, "\(result.body)")
            let body = result.json
            #expect(body["sessionId"] == .string(sessionID))
            #expect(body["mode"] == .string("fill"))
            #expect(body["permissions"]?["submitForm"] == .bool(true))
            #expect(body["permissions"]?["publish"] == .bool(false))
            #expect(body["limits"]?["maxUploadsBytes"] == .number(5_242_880))
            #expect(body["usage"]?["uploadBytes"] == .number(0))
            #expect(body["catalog"]?["namespaces"]?.arrayFirst?["key"] == .string("customer"))
            #expect(body["template"]?["slug"] == .string("invoice"))
            #expect(body["template"]?["manifest"]?["loops"]?.arrayFirst?["key"] == .string("items"))
            #expect(body["template"]?["schema"]?["type"] == .string("object"))
            #expect(body["form"]?["prefill"]?["customer"]?["name"] == .string("P"))
            #expect(body["form"]?["showPreview"] == .bool(true))
            #expect(body["allowedOrigins"] == .array([.string("https://app.acme.test")]))
        }
    }

    @Test("a revoked or forged token gets the pages' failure code from the session route", arguments: DatabaseLeg.all)
    func failureCodes(leg: DatabaseLeg) async throws {
        try await TestApp.run(leg) { client, _ in
            let (key, token, sessionID) = try await session(client)
            var pieces = token.split(separator: ".").map(String.init)
            pieces[2] = String(pieces[2].reversed())
            #expect(try await client.call(.get, "/v1/embed/session", bearer: pieces.joined(separator: ".")).errorCode == "session_invalid")
            #expect(try await client.call(.delete, "/v1/embed/sessions/\(sessionID)", bearer: key).status == 200)
            #expect(try await client.call(.get, "/v1/embed/session", bearer: token).errorCode == "session_revoked")
            // Other session routes keep the reference's code.
            #expect(try await client.call(.get, "/v1/embed/renders/\(sessionID)", bearer: token).errorCode == "unauthorized")
        }
    }

    @Test("the page route sends frame-ancestors of the token's partner, no-referrer and no inline script")
    func pageHeaders() async throws {
        try await TestApp.run(.sqlite) { client, _ in
            let (key, token, sessionID) = try await session(client)
            let page = try await client.call(.get, "/embed/builder?session_token=\(token)")
            #expect(page.status == 200)
            #expect(page.headers[.contentType] == "text/html; charset=utf-8")
            let policy = try #require(page.headers[HTTPField.Name("Content-Security-Policy")!])
            #expect(policy.contains("frame-ancestors https://app.acme.test"))
            #expect(policy.contains("script-src 'self'") && !policy.contains("unsafe-inline"))
            #expect(page.headers[HTTPField.Name("Referrer-Policy")!] == "no-referrer")
            // A revoked session's page can still be framed by its partner, to show why it cannot work.
            _ = try await client.call(.delete, "/v1/embed/sessions/\(sessionID)", bearer: key)
            let revoked = try await client.call(.get, "/embed/form?session_token=\(token)")
            #expect(revoked.headers[HTTPField.Name("Content-Security-Policy")!]?.contains("frame-ancestors https://app.acme.test") == true)
            // No verifiable token: nobody may frame the page.
            let forged = try await client.call(.get, "/embed/builder?session_token=e30.e30.AAAA")
            #expect(forged.headers[HTTPField.Name("Content-Security-Policy")!]?.contains("frame-ancestors 'none'") == true)
        }
    }

    @Test("assets and the SDK are served; paths outside Public/ and unknown types are 404")
    func assets() async throws {
        try await TestApp.run(.sqlite) { client, _ in
            let css = try await client.call(.get, "/embed/assets/ck-base.css")
            #expect(css.status == 200)
            #expect(css.headers[.contentType] == "text/css; charset=utf-8")
            let etag = try #require(css.headers[.eTag])
            #expect(try await client.call(.get, "/embed/assets/ck-base.css", headers: [.ifNoneMatch: etag]).status == 304)
            let sdk = try await client.call(.get, "/sdk/craftkit-embed.js")
            #expect(sdk.status == 200)
            #expect(sdk.headers[.contentType] == "text/javascript; charset=utf-8")
            #expect(try await client.call(.get, "/embed/assets/..%2Fbuilder.html").status == 404)
            #expect(try await client.call(.get, "/embed/assets/.hidden.js").status == 404)
            #expect(try await client.call(.get, "/embed/assets/missing.js").errorCode == "not_found")
        }
    }

    @Test("preview renders an unsaved layout with the catalog's preview values; bad layouts are 422")
    func preview() async throws {
        try await TestApp.run(.sqlite) { client, _ in
            let (_, token, _) = try await session(client, mode: "create")
            let layout =
                #"{"blocks":[{"type":"heading","text":"Hello {{customer.name}}"},{"type":"table","loop":"items","columns":[{"header":"D","cell":"{{description}}"}]}]}"#
            let png = try await client.call(.post, "/v1/embed/preview", bearer: token, json: #"{"layout":\#(layout),"format":"png","dpi":36}"#)
            #expect(png.status == 200)
            #expect(png.headers[.contentType] == "image/png")
            #expect(png.headers[HTTPField.Name("x-craftkit-page-count")!] == "1")
            let pdf = try await client.execute(
                uri: "/v1/embed/preview", method: .post, headers: [.authorization: "Bearer \(token)", .contentType: "application/json"],
                body: ByteBuffer(string: #"{"layout":\#(layout),"format":"pdf"}"#)
            ) { Data($0.body.readableBytesView) }
            let text = try PDFText.extract(pdf)
            #expect(text.contains("Hello Grace Hopper"))
            #expect(text.contains("Catalog row"))
            let bad = try await client.call(.post, "/v1/embed/preview", bearer: token, json: #"{"layout":{"blocks":[{"type":"nope"}]}}"#)
            #expect(bad.errorCode == "template_invalid")
            let formatter = try await client.call(
                .post, "/v1/embed/preview", bearer: token, json: #"{"layout":{"blocks":[{"type":"paragraph","text":"{{x | bogus}}"}]}}"#)
            #expect(formatter.status == 422)
            #expect(formatter.errorCode == "unknown_formatter")
        }
    }

    @Test("a fill session previews only when the form claims allow it")
    func fillPreview() async throws {
        try await TestApp.run(.sqlite) { client, _ in
            let (_, token, _) = try await session(client, mode: "fill")
            #expect(try await client.call(.post, "/v1/embed/preview", bearer: token, json: "{}").errorCode == "permission_denied")
        }
    }

    @Test("builder uploads need an edit or create session that may save drafts")
    func builderUploads() async throws {
        try await TestApp.run(.sqlite) { client, _ in
            let (_, token, _) = try await session(client)
            let png = Data(base64Encoded: "iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mNk+M9QDwADhgGAWjR9awAAAABJRU5ErkJggg==")!
            let boundary = "ckboundary"
            var body = Data(
                "--\(boundary)\r\nContent-Disposition: form-data; name=\"file\"; filename=\"a.png\"\r\nContent-Type: image/png\r\n\r\n".utf8)
            body.append(png)
            body.append(Data("\r\n--\(boundary)--\r\n".utf8))
            let headers: HTTPFields = [.authorization: "Bearer \(token)", .contentType: "multipart/form-data; boundary=\(boundary)"]
            let uploaded = try await client.execute(uri: "/v1/embed/builder/uploads", method: .post, headers: headers, body: ByteBuffer(data: body)) {
                TestResult(status: Int($0.status.code), headers: $0.headers, body: String(buffer: $0.body))
            }
            #expect(uploaded.status == 200, "\(uploaded.body)")
            #expect(uploaded.string("url")?.contains("/v1/embed/uploads/") == true)
            let (_, view, _) = try await session(client, mode: "view")
            let refused = try await client.execute(
                uri: "/v1/embed/builder/uploads", method: .post,
                headers: [.authorization: "Bearer \(view)", .contentType: "multipart/form-data; boundary=x"],
                body: ByteBuffer(string: "")
            ) { TestResult(status: Int($0.status.code), headers: $0.headers, body: String(buffer: $0.body)) }
            #expect(refused.errorCode == "wrong_mode")
        }
    }
}
