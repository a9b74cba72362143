import Core
import Foundation
import HummingbirdTesting
import PartnerAPI
import TestSupport
import Testing
import Webhooks

@Suite("Outbound webhooks")
struct WebhookTests {
    let data = #"{"data":{"customer":{"name":"Ada Lovelace"},"invoice":{"total":4200}}}"#

    func prepare(_ client: any TestClientProtocol, url: String) async throws -> (key: String, endpointID: String, secret: String) {
        let key = try await provisionKey(client)
        _ = try await client.call(.post, "/v1/templates", bearer: key, json: #"{"name":"Invoice","manifest":\#(invoiceManifest)}"#)
        let endpoint = try await client.call(.post, "/v1/webhooks", bearer: key, json: #"{"url":"\#(url)","events":["render.succeeded"]}"#)
        #expect(endpoint.status == 201, "\(endpoint.body)")
        return (key, try #require(endpoint.string("id")), try #require(endpoint.string("secret")))
    }

    /// Renders once, then runs the deliverer until the receiver has `count` requests or 5 s pass.
    func renderAndDeliver(_ client: any TestClientProtocol, _ services: AppServices, key: String, receiver: WebhookReceiver, count: Int) async throws
    {
        _ = try await client.call(.post, "/v1/templates/invoice/render", bearer: key, json: data)
        while try await services.renderWorker.runOnce(owner: "r") {}
        let deadline = ContinuousClock.now + .seconds(30)
        while receiver.received.withLock({ $0.count }) < count, ContinuousClock.now < deadline {
            if try await !services.webhookDeliverer.runOnce(owner: "w") { try await Task.sleep(for: .milliseconds(5)) }
        }
    }

    @Test("a receiver that fails five times gets the event once more, on the sixth attempt, signed as documented", arguments: DatabaseLeg.all)
    func sixthAttempt(leg: DatabaseLeg) async throws {
        let receiver = WebhookReceiver(failures: 5)
        try await receiver.run { url in
            try await TestApp.run(leg, environment: ["CRAFTKIT_ALLOW_PRIVATE_FETCH": "1"]) { client, services in
                let (key, endpointID, secret) = try await prepare(client, url: url)
                try await renderAndDeliver(client, services, key: key, receiver: receiver, count: 6)
                // Nothing more is sent after the success.
                #expect(try await !services.webhookDeliverer.runOnce(owner: "w"))
                let received = receiver.received.withLock { $0 }
                #expect(received.map(\.status) == [500, 500, 500, 500, 500, 200])
                #expect(Set(received.compactMap { $0.headers["x-craftkit-event-id"] }).count == 1)
                let last = try #require(received.last)
                #expect(last.headers["x-craftkit-signature"] == WebhookSignature.sign(secret: secret, body: last.body))
                #expect(last.headers["user-agent"] == "Craftkit-Webhook/1.0")
                #expect(Set(received.compactMap { $0.headers["x-craftkit-delivery-id"] }).count == 1, "stable across retries")
                #expect(Set(received.compactMap { $0.headers["webhook-id"] }).count == 1)
                try StandardWebhooksCheck.verify(secret: secret, body: last.body, headers: last.headers)
                let event = try JSONValue.parse(last.body)
                #expect(event["type"] == .string("render.succeeded"))
                #expect(event["data"]?["status"] == .string("succeeded"))
                let log = try await client.call(.get, "/v1/webhooks/\(endpointID)/deliveries", bearer: key)
                guard case .array(let deliveries)? = log.json["data"] else {
                    Issue.record("no log: \(log.body)")
                    return
                }
                #expect(deliveries.count == 1)
                #expect(deliveries.first?["status"] == .string("succeeded"))
                #expect(deliveries.first?["attempts"] == .number(6))
            }
        }
    }

    @Test("after six failures the delivery is abandoned; a replay delivers the same event again")
    func abandonAndReplay() async throws {
        let receiver = WebhookReceiver(failures: 6)
        try await receiver.run { url in
            try await TestApp.run(.sqlite, environment: ["CRAFTKIT_ALLOW_PRIVATE_FETCH": "1"]) { client, services in
                let (key, endpointID, _) = try await prepare(client, url: url)
                try await renderAndDeliver(client, services, key: key, receiver: receiver, count: 6)
                while try await services.webhookDeliverer.runOnce(owner: "w") {}
                let log = try await client.call(.get, "/v1/webhooks/\(endpointID)/deliveries", bearer: key)
                guard case .array(let deliveries)? = log.json["data"], case .string(let deliveryID)? = deliveries.first?["id"] else {
                    Issue.record("no log")
                    return
                }
                #expect(deliveries.first?["status"] == .string("abandoned"))
                #expect(deliveries.first?["lastStatusCode"] == .number(500))
                let replay = try await client.call(.post, "/v1/webhooks/\(endpointID)/deliveries/\(deliveryID)/replay", bearer: key)
                #expect(replay.status == 202)
                #expect(replay.json["eventId"] == deliveries.first?["eventId"])
                while try await services.webhookDeliverer.runOnce(owner: "w") {}
                let received = receiver.received.withLock { $0 }
                #expect(received.count == 7)
                #expect(received.last?.status == 200)
            }
        }
    }

    @Test("after a rotation both the new and, for 24 hours, the previous secret sign")
    func rotation() async throws {
        let receiver = WebhookReceiver(failures: 0)
        try await receiver.run { url in
            try await TestApp.run(.sqlite, environment: ["CRAFTKIT_ALLOW_PRIVATE_FETCH": "1"]) { client, services in
                let (key, endpointID, oldSecret) = try await prepare(client, url: url)
                let rotated = try await client.call(.post, "/v1/webhooks/\(endpointID)/rotate-secret", bearer: key)
                let newSecret = try #require(rotated.string("secret"))
                #expect(newSecret != oldSecret)
                #expect(rotated.string("previousSecretExpiresAt") != nil)
                try await renderAndDeliver(client, services, key: key, receiver: receiver, count: 1)
                let last = try #require(receiver.received.withLock { $0.last })
                #expect(last.headers["x-craftkit-signature"] == WebhookSignature.sign(secret: newSecret, body: last.body))
                try StandardWebhooksCheck.verify(secret: newSecret, body: last.body, headers: last.headers)
                try StandardWebhooksCheck.verify(secret: oldSecret, body: last.body, headers: last.headers)
                #expect(
                    last.headers["x-craftkit-signature-previous"] == WebhookSignature.sign(secret: oldSecret, body: last.body))
            }
        }
    }

    @Test("template publishes and embed form submissions are delivered as events")
    func embedEvents() async throws {
        let receiver = WebhookReceiver(failures: 0)
        try await receiver.run { url in
            try await TestApp.run(.sqlite, environment: ["CRAFTKIT_ALLOW_PRIVATE_FETCH": "1"]) { client, services in
                let key = try await provisionKey(client)
                let endpoint = try await client.call(
                    .post, "/v1/webhooks", bearer: key, json: #"{"url":"\#(url)","events":["template.published","form.submitted"]}"#
                )
                #expect(endpoint.status == 201)
                _ = try await client.call(.post, "/v1/templates", bearer: key, json: #"{"name":"Invoice","manifest":\#(invoiceManifest)}"#)
                let mint =
                    #"{"tenant":{"externalId":"t","displayName":"T"},"actor":{"externalId":"a"},"scope":{"mode":"fill","templateExternalId":"invoice"}}"#
                let minted = try await client.call(.post, "/v1/embed/sessions", bearer: key, json: mint)
                let token = try #require(minted.string("session_token"))
                let sessionID = try #require(minted.string("session_id"))
                let submitted = try await client.call(
                    .post, "/v1/embed/form-submit/\(sessionID)", bearer: token, json: #"{"data":{"customer":{"name":"Ada"},"invoice":{"total":5}}}"#
                )
                #expect(submitted.status == 202)
                while try await services.webhookDeliverer.runOnce(owner: "w") {}
                let events = try receiver.received.withLock { $0 }.map { try JSONValue.parse($0.body) }
                #expect(events.map { $0["type"] } == [.string("template.published"), .string("form.submitted")])
                #expect(events.first?["data"]?["version"] == .number(1))
                #expect(events.first?["data"]?["manifest"]?["loops"] != nil)
                #expect(events.last?["sessionId"] == .string(sessionID))
                // Craftkit's shape: the merged data under `data`, the render's id, slug, version and time.
                let submittedEvent = try #require(events.last)
                #expect(submittedEvent["data"]?["customer"]?["name"] == .string("Ada"))
                #expect(submittedEvent["renderId"] == .string(try #require(submitted.string("id"))))
                #expect(submittedEvent["templateSlug"] == .string("invoice"))
                #expect(submittedEvent["templateVersion"] == .number(1))
                #expect(submittedEvent["submittedAt"] != nil && submittedEvent["submittedAt"] != .null)
            }
        }
    }

    @Test("endpoints are listed without secrets, scoped to their project, and deletable")
    func management() async throws {
        try await TestApp.run(.sqlite, environment: ["CRAFTKIT_ALLOW_PRIVATE_FETCH": "1"]) { client, _ in
            let (key, endpointID, _) = try await prepare(client, url: "http://127.0.0.1:9/hook")
            let other = try await provisionKey(client, org: "other")
            let listed = try await client.call(.get, "/v1/webhooks", bearer: key)
            guard case .array(let endpoints)? = listed.json["data"] else { return }
            #expect(endpoints.count == 1)
            #expect(endpoints.first?["secret"] == nil)
            #expect(try await client.call(.delete, "/v1/webhooks/\(endpointID)", bearer: other).status == 404)
            #expect(try await client.call(.get, "/v1/webhooks/\(endpointID)/deliveries", bearer: other).status == 404)
            #expect(try await client.call(.delete, "/v1/webhooks/\(endpointID)", bearer: key).status == 200)
            #expect(try await client.call(.delete, "/v1/webhooks/\(endpointID)", bearer: key).status == 404)
        }
    }

    @Test(
        "bad endpoints are refused, private targets included",
        arguments: [
            #"{"url":"ftp://example.com/x"}"#, #"{"url":"http://127.0.0.1/hook"}"#, #"{}"#, #"{"url":"https://example.com","events":["nope"]}"#,
        ]
    )
    func badEndpoints(body: String) async throws {
        try await TestApp.run(.sqlite) { client, _ in
            let key = try await provisionKey(client)
            let result = try await client.call(.post, "/v1/webhooks", bearer: key, json: body)
            #expect(result.status == 400)
            #expect(result.errorCode == "invalid_request")
        }
    }
}

/// Verifies a delivery with the `standardwebhooks` library from PyPI (installed by `make test-deps`),
/// as a receiver using it would: the test fails when the library refuses the delivery or is missing.
enum StandardWebhooksCheck {
    struct Refused: Error, CustomStringConvertible { let description: String }

    static func verify(secret: String, body: Data, headers: [String: String]) throws {
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("craftkit-sw-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: directory) }
        try body.write(to: directory.appendingPathComponent("body"))
        let wanted = ["webhook-id", "webhook-timestamp", "webhook-signature"]
        let selected = headers.filter { wanted.contains($0.key.lowercased()) }
        try JSONSerialization.data(withJSONObject: selected).write(to: directory.appendingPathComponent("headers.json"))
        let script = """
            import json, sys
            from standardwebhooks.webhooks import Webhook
            body = open(sys.argv[1] + "/body", "rb").read()
            headers = json.load(open(sys.argv[1] + "/headers.json"))
            Webhook(sys.argv[2]).verify(body, headers)
            """
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        process.arguments = ["python3", "-c", script, directory.path, secret]
        let errors = directory.appendingPathComponent("stderr")
        _ = FileManager.default.createFile(atPath: errors.path, contents: nil)
        process.standardError = try FileHandle(forWritingTo: errors)
        try process.run()
        process.waitUntilExit()
        guard process.terminationStatus == 0 else {
            throw Refused(description: "standardwebhooks refused the delivery: \((try? String(contentsOf: errors, encoding: .utf8)) ?? "")")
        }
    }
}
