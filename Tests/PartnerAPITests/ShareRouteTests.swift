import Core
import Delivery
import Foundation
import HTTPTypes
import HummingbirdTesting
import PartnerAPI
import SQLKit
import Synchronization
import TestSupport
import Testing

/// Sends nothing; keeps each message, or refuses every one.
final class RecordingEmailSender: EmailSender {
    let provider = "recording"
    let refuse: Bool
    let sent = Mutex<[EmailMessage]>([])

    init(refuse: Bool = false) { self.refuse = refuse }

    func send(_ message: EmailMessage) async throws -> String {
        if refuse { throw EmailSendError.rejected("The sender domain is not verified") }
        sent.withLock { $0.append(message) }
        return "re_test_\(sent.withLock { $0.count })"
    }
}

@Suite("Shares, engagement and email")
struct ShareRouteTests {
    let data = #"{"data":{"customer":{"name":"Ada Lovelace"},"invoice":{"total":4200},"items":[{"description":"Analytical engine","qty":"2"}]}}"#

    /// A project key and a succeeded render of it.
    func succeededRender(_ client: any TestClientProtocol, _ services: AppServices, org: String = "acme") async throws -> (key: String, id: String) {
        let key = try await provisionKey(client, org: org)
        let created = try await client.call(.post, "/v1/templates", bearer: key, json: #"{"name":"Invoice","manifest":\#(invoiceManifest)}"#)
        #expect(created.status == 201)
        let queued = try await client.call(.post, "/v1/templates/invoice/render", bearer: key, json: data)
        let id = try #require(queued.string("id"))
        while try await services.renderWorker.runOnce(owner: "test-worker") {}
        return (key, id)
    }

    func engagement(_ client: any TestClientProtocol, key: String, id: String) async throws -> JSONValue {
        let result = try await client.call(.get, "/v1/renders/\(id)/engagement", bearer: key)
        #expect(result.status == 200)
        return result.json
    }

    @Test("a share opens a branded page once per viewer, records downloads, and stops at once when revoked", arguments: DatabaseLeg.all)
    func shareLifecycle(leg: DatabaseLeg) async throws {
        try await TestApp.run(leg) { client, services in
            let (key, id) = try await succeededRender(client, services)
            let created = try await client.call(
                .post, "/v1/renders/\(id)/shares", bearer: key, json: #"{"message":"Here is <b>your</b> invoice.\nThanks!"}"#)
            #expect(created.status == 201)
            let token = try #require(created.string("shareToken"))
            let shareID = try #require(created.string("id"))
            #expect(token.hasPrefix("cks_"))
            #expect(created.string("shareUrl") == "\(services.config.shareBaseURL)/share/\(token)")
            #expect(created.string("channel") == "link")
            #expect(created.json["revokedAt"] == .null)
            #expect(created.json["expiresAt"] == .null)
            #expect(created.json["recipientEmail"] == .null)
            let stored = try await services.database.sql.raw("SELECT token_hash, sealed_token FROM shares").first()
            #expect(try stored?.decode(column: "token_hash", as: String.self) == ShareToken.hash(token))
            #expect(try stored?.decode(column: "sealed_token", as: String.self).contains(token) == false)

            let page = try await client.call(.get, "/share/\(token)")
            #expect(page.status == 200)
            #expect(page.headers[.contentType] == "text/html; charset=utf-8")
            #expect(page.headers[HTTPField.Name("Referrer-Policy")!] == "no-referrer")
            #expect(page.headers[HTTPField.Name("X-Robots-Tag")!]?.contains("noindex") == true)
            let csp = try #require(page.headers[.contentSecurityPolicy])
            #expect(csp.contains("script-src 'self'") && !csp.contains("unsafe-inline"))
            #expect(page.body.contains("Here is &lt;b&gt;your&lt;/b&gt; invoice.<br>Thanks!"))
            #expect(page.body.contains("/share/\(token)/pages/1"))
            #expect(page.body.contains("acme"))
            _ = try await client.call(.get, "/share/\(token)")

            let download = try await client.execute(uri: "/share/\(token)/download", method: .get) { $0 }
            #expect(download.status == .ok)
            #expect(download.headers[.contentType] == "application/pdf")
            #expect(Data(download.body.readableBytesView).starts(with: Data("%PDF-".utf8)))
            let image = try await client.execute(uri: "/share/\(token)/pages/1", method: .get) { $0 }
            #expect(image.status == .ok)
            #expect(image.headers[.contentType] == "image/png")
            #expect(Data(image.body.readableBytesView).starts(with: Data([0x89, 0x50, 0x4E, 0x47])))
            #expect(try await client.call(.get, "/share/\(token)/pages/2").status == 404)
            #expect(try await client.call(.post, "/share/\(token)/printed").status == 204)

            let summary = try await engagement(client, key: key, id: id)
            #expect(summary["counts"]?["viewed"] == .number(1))
            #expect(summary["counts"]?["downloaded"] == .number(1))
            #expect(summary["counts"]?["printed"] == .number(1))
            #expect(summary["counts"]?["share_created"] == .number(1))
            #expect(summary["counts"]?["email_opened"] == .number(0))
            #expect(summary["linkOpens"] == .number(1))
            #expect(summary["total"] == .number(4))
            #expect(summary["recent"]?[0]?["actorKind"] == .string("recipient"))

            let list = try await client.call(.get, "/v1/renders/\(id)/shares", bearer: key)
            #expect(list.json["shares"]?[0]?["clickCount"] == .number(1))
            #expect(list.json["shares"]?[0]?["shareToken"] == .string(token))
            #expect(list.json["shares"]?[0]?["revokedReason"] == .null)

            let revoked = try await client.call(.delete, "/v1/renders/\(id)/shares/\(shareID)", bearer: key)
            #expect(revoked.status == 200)
            #expect(revoked.string("id") == shareID)
            #expect(revoked.string("revokedAt") != nil)
            let gone = try await client.call(.get, "/share/\(token)")
            #expect(gone.status == 410)
            #expect(gone.body.contains("This link is no longer active."))
            #expect(!gone.body.contains("invoice"))
            #expect(try await client.call(.get, "/share/\(token)/download").status == 410)
            #expect(try await client.call(.delete, "/v1/renders/\(id)/shares/\(shareID)", bearer: key).status == 404)
            let after = try await client.call(.get, "/v1/renders/\(id)/shares", bearer: key)
            #expect(after.json["shares"]?[0]?["revokedReason"] == .string("revoked_by_partner"))
            #expect(try await engagement(client, key: key, id: id)["counts"]?["share_revoked"] == .number(1))
            #expect(try await client.call(.get, "/share/cks_\(String(repeating: "x", count: 43))").status == 404)
        }
    }

    @Test("shares refuse bad input, unfinished renders and other projects' renders", arguments: DatabaseLeg.all)
    func badInput(leg: DatabaseLeg) async throws {
        try await TestApp.run(leg) { client, services in
            let (key, id) = try await succeededRender(client, services)
            for body in [
                #"{"channel":"email"}"#, #"{"channel":"fax"}"#, #"{"channel":"email","recipientEmail":"not-an-email"}"#,
                #"{"expiresAt":"yesterday"}"#, #"{"expiresAt":"2001-01-01T00:00:00Z"}"#,
                "{\"message\":\"\(String(repeating: "x", count: 2001))\"}", "[1]",
            ] {
                let result = try await client.call(.post, "/v1/renders/\(id)/shares", bearer: key, json: body)
                #expect(result.status == 400, "\(body)")
                #expect(result.errorCode == "invalid_request" || result.errorCode == "invalid_json")
            }
            #expect(try await client.call(.post, "/v1/renders/\(id)/shares", bearer: key, json: "{").errorCode == "invalid_json")
            let queued = try await client.call(.post, "/v1/templates/invoice/render", bearer: key, json: data)
            let queuedID = try #require(queued.string("id"))
            let notReady = try await client.call(.post, "/v1/renders/\(queuedID)/shares", bearer: key, json: "{}")
            #expect(notReady.status == 409)
            #expect(notReady.errorCode == "not_ready")
            #expect(try await client.call(.post, "/v1/renders/\(queuedID)/email", bearer: key, json: #"{"to":"a@b.example"}"#).status == 409)

            let other = try await provisionKey(client, org: "globex")
            for (method, path, body) in [
                (HTTPRequest.Method.post, "/v1/renders/\(id)/shares", "{}"), (.get, "/v1/renders/\(id)/shares", nil),
                (.get, "/v1/renders/\(id)/engagement", nil), (.post, "/v1/renders/\(id)/events", #"{"eventType":"viewed"}"#),
                (.post, "/v1/renders/\(id)/email", #"{"to":"a@b.example"}"#),
            ] {
                let result = try await client.call(method, path, bearer: other, json: body)
                #expect(result.status == 404, "\(path)")
                #expect(result.errorCode == "not_found")
            }
            let share = try await client.call(.post, "/v1/renders/\(id)/shares", bearer: key, json: "{}")
            let shareID = try #require(share.string("id"))
            #expect(try await client.call(.delete, "/v1/renders/\(id)/shares/\(shareID)", bearer: other).status == 404)
            #expect(try await client.call(.get, "/v1/renders/\(id)/shares", bearer: nil).status == 401)
        }
    }

    @Test("prints are recorded only from the share page's own origin; hostile tokens are unknown without a lookup")
    func hostileCallers() async throws {
        try await TestApp.run(.sqlite, environment: ["CRAFTKIT_SHARE_BASE_URL": "https://share.acme.example"]) { client, services in
            let (key, id) = try await succeededRender(client, services)
            let token = try #require(try await client.call(.post, "/v1/renders/\(id)/shares", bearer: key, json: "{}").string("shareToken"))
            for origin in ["https://evil.example", "https://share.acme.exampl", "https://share.acme.example.evil.example", "null"] {
                let refused = try await client.call(.post, "/share/\(token)/printed", headers: [.origin: origin])
                #expect(refused.status == 403, "\(origin)")
            }
            #expect(try await client.call(.post, "/share/\(token)/printed", headers: [.origin: "https://SHARE.acme.example"]).status == 204)
            #expect(try await engagement(client, key: key, id: id)["counts"]?["printed"] == .number(1))
            for hostile in [String(repeating: "a", count: 4_000), "cks_" + String(repeating: "%2F", count: 300), "cks_../../x", "cks_"] {
                #expect(try await client.call(.get, "/share/\(hostile)").status == 404)
                #expect(try await client.call(.get, "/share/\(hostile)/download").status == 404)
            }
        }
    }

    @Test("an expired share is gone with 410", arguments: DatabaseLeg.all)
    func expiry(leg: DatabaseLeg) async throws {
        try await TestApp.run(leg) { client, services in
            let (key, id) = try await succeededRender(client, services)
            let expiresAt = "2099-01-31T00:00:00.123Z"
            let created = try await client.call(.post, "/v1/renders/\(id)/shares", bearer: key, json: #"{"expiresAt":"\#(expiresAt)"}"#)
            #expect(created.string("expiresAt") == expiresAt)
            let token = try #require(created.string("shareToken"))
            #expect(try await client.call(.get, "/share/\(token)").status == 200)
            // Expiry without waiting on the clock: the share's time is moved into the past.
            try await services.database.sql.raw("UPDATE shares SET expires_at = \(bind: Date().epochMillis - 1)").run()
            #expect(try await client.call(.get, "/share/\(token)").status == 410)
            #expect(try await client.call(.get, "/share/\(token)/download").status == 410)
        }
    }

    @Test("partner events are recorded once per window and only of the partner's types", arguments: DatabaseLeg.all)
    func partnerEvents(leg: DatabaseLeg) async throws {
        try await TestApp.run(leg) { client, services in
            let (key, id) = try await succeededRender(client, services)
            let body = #"{"eventType":"viewed","metadata":{"surface":"dashboard","n":[1,2]}}"#
            #expect(try await client.call(.post, "/v1/renders/\(id)/events", bearer: key, json: body).json["recorded"] == .bool(true))
            #expect(try await client.call(.post, "/v1/renders/\(id)/events", bearer: key, json: body).json["recorded"] == .bool(false))
            for bad in [#"{"eventType":"share_created"}"#, #"{"eventType":"viewed","metadata":"x"}"#, "{}"] {
                #expect(try await client.call(.post, "/v1/renders/\(id)/events", bearer: key, json: bad).status == 400, "\(bad)")
            }
            let summary = try await engagement(client, key: key, id: id)
            #expect(summary["counts"]?["viewed"] == .number(1))
            #expect(summary["linkOpens"] == .number(0))
            #expect(summary["recent"]?[0]?["actorKind"] == .string("partner"))
            #expect(summary["recent"]?[0]?["metadata"]?["surface"] == .string("dashboard"))
            #expect(summary["recent"]?[0]?["shareId"] == .null)
        }
    }

    @Test(
        "email: 503 without a provider, 502 when it refuses (and no share is left), else a sent share with its open pixel", arguments: DatabaseLeg.all
    )
    func email(leg: DatabaseLeg) async throws {
        try await TestApp.run(leg) { client, services in
            let (key, id) = try await succeededRender(client, services)
            let unconfigured = try await client.call(.post, "/v1/renders/\(id)/email", bearer: key, json: #"{"to":"guest@example.com"}"#)
            #expect(unconfigured.status == 503)
            #expect(unconfigured.errorCode == "email_not_configured")
        }
        let refusing = RecordingEmailSender(refuse: true)
        try await TestApp.run(leg, environment: ["CRAFTKIT_EMAIL_FROM": "Docs <docs@craftkit.example>"], emailSender: refusing) {
            client, services in
            let (key, id) = try await succeededRender(client, services)
            let refused = try await client.call(.post, "/v1/renders/\(id)/email", bearer: key, json: #"{"to":"guest@example.com"}"#)
            #expect(refused.status == 502)
            #expect(refused.errorCode == "email_send_failed")
            #expect(try await client.call(.get, "/v1/renders/\(id)/shares", bearer: key).json["shares"] == .array([]))
            #expect(try await engagement(client, key: key, id: id)["total"] == .number(0))
        }
        let sender = RecordingEmailSender()
        try await TestApp.run(leg, environment: ["CRAFTKIT_EMAIL_FROM": "Docs <docs@craftkit.example>"], emailSender: sender) { client, services in
            let (key, id) = try await succeededRender(client, services)
            for bad in [
                #"{}"#, #"{"to":"a@b.example, c@d.example"}"#, #"{"to":"a@b.example\r\nBcc: evil@x.example"}"#,
                #"{"to":"a@b.example","recipientName":"Eve\r\nBcc: evil@x.example"}"#,
            ] {
                #expect(try await client.call(.post, "/v1/renders/\(id)/email", bearer: key, json: bad).status == 400, "\(bad)")
            }
            let sent = try await client.call(
                .post, "/v1/renders/\(id)/email", bearer: key, json: #"{"to":"guest@example.com","recipientName":"Grace","message":"See <attached>"}"#
            )
            #expect(sent.status == 201)
            #expect(sent.string("emailMessageId") == "re_test_1")
            #expect(sent.string("sentAt") != nil)
            let token = try #require(sent.string("shareToken"))
            let message = try #require(sender.sent.withLock { $0.first })
            #expect(message.to.address == "guest@example.com")
            #expect(message.to.displayName == "Grace")
            #expect(message.from.address == "docs@craftkit.example")
            #expect(message.text.contains("\(services.config.shareBaseURL)/share/\(token)"))
            #expect(message.html.contains("See &lt;attached&gt;"))
            #expect(message.html.contains("/share/\(token)/open.gif"))

            let list = try await client.call(.get, "/v1/renders/\(id)/shares", bearer: key)
            #expect(list.json["shares"]?[0]?["channel"] == .string("email"))
            #expect(list.json["shares"]?[0]?["recipientEmail"] == .string("guest@example.com"))
            let pixel = try await client.execute(uri: "/share/\(token)/open.gif", method: .get) { $0 }
            #expect(pixel.headers[.contentType] == "image/gif")
            _ = try await client.call(.get, "/share/\(token)/open.gif")
            let counts = try await engagement(client, key: key, id: id)["counts"]
            #expect(counts?["email_sent"] == .number(1))
            #expect(counts?["share_created"] == .number(1))
            #expect(counts?["email_opened"] == .number(1))
        }
    }
}

@Suite("Org appearance on guest pages")
struct AppearanceTests {
    @Test("the org's appearance set by provisioning brands the share page; bad colours and plain-http logos are refused", arguments: DatabaseLeg.all)
    func appearance(leg: DatabaseLeg) async throws {
        try await TestApp.run(leg) { client, services in
            let (key, id) = try await ShareRouteTests().succeededRender(client, services)
            for bad in [
                #"{"externalOrgId":"acme","appearance":{"colorPrimary":"red; background:url(x)"}}"#,
                #"{"externalOrgId":"acme","appearance":{"logoUrl":"http://logo.example/a.png"}}"#,
                #"{"externalOrgId":"acme","appearance":{"displayName":"A\nB"}}"#, #"{"externalOrgId":"acme","appearance":"blue"}"#,
            ] {
                let refused = try await client.call(.patch, "/v1/admin/provision", bearer: TestApp.adminKey, json: bad)
                #expect(refused.status == 400, "\(bad)")
            }
            let set = try await client.call(
                .patch, "/v1/admin/provision", bearer: TestApp.adminKey,
                json:
                    ##"{"externalOrgId":"acme","appearance":{"displayName":"Acme & Sons","colorPrimary":"#0f766e","logoUrl":"https://cdn.acme.example/logo.png"}}"##
            )
            #expect(set.status == 200)
            #expect(set.json["appearance"]?["colorPrimary"] == .string("#0f766e"))
            let share = try await client.call(.post, "/v1/renders/\(id)/shares", bearer: key, json: "{}")
            let page = try await client.call(.get, "/share/\(try #require(share.string("shareToken")))")
            #expect(page.body.contains("--ck-primary: #0f766e;"))
            #expect(page.body.contains("Acme &amp; Sons"))
            #expect(page.body.contains(#"src="https://cdn.acme.example/logo.png""#))
            let nonce = try #require(page.body.components(separatedBy: "<style nonce=\"").dropFirst().first?.prefix { $0 != "\"" })
            #expect(page.headers[.contentSecurityPolicy]?.contains("'nonce-\(nonce)'") == true)
            let cleared = try await client.call(
                .patch, "/v1/admin/provision", bearer: TestApp.adminKey, json: #"{"externalOrgId":"acme","appearance":null}"#)
            #expect(cleared.json["appearance"] == .null)
        }
    }
}

@Suite("document.* webhooks")
struct DocumentWebhookTests {
    @Test("each engagement event goes out as its document.* webhook, in the reference's shape", arguments: DatabaseLeg.all)
    func documentEvents(leg: DatabaseLeg) async throws {
        let receiver = WebhookReceiver(failures: 0)
        try await receiver.run { url in
            try await TestApp.run(leg, environment: ["CRAFTKIT_ALLOW_PRIVATE_FETCH": "1"]) { client, services in
                let (key, id) = try await ShareRouteTests().succeededRender(client, services)
                let endpoint = try await client.call(
                    .post, "/v1/webhooks", bearer: key, json: #"{"url":"\#(url)","events":["document.share_created","document.viewed"]}"#)
                #expect(endpoint.status == 201)
                let share = try await client.call(.post, "/v1/renders/\(id)/shares", bearer: key, json: "{}")
                _ = try await client.call(.get, "/share/\(try #require(share.string("shareToken")))", headers: [.userAgent: "GuestBrowser/1.0"])
                _ = try await client.call(.post, "/v1/renders/\(id)/events", bearer: key, json: #"{"eventType":"printed"}"#)
                let deadline = ContinuousClock.now + .seconds(30)
                while receiver.received.withLock({ $0.count }) < 2, ContinuousClock.now < deadline {
                    if try await !services.webhookDeliverer.runOnce(owner: "w") { try await Task.sleep(for: .milliseconds(5)) }
                }
                let events = try receiver.received.withLock { $0 }.map { try JSONValue.parse($0.body) }
                #expect(events.map { $0["event"] } == [.string("document.share_created"), .string("document.viewed")])
                let viewed = try #require(events.last)
                #expect(viewed["renderId"] == .string(id))
                #expect(viewed["eventType"] == .string("viewed"))
                #expect(viewed["actorKind"] == .string("recipient"))
                #expect(viewed["shareId"] == share.json["id"])
                #expect(viewed["userAgent"] == .string("GuestBrowser/1.0"))
                #expect(viewed["metadata"] == .null)
                #expect(viewed["templateId"] != nil && viewed["eventId"] != nil && viewed["createdAt"] != nil)
                #expect(try await !services.webhookDeliverer.runOnce(owner: "w"), "printed is not subscribed")
            }
        }
    }
}

@Suite("Email through a provider")
struct EmailProviderRouteTests {
    @Test("POST /email through the Resend API (a local stand-in) carries the org's sender, the recipient and the link, and no injected header")
    func resend() async throws {
        let receiver = WebhookReceiver(failures: 0)
        try await receiver.run { url in
            let base = url.replacingOccurrences(of: "/hook", with: "")
            let environment = ["CRAFTKIT_RESEND_API_KEY": "re_test_key_123", "CRAFTKIT_RESEND_BASE_URL": base, "CRAFTKIT_ALLOW_PRIVATE_FETCH": "1"]
            try await TestApp.run(.sqlite, environment: environment) { client, services in
                #expect(services.emailSender?.provider == "resend")
                let (key, id) = try await ShareRouteTests().succeededRender(client, services)
                let sender = try await client.call(
                    .patch, "/v1/admin/provision", bearer: TestApp.adminKey,
                    json: #"{"externalOrgId":"acme","emailFrom":"Acme Billing <billing@acme.example>"}"#)
                #expect(sender.status == 200)
                let sent = try await client.call(
                    .post, "/v1/renders/\(id)/email", bearer: key,
                    json: #"{"to":"grace@example.com","recipientName":"Grace Hopper","message":"Bcc: evil@x.example"}"#)
                #expect(sent.status == 201, "\(sent.body)")
                #expect(sent.string("emailMessageId") == "re_local_1")
                let request = try #require(receiver.received.withLock { $0.first })
                #expect(request.headers["authorization"] == "Bearer re_test_key_123")
                let body = try JSONValue.parse(request.body)
                #expect(body["from"] == .string("Acme Billing <billing@acme.example>"))
                #expect(body["to"] == .array([.string("Grace Hopper <grace@example.com>")]) || body["to"] == .array([.string("grace@example.com")]))
                let token = try #require(sent.string("shareToken"))
                #expect(body["text"].flatMap { if case .string(let t) = $0 { t } else { nil } }?.contains("/share/\(token)") == true)
                #expect(body["headers"]?["Bcc"] == nil && body["bcc"] == nil)
            }
        }
    }
}
