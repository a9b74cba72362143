import Core
import Foundation
import HummingbirdTesting
import PartnerAPI
import TestSupport
import Testing

@Suite("/v1/embed/builder/templates")
struct BuilderTemplateTests {
    let readyLayout = #"{"blocks":[{"type":"heading","text":"Hello {{customer.name}}"}],"variables":[{"key":"customer.name","dataType":"text"}]}"#

    func session(_ client: any TestClientProtocol, key: String, permissions: String = "{}", limits: String = "{}") async throws -> String {
        let body =
            #"{"tenant":{"externalId":"t","displayName":"T"},"actor":{"externalId":"a"},"scope":{"mode":"create"},"permissions":\#(permissions),"limits":\#(limits)}"#
        return try #require(try await client.call(.post, "/v1/embed/sessions", bearer: key, json: body).string("session_token"))
    }

    @Test("a partner key creates a draft and publishes version 1 when the layout is render-ready", arguments: DatabaseLeg.all)
    func partnerKey(leg: DatabaseLeg) async throws {
        try await TestApp.run(leg) { client, _ in
            let key = try await provisionKey(client)
            let created = try await client.call(
                .post, "/v1/embed/builder/templates", bearer: key,
                json: #"{"documentTemplate":{"name":"Handover","layout":\#(readyLayout),"category":"boats","custom":{"kept":true}}}"#
            )
            #expect(created.status == 200, "\(created.body)")
            let template = created.json["documentTemplate"]
            #expect(template?["currentVersionNumber"] == .number(1))
            #expect(template?["custom"] == .object(["kept": .bool(true)]))
            #expect(template?["isCustomTemplate"] == .bool(true))
            #expect(template?["presetKey"] == .null)
            let slug = try #require(template?["slug"].flatMap { if case .string(let s) = $0 { s } else { nil } })
            #expect(slug.hasPrefix("handover-"))
            let manifest = try await client.call(.get, "/v1/templates/\(slug)", bearer: key)
            #expect(manifest.json["manifest"]?["variables"]?.arrayFirst?["key"] == .string("customer.name"))
            let list = try await client.call(.get, "/v1/embed/builder/templates", bearer: key)
            #expect(list.json["templates"]?.arrayFirst?["category"] == .string("boats"))
            #expect(list.json["templates"]?.arrayFirst?["layout"] == nil)
        }
    }

    @Test("a layout that is not render-ready, or sent with autoPublish false, is stored but not published")
    func notReady() async throws {
        try await TestApp.run(.sqlite) { client, _ in
            let key = try await provisionKey(client)
            let created = try await client.call(
                .post, "/v1/embed/builder/templates", bearer: key, json: #"{"documentTemplate":{"layout":{"sections":[]}}}"#)
            #expect(created.status == 200)
            #expect(created.json["documentTemplate"]?["name"] == .string("Untitled template"))
            #expect(created.json["documentTemplate"]?["currentVersionNumber"] == .null)
            let kept = try await client.call(
                .post, "/v1/embed/builder/templates", bearer: key, json: #"{"documentTemplate":{"layout":\#(readyLayout)},"autoPublish":false}"#)
            #expect(kept.status == 200, "\(kept.body)")
            #expect(kept.json["documentTemplate"]?["currentVersionNumber"] == .null)
            #expect(kept.json["documentTemplate"]?["autoPublish"] == nil)
            // A layout is an object (or absent), as the reference says; anything else is 400.
            let array = try await client.call(.post, "/v1/embed/builder/templates", bearer: key, json: #"{"documentTemplate":{"layout":[1]}}"#)
            #expect(array.status == 400)
            #expect(array.errorCode == "invalid_request")
        }
    }

    @Test("a session needs saveDraft, counts against maxSaveDrafts, and publishes only with publish")
    func sessions() async throws {
        try await TestApp.run(.sqlite) { client, _ in
            let key = try await provisionKey(client)
            let noDraft = try await session(client, key: key, permissions: #"{"saveDraft":false}"#)
            let body = #"{"documentTemplate":{"name":"X","layout":\#(readyLayout)}}"#
            #expect(try await client.call(.post, "/v1/embed/builder/templates", bearer: noDraft, json: body).errorCode == "permission_denied")
            let noPublish = try await session(client, key: key, permissions: #"{"publish":false}"#, limits: #"{"maxSaveDrafts":1}"#)
            let first = try await client.call(.post, "/v1/embed/builder/templates", bearer: noPublish, json: body)
            #expect(first.status == 200)
            #expect(first.json["documentTemplate"]?["currentVersionNumber"] == .null)
            let second = try await client.call(.post, "/v1/embed/builder/templates", bearer: noPublish, json: body)
            #expect(second.status == 403)
            #expect(second.errorCode == "limit_reached")
            let full = try await session(client, key: key)
            #expect(
                try await client.call(.post, "/v1/embed/builder/templates", bearer: full, json: body).json["documentTemplate"]?[
                    "currentVersionNumber"] == .number(1))
        }
    }

    @Test("missing or invalid credentials are 401 missing_or_invalid_authorization; the list takes only a partner key")
    func auth() async throws {
        try await TestApp.run(.sqlite) { client, _ in
            let key = try await provisionKey(client)
            let body = #"{"documentTemplate":{}}"#
            for bearer in [nil, "garbage", "ck_live_" + String(repeating: "A", count: 32)] {
                #expect(
                    try await client.call(.post, "/v1/embed/builder/templates", bearer: bearer, json: body).errorCode
                        == "missing_or_invalid_authorization")
            }
            let token = try await session(client, key: key)
            #expect(try await client.call(.get, "/v1/embed/builder/templates", bearer: token).status == 401)
            #expect(try await client.call(.post, "/v1/embed/builder/templates", bearer: key, json: #"{"x":1}"#).errorCode == "invalid_request")
        }
    }

    @Test("creating goes through the shared guards: only the Bearer scheme (in any case) and the key's rate limit")
    func sharedGuards() async throws {
        try await TestApp.run(.sqlite, environment: ["CRAFTKIT_RATE_LIMIT_PER_KEY": "2"]) { client, _ in
            let key = try await provisionKey(client)
            let body = #"{"documentTemplate":{},"autoPublish":false}"#
            try await awayFromMinuteBoundary()
            let basic = try await client.call(.post, "/v1/embed/builder/templates", json: body, headers: [.authorization: "Basic \(key)"])
            #expect(basic.errorCode == "missing_or_invalid_authorization")
            let lowercase = try await client.call(.post, "/v1/embed/builder/templates", json: body, headers: [.authorization: "bearer \(key)"])
            #expect(lowercase.status == 200)
            // The key's budget is 2 a minute, as on every other key route.
            #expect(try await client.call(.post, "/v1/embed/builder/templates", bearer: key, json: body).status == 200)
            #expect(try await client.call(.post, "/v1/embed/builder/templates", bearer: key, json: body).errorCode == "rate_limited")
        }
    }
}
