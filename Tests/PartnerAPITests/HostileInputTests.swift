import Core
import Foundation
import HTTPTypes
import HummingbirdTesting
import NIOCore
import PartnerAPI
import TestSupport
import Testing

/// What an end user nobody vetted can send through the iframe pages' routes, and a partner through
/// the render API: each hostile shape gets a documented error and the process keeps serving.
@Suite("Hostile input from end users and partners")
struct HostileInputTests {
    let pages = EmbedPageTests()

    func fillSession(_ client: any TestClientProtocol, showPreview: Bool = true) async throws -> (key: String, token: String, sessionID: String) {
        try await pages.session(client, mode: "fill", extra: #","form":{"showPreview":\#(showPreview)}"#)
    }

    @Test("a form submit whose one key has 200,000 dot-separated segments is a 400 naming the key, and the server keeps serving")
    func dottedKeyBomb() async throws {
        try await TestApp.run(.sqlite) { client, _ in
            let (_, token, sessionID) = try await fillSession(client)
            let key = Array(repeating: "a", count: 200_000).joined(separator: ".")
            let bomb = try await client.call(.post, "/v1/embed/form-submit/\(sessionID)", bearer: token, json: #"{"data":{"\#(key)":"x"}}"#)
            #expect(bomb.status == 400, "\(bomb.body.prefix(300))")
            #expect(bomb.errorCode == "invalid_request")
            let issues = try #require(bomb.json["error"]?["issues"]?["fieldErrors"], "\(bomb.body.prefix(300))")
            guard case .object(let fields) = issues else { throw Failure("fieldErrors is not an object") }
            let path = try #require(fields.keys.first)
            #expect(path.hasPrefix("data.a.a.a"))
            #expect(path.count < 100, "the path names the key without echoing 400 KB")
            #expect(bomb.body.contains("at most 16 dot-separated segments (got 200000)"))
            // Still alive, and an ordinary submit from the same session goes through.
            let fine = try await client.call(
                .post, "/v1/embed/form-submit/\(sessionID)", bearer: token, json: #"{"data":{"customer.name":"Ada","invoice.total":"12"}}"#)
            #expect(fine.status == 202, "\(fine.body)")
        }
    }

    @Test("nesting, keys per object and array length over the data limits are 400 with the path, on the render API too")
    func dataShapeLimits() async throws {
        try await TestApp.run(.sqlite) { client, _ in
            let (key, token, sessionID) = try await fillSession(client)
            let deep = String(repeating: #"{"n":"#, count: 40) + "1" + String(repeating: "}", count: 40)
            let nested = try await client.call(.post, "/v1/templates/invoice/render", bearer: key, json: #"{"data":{"x":\#(deep)}}"#)
            #expect(nested.status == 400)
            #expect(nested.body.contains("Nested deeper than 32 levels"), "\(nested.body)")
            let wide = (0...1_000).map { #""k\#($0)":1"# }.joined(separator: ",")
            let keys = try await client.call(.post, "/v1/embed/form-submit/\(sessionID)", bearer: token, json: #"{"data":{\#(wide)}}"#)
            #expect(keys.status == 400)
            #expect(keys.body.contains("at most 1000 keys (got 1001)"), "\(keys.body.prefix(300))")
            let long = Array(repeating: "0", count: 10_001).joined(separator: ",")
            let array = try await client.call(.post, "/v1/templates/invoice/render", bearer: key, json: #"{"data":{"items":[\#(long)]}}"#)
            #expect(array.status == 400)
            #expect(array.json["error"]?["issues"]?["fieldErrors"]?["data.items"] != nil, "\(array.body.prefix(300))")
        }
    }

    @Test("a form draft over the data limits is refused with the path, and nothing is stored")
    func formDraftLimits() async throws {
        try await TestApp.run(.sqlite) { client, _ in
            let (_, token, sessionID) = try await fillSession(client)
            let key = Array(repeating: "a", count: 50_000).joined(separator: ".")
            let path = "/v1/embed/form-submit/\(sessionID)/draft"
            let refused = try await client.call(.put, path, bearer: token, json: #"{"data":{"\#(key)":"x"}}"#)
            #expect(refused.status == 400)
            #expect(refused.errorCode == "invalid_request")
            #expect(refused.body.contains("at most 16 dot-separated segments"))
            #expect(try await client.call(.get, path, bearer: token).json["data"] == .null)
        }
    }

    @Test("a prefill over the data limits is refused when the session is minted")
    func prefillLimits() async throws {
        try await TestApp.run(.sqlite) { client, _ in
            let (key, _, _) = try await fillSession(client)
            let deep = String(repeating: #"{"n":"#, count: 40) + "1" + String(repeating: "}", count: 40)
            let mint = try await client.call(
                .post, "/v1/embed/sessions", bearer: key,
                json:
                    #"{"tenant":{"externalId":"t"},"actor":{"externalId":"a"},"scope":{"mode":"fill","templateExternalId":"invoice"},"form":{"prefill":\#(deep)}}"#
            )
            #expect(mint.status == 422, "\(mint.body)")
            #expect(mint.body.contains("form.prefill"), "\(mint.body)")
        }
    }

    @Test("an end user's Idempotency-Key cannot collide with or reveal the partner's render of the same key")
    func formIdempotencyIsPerSession() async throws {
        try await TestApp.run(.sqlite) { client, _ in
            let (key, token, sessionID) = try await fillSession(client)
            let partner = try await client.call(
                .post, "/v1/templates/invoice/render", bearer: key, json: #"{"data":{"customer":{"name":"Partner"},"invoice":{"total":1}}}"#,
                headers: [.idempotencyKey: "order-1"])
            #expect(partner.status == 202, "\(partner.body)")
            let body = #"{"data":{"customer.name":"End user","invoice.total":"2"}}"#
            let first = try await client.call(
                .post, "/v1/embed/form-submit/\(sessionID)", bearer: token, json: body, headers: [.idempotencyKey: "order-1"])
            #expect(first.status == 202, "\(first.body)")
            #expect(first.string("id") != partner.string("id"))
            let replay = try await client.call(
                .post, "/v1/embed/form-submit/\(sessionID)", bearer: token, json: body, headers: [.idempotencyKey: "order-1"])
            #expect(replay.string("id") == first.string("id"), "the user's own key still deduplicates the user's own submits")
            // Another session of the same project has its own namespace.
            let (_, other, otherID) = try await fillSession(client)
            let second = try await client.call(
                .post, "/v1/embed/form-submit/\(otherID)", bearer: other, json: body, headers: [.idempotencyKey: "order-1"])
            #expect(second.status == 202)
            #expect(second.string("id") != first.string("id"))
        }
    }

    @Test("fill and view sessions cannot preview a layout of their own, and a fill session cannot open the builder's template")
    func previewAndBuilderScopes() async throws {
        try await TestApp.run(.sqlite) { client, services in
            let layout = #"{"blocks":[{"type":"paragraph","text":"free rendering"}]}"#
            let (_, fill, _) = try await fillSession(client)
            let sent = try await client.call(.post, "/v1/embed/preview", bearer: fill, json: #"{"layout":\#(layout),"dpi":36}"#)
            #expect(sent.status == 403)
            #expect(sent.errorCode == "permission_denied")
            let own = try await client.call(.post, "/v1/embed/preview", bearer: fill, json: #"{"data":{"customer.name":"Ada"},"dpi":36}"#)
            #expect(own.status == 200, "the published template with the user's own data: \(own.body.prefix(200))")
            let (_, view, _) = try await pages.session(client, mode: "view")
            #expect(try await client.call(.post, "/v1/embed/preview", bearer: view, json: #"{"layout":\#(layout)}"#).errorCode == "permission_denied")
            let template = try await services.templates.live(projectID: try await services.sessions.verify(view).session.projectID, slug: "invoice")
            let base = "/v1/embed/builder/templates/\(template.id)"
            #expect(try await client.call(.post, base + "/preview", bearer: view, json: #"{"layout":\#(layout)}"#).errorCode == "permission_denied")
            #expect(try await client.call(.get, base, bearer: view).status == 200, "a view session still reads the template")
            let read = try await client.call(.get, base, bearer: fill)
            #expect(read.status == 403)
            #expect(read.errorCode == "wrong_mode")
        }
    }

    @Test("previews beyond the process's concurrency wait, then get 503 preview_busy with Retry-After")
    func previewBudget() async throws {
        let environment = ["CRAFTKIT_PREVIEW_CONCURRENCY": "1", "CRAFTKIT_PREVIEW_QUEUE_MS": "50"]
        try await TestApp.run(.sqlite, environment: environment) { client, services in
            let (_, token, _) = try await pages.session(client, mode: "create")
            let body = #"{"layout":{"blocks":[{"type":"paragraph","text":"Hi"}]},"dpi":36}"#
            #expect(try await client.call(.post, "/v1/embed/preview", bearer: token, json: body).status == 200)
            #expect(await services.previews.acquire(timeout: .zero), "the test holds the only slot")
            let busy = try await client.call(.post, "/v1/embed/preview", bearer: token, json: body)
            #expect(busy.status == 503)
            #expect(busy.errorCode == "preview_busy")
            #expect(busy.headers[.retryAfter] == "1")
            await services.previews.release()
            #expect(try await client.call(.post, "/v1/embed/preview", bearer: token, json: body).status == 200)
            let huge = #"{"layout":{"page":{"size":{"width":5000,"height":5000}},"blocks":[{"type":"paragraph","text":"Hi"}]},"dpi":300}"#
            let tooLarge = try await client.call(.post, "/v1/embed/preview", bearer: token, json: huge)
            #expect(tooLarge.status == 422, "\(tooLarge.body)")
            #expect(tooLarge.errorCode == "output_too_large")
        }
    }

    @Test("a layout nested deeper than the layout limit is refused as a template error, not a crash")
    func deepLayout() async throws {
        try await TestApp.run(.sqlite) { client, _ in
            let (_, token, _) = try await pages.session(client, mode: "create")
            var block = #"{"type":"paragraph","text":"deep"}"#
            for _ in 0..<40 { block = #"{"type":"group","blocks":[\#(block)]}"# }
            let result = try await client.call(.post, "/v1/embed/preview", bearer: token, json: #"{"layout":{"blocks":[\#(block)]}}"#)
            #expect(result.status == 422)
            #expect(result.errorCode == "template_invalid")
            #expect(result.body.contains("Nested deeper than 64 levels"), "\(result.body.prefix(300))")
        }
    }
}

struct Failure: Error, CustomStringConvertible {
    let description: String
    init(_ description: String) { self.description = description }
}

@Suite("Unauthenticated paths")
struct UnauthenticatedPathTests {
    @Test("more failed authentications a minute than allowed from one address are answered 429 with Retry-After")
    func failedAuthentications() async throws {
        try await TestApp.run(.sqlite, environment: ["CRAFTKIT_AUTH_FAILURES_PER_MINUTE": "3"], live: true) { client, _ in
            try await awayFromMinuteBoundary()
            for _ in 0..<3 {
                #expect(try await client.call(.get, "/v1/keys", bearer: "ck_live_guess").status == 401)
            }
            let refused = try await client.call(.get, "/v1/keys", bearer: "ck_live_guess")
            #expect(refused.status == 429)
            #expect(refused.errorCode == "rate_limited")
            #expect(Int(refused.headers[.retryAfter] ?? "") != nil)
            #expect(try await client.call(.get, "/health").status == 429, "the address is refused whatever it asks")
        }
    }

    @Test("an unknown hook token is refused before its body is read")
    func hookTokenFirst() async throws {
        try await TestApp.run(.sqlite, environment: ["CRAFTKIT_MAX_BODY_BYTES": "1k"]) { client, _ in
            let big = #"{"x":""# + String(repeating: "y", count: 5_000) + #""}"#
            let unknown = try await client.call(.post, "/v1/hooks/ckh_unknown", json: big)
            #expect(unknown.status == 404, "the token is looked up first: not 413 for the body")
            #expect(unknown.errorCode == "invalid_token")
        }
    }

    @Test("health probes are reused for a while, so polling it does not write a blob per request")
    func healthIsCached() async throws {
        // A long reuse window here, so a slow test machine cannot outlast it.
        try await TestApp.run(.sqlite, environment: ["CRAFTKIT_HEALTH_CACHE_MS": "600000"]) { client, services in
            let blobs = URL(fileURLWithPath: services.config.blobDirectory)
            func entries() -> Int { (try? FileManager.default.subpathsOfDirectory(atPath: blobs.path).count) ?? 0 }
            #expect(try await client.call(.get, "/health").status == 200)
            try FileManager.default.removeItem(at: blobs)
            for _ in 0..<5 { #expect(try await client.call(.get, "/health").status == 200) }
            #expect(entries() == 0, "no probe reached the store within the second")
        }
    }
}

@Suite("End users' uploads")
struct UploadExposureTests {
    @Test("an upload is served under an unguessable name with nosniff, until its retention ends; a revoked session cannot upload")
    func uploads() async throws {
        try await TestApp.run(.sqlite, environment: ["CRAFTKIT_UPLOAD_RETENTION_DAYS": "30"]) { client, services in
            let form = EmbedFormTests()
            let fill = try await form.setUp(client)
            let uploaded = try await form.upload(client, fill, bytes: EmbedFormTests.png)
            let url = try #require(uploaded.string("url"))
            let name = try #require(url.split(separator: "/").last)
            #expect(name.count == 32 + 4, "128 random bits in hex plus .png: \(name)")
            let path = try #require(URL(string: url)?.path)
            let served = try await client.call(.get, path)
            #expect(served.status == 200)
            #expect(served.headers[.init("x-content-type-options")!] == "nosniff")
            // Thirty-one days later it is gone.
            try await services.database.sql.raw("UPDATE embed_uploads SET created_at = created_at - 2678400000").run()
            #expect(try await client.call(.get, path).status == 404)
            #expect(try await client.call(.delete, "/v1/embed/sessions/\(fill.sessionID)", bearer: fill.key).status == 200)
            let refused = try await form.upload(client, fill, bytes: EmbedFormTests.png)
            #expect(refused.status == 401)
        }
    }
}
