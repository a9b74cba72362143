import Core
import Delivery
import Foundation
import HTTPTypes
import HummingbirdTesting
import SQLKit
import Signatures
import Storage
import Synchronization
import TestSupport
import Testing
import Webhooks

@testable import PartnerAPI

/// Built-in signing through the API and the signing page's JSON endpoints, on both database legs.
@Suite("Signature requests")
struct SignatureRouteTests {
    static let environment = ["CRAFTKIT_EMAIL_FROM": "Acme Docs <docs@example.com>"]
    /// A 1×1 PNG, as a drawn signature.
    static let png = "data:image/png;base64,iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mNkYPhfDwAChwGA60e6kgAAAABJRU5ErkJggg=="

    static func body(renderID: String, ordered: Bool = true, extra: String = "") -> String {
        let orders = ordered ? (#","order":1"#, #","order":2"#) : ("", "")
        return """
            {"renderId":"\(renderID)","name":"Charter handover","recipients":[
              {"firstName":"Ada","lastName":"Lovelace","email":"ada@example.com"\(orders.0)},
              {"firstName":"Bob","email":"bob@example.com"\(orders.1)}],
             "fields":[{"page":1,"x":10,"y":80,"width":30,"height":6,"type":"signature","recipientIndex":0},
              {"page":1,"x":55,"y":80,"width":30,"height":6,"type":"signature","recipientIndex":1},
              {"page":1,"x":55,"y":88,"width":20,"height":4,"type":"date","recipientIndex":1},
              {"page":1,"x":10,"y":88,"width":20,"height":4,"type":"text","recipientIndex":0,"required":false}]\(extra)}
            """
    }

    /// The signing token in an invitation.
    static func token(in message: EmailMessage) throws -> String {
        let text = message.text
        let start = try #require(text.range(of: "/sign/"))
        return String(text[start.upperBound...].prefix { $0.isLetter || $0.isNumber || $0 == "_" || $0 == "-" })
    }

    static func run(
        _ leg: DatabaseLeg, _ body: @Sendable (any TestClientProtocol, AppServices, RecordingEmailSender) async throws -> Void
    )
        async throws
    {
        let sender = RecordingEmailSender()
        try await TestApp.run(leg, environment: environment, emailSender: sender) { client, services in
            try await body(client, services, sender)
        }
    }

    static func drain(_ services: AppServices) async throws {
        while try await SignatureJobs(services: services).runOnce(owner: "test-signature") {}
    }

    @Test("two signers in order: the second is invited only after the first signs; tokens stop at the end", arguments: DatabaseLeg.all)
    func sequentialFlow(leg: DatabaseLeg) async throws {
        try await Self.run(leg) { client, services, sender in
            let (key, renderID) = try await ShareRouteTests().succeededRender(client, services)
            let created = try await client.call(.post, "/v1/signatures", bearer: key, json: Self.body(renderID: renderID))
            #expect(created.status == 201)
            let id = try #require(created.string("id"))
            #expect(created.string("status") == "sent")
            #expect(created.string("renderId") == renderID)
            #expect(created.string("name") == "Charter handover")
            #expect(created.json["expirationHours"] == .number(168))
            #expect(created.json["signedDownloadUrl"] == .null)
            #expect(created.json["certificateUrl"] == .null)
            #expect(created.json["completedAt"] == .null)
            #expect(created.json["recipients"]?[0]?["designation"] == .string("Signer"))
            #expect(created.json["recipients"]?[1]?["order"] == .number(2))
            #expect(created.json["recipients"]?[0]?["status"] == .string("pending"))

            try await Self.drain(services)
            var sent = sender.sent.withLock { $0 }
            #expect(sent.count == 1)
            #expect(sent.first?.to.address == "ada@example.com")
            let ada = try Self.token(in: try #require(sent.first))
            #expect(ada.hasPrefix(SigningToken.prefix))

            let page = try await client.call(.get, "/sign/\(ada)/request")
            #expect(page.status == 200)
            #expect(page.json["recipient"]?["canSign"] == .bool(true))
            #expect(page.json["recipient"]?["status"] == .string("pending"))
            #expect(page.json["fields"]?[1]?["type"] == .string("text"))
            #expect(page.json["fields"]?[2] == nil)
            #expect(page.json["document"]?["pageCount"] == .number(1))
            #expect(page.json["consent"]?["version"] == .string(SignatureService.consentVersion))
            #expect(page.headers[.init("Referrer-Policy")!] == "no-referrer")
            #expect(try await client.call(.get, "/v1/signatures/\(id)", bearer: key).string("status") == "viewed")
            let image = try await client.execute(uri: "/sign/\(ada)/pages/1", method: .get) { $0 }
            #expect(image.status == .ok)
            #expect(try await client.call(.get, "/sign/\(ada)/pages/2").status == 404)

            let missing = try await client.call(.post, "/sign/\(ada)/sign", json: #"{"consent":true,"values":[]}"#)
            #expect(missing.status == 422)
            #expect(missing.body.contains("Required fields have no value: 0"))
            let noConsent = try await client.call(.post, "/sign/\(ada)/sign", json: #"{"consent":false,"values":[{"field":0,"text":"Ada"}]}"#)
            #expect(noConsent.status == 422)
            let notHers = try await client.call(.post, "/sign/\(ada)/sign", json: #"{"consent":true,"values":[{"field":1,"text":"Bob"}]}"#)
            #expect(notHers.status == 422)
            let signed = try await client.call(
                .post, "/sign/\(ada)/sign", json: #"{"consent":true,"values":[{"field":0,"image":"\#(Self.png)"}]}"#,
                headers: [.userAgent: "Signer Browser/1.0"])
            #expect(signed.status == 200)
            #expect(signed.string("status") == "signed")
            #expect(try await client.call(.post, "/sign/\(ada)/sign", json: #"{"consent":true,"values":[{"field":0,"text":"x"}]}"#).status == 409)

            try await Self.drain(services)
            sent = sender.sent.withLock { $0 }
            #expect(sent.count == 2)
            #expect(sent.last?.to.address == "bob@example.com")
            let bob = try Self.token(in: try #require(sent.last))
            let bobPage = try await client.call(.get, "/sign/\(bob)/request")
            #expect(bobPage.json["recipient"]?["canSign"] == .bool(true))
            let bobSigned = try await client.call(
                .post, "/sign/\(bob)/sign", json: #"{"consent":true,"values":[{"field":1,"text":"Bob Builder"},{"field":2,"text":"2026-12-03"}]}"#)
            #expect(bobSigned.status == 200)

            let listed = try await client.call(.get, "/v1/signatures/\(id)", bearer: key)
            #expect(listed.json["recipients"]?[0]?["status"] == .string("signed"))
            #expect(listed.json["recipients"]?[0]?["signedAt"] != nil)
            let events = try await services.signatures.events(requestID: id)
            #expect(events.map(\.type) == [.created, .invited, .viewed, .signed, .invited, .viewed, .signed])
            #expect(AuditTrail.problems(in: events).isEmpty)
            #expect(events[3].userAgent == "Signer Browser/1.0")
            #expect(events[3].detail["consent"]?["version"] == .string(SignatureService.consentVersion))

            // The last signature queued the seal: stamped, signed, certificate drawn and signed.
            try await Self.drain(services)
            let done = try await client.call(.get, "/v1/signatures/\(id)", bearer: key)
            #expect(done.string("status") == "completed")
            #expect(done.string("signedDownloadUrl") == "\(services.config.publicURL)/v1/signatures/\(id)/download")
            #expect(done.string("certificateUrl") == "\(services.config.publicURL)/v1/signatures/\(id)/certificate")
            #expect(done.string("completedAt") != nil)
            let signedPDF = try await client.execute(uri: "/v1/signatures/\(id)/download", method: .get, headers: [.authorization: "Bearer \(key)"]) {
                $0
            }
            #expect(signedPDF.status == .ok)
            #expect(signedPDF.headers[.contentDisposition] == "attachment; filename=\"\(id)-signed.pdf\"")
            let pdf = Data(signedPDF.body.readableBytesView)
            let report = try PDFSig.report(pdf)
            #expect(report.ok)
            #expect(report.output.contains("Signature is Valid"))
            #expect(
                report.output.contains("The signature form field is signed by the whole document") || report.output.contains("Total document signed"))
            var flipped = pdf
            flipped[flipped.count / 2] ^= 0x01
            #expect(!(try PDFSig.report(flipped).output.contains("Signature is Valid")))
            let blobKey = try await services.database.sql.raw("SELECT blob_key FROM renders WHERE id = \(bind: renderID)").first()?
                .decode(column: "blob_key", as: String.self)
            let renderKey = try #require(blobKey)
            let original = try #require(try await services.blobs.get(key: renderKey))
            #expect(pdf.prefix(original.count) == original)
            #expect(try await services.signatures.find(id: id)?.request.sha256Before == Hex.sha256(original))

            let certificate = try await client.execute(
                uri: "/v1/signatures/\(id)/certificate", method: .get, headers: [.authorization: "Bearer \(key)"]
            ) { $0 }
            #expect(certificate.status == .ok)
            let certificatePDF = Data(certificate.body.readableBytesView)
            #expect(try PDFSig.report(certificatePDF).output.contains("Signature is Valid"))
            let text = try PDFText.extract(certificatePDF)
            #expect(text.contains("Ada Lovelace") && text.contains("bob@example.com"))
            #expect(try await client.call(.get, "/sign/\(ada)/request").status == 410)
            #expect(try await client.call(.post, "/sign/\(bob)/sign", json: #"{"consent":true,"values":[]}"#).status == 410)
            #expect(try await client.call(.post, "/v1/signatures/\(id)/cancel", bearer: key).status == 409)
            let trail = try await services.signatures.events(requestID: id)
            #expect(trail.last?.type == .completed)
            #expect(AuditTrail.problems(in: trail).isEmpty)
            // Webhook bodies in the reference's shape, built from the audit event each delivery names.
            let payloads = WebhookPayloads(
                renders: SQLRenderRepository(database: services.database), templates: SQLTemplateRepository(database: services.database),
                engagement: services.deliveryStore, presenter: RenderPresenter(config: services.config), signatures: services.signatureStore)
            func payload(_ event: AuditEvent) async throws -> JSONValue {
                let delivery = WebhookDelivery(
                    id: "d", endpointID: "e", projectID: event.projectID, eventID: "ev-\(event.sequence)",
                    eventType: try #require(event.type.webhookEvent).rawValue, subjectID: event.id, status: .pending, attempts: 0,
                    lastStatusCode: nil, lastError: nil, createdAt: event.at, deliveredAt: nil)
                return try JSONValue.parse(try await payloads.body(for: delivery))
            }
            let sentBody = try await payload(trail[0])
            #expect(sentBody["event"] == .string("signature.sent"))
            #expect(sentBody["signatureRequestId"] == .string(id))
            #expect(sentBody["renderId"] == .string(renderID))
            #expect(sentBody["status"] == .string("sent"))
            #expect(sentBody["name"] == .string("Charter handover"))
            #expect(sentBody["recipients"]?[1]?["email"] == .string("bob@example.com"))
            let signedBody = try await payload(try #require(trail.first { $0.type == .signed }))
            #expect(signedBody["event"] == .string("signature.signed"))
            #expect(signedBody["recipient"]?["email"] == .string("ada@example.com"))
            #expect(signedBody["recipients"] == nil)
            #expect(try await payload(try #require(trail.last))["status"] == .string("completed"))
            let verified = try await SignatureVerification(services: services).report(id: id)
            #expect(verified.isValid, "\(verified.problems)")
            #expect(verified.lines.contains { $0.hasPrefix("signed PDF:") && $0.hasSuffix("signature valid") })
            #expect(PDFSignatureVerifier.verify(Array(flipped)).isValid == false)
        }
    }

    @Test("parallel recipients are invited at once; a decline ends the request and its tokens answer 410", arguments: DatabaseLeg.all)
    func declineFlow(leg: DatabaseLeg) async throws {
        try await Self.run(leg) { client, services, sender in
            let (key, renderID) = try await ShareRouteTests().succeededRender(client, services)
            let created = try await client.call(.post, "/v1/signatures", bearer: key, json: Self.body(renderID: renderID, ordered: false))
            let id = try #require(created.string("id"))
            try await Self.drain(services)
            let sent = sender.sent.withLock { $0 }
            #expect(sent.count == 2)
            let bob = try Self.token(in: sent[1])
            let declined = try await client.call(.post, "/sign/\(bob)/decline", json: #"{"reason":"Wrong dates"}"#)
            #expect(declined.status == 200)
            #expect(declined.string("status") == "declined")
            let request = try await client.call(.get, "/v1/signatures/\(id)", bearer: key)
            #expect(request.string("status") == "declined")
            #expect(request.string("errorMessage")?.contains("Wrong dates") == true)
            #expect(request.json["recipients"]?[1]?["declinedAt"] != nil)
            let ada = try Self.token(in: sent[0])
            let gone = try await client.call(.get, "/sign/\(ada)/request")
            #expect(gone.status == 410)
            #expect(gone.errorCode == "gone")
            #expect(try await client.call(.post, "/sign/\(ada)/sign", json: #"{"consent":true,"values":[]}"#).status == 410)
            #expect(try await client.call(.get, "/sign/\(ada)/pages/1").status == 410)
            #expect(try await client.call(.post, "/sign/\(bob)/decline").status == 410)
            #expect(try await client.call(.post, "/v1/signatures/\(id)/cancel", bearer: key).status == 409)
            #expect(try await client.call(.get, "/sign/\(SigningToken.make())/request").status == 404)
            #expect(try await client.call(.get, "/sign/not-a-token/request").status == 404)
        }
    }

    @Test("cancel: reason kept, terminal afterwards, downloads 409 until completed", arguments: DatabaseLeg.all)
    func cancel(leg: DatabaseLeg) async throws {
        try await Self.run(leg) { client, services, sender in
            let (key, renderID) = try await ShareRouteTests().succeededRender(client, services)
            let id = try #require(try await client.call(.post, "/v1/signatures", bearer: key, json: Self.body(renderID: renderID)).string("id"))
            let download = try await client.call(.get, "/v1/signatures/\(id)/download", bearer: key)
            #expect(download.status == 409)
            #expect(download.errorCode == "conflict")
            #expect(download.string("error", "message") == "Signed document is not available yet (status: sent).")
            let certificate = try await client.call(.get, "/v1/signatures/\(id)/certificate", bearer: key)
            #expect(certificate.string("error", "message") == "Completion certificate is not available yet (status: sent).")
            #expect(try await client.call(.post, "/v1/signatures/\(id)/cancel", bearer: key, json: #"{"reason":5}"#).status == 400)
            let long = String(repeating: "x", count: 501)
            #expect(try await client.call(.post, "/v1/signatures/\(id)/cancel", bearer: key, json: #"{"reason":"\#(long)"}"#).status == 400)
            let cancelled = try await client.call(.post, "/v1/signatures/\(id)/cancel", bearer: key, json: #"{"reason":"Superseded"}"#)
            #expect(cancelled.status == 200)
            #expect(cancelled.string("status") == "cancelled")
            #expect(cancelled.string("errorMessage") == "Superseded")
            #expect(cancelled.json["completedAt"] == .null)
            let again = try await client.call(.post, "/v1/signatures/\(id)/cancel", bearer: key)
            #expect(again.status == 409)
            #expect(again.errorCode == "conflict")
            // The job finds the request ended and invites nobody.
            try await Self.drain(services)
            #expect(sender.sent.withLock { $0.isEmpty })
            let events = try await services.signatures.events(requestID: id)
            #expect(events.map(\.type) == [.created, .cancelled])
        }
    }

    @Test("bad requests: every rule answers 400 or 422 with the field named, and writes nothing", arguments: DatabaseLeg.all)
    func validation(leg: DatabaseLeg) async throws {
        try await Self.run(leg) { client, services, _ in
            let (key, renderID) = try await ShareRouteTests().succeededRender(client, services)
            func post(_ json: String) async throws -> TestResult { try await client.call(.post, "/v1/signatures", bearer: key, json: json) }
            let recipient = #"{"firstName":"Ada","email":"ada@example.com"}"#
            let field = #"{"page":1,"x":10,"y":10,"width":10,"height":5,"type":"signature","recipientIndex":0}"#
            var result = try await post(
                #"{"renderId":"\#(renderID)","recipients":[\#(recipient)],"fields":[\#(field.replacingOccurrences(of: "\"recipientIndex\":0", with: "\"recipientIndex\":3"))]}"#
            )
            #expect(result.status == 400)
            #expect(result.json["error"]?["issues"]?["fieldErrors"]?["fields[0].recipientIndex"] != nil)
            result = try await post(
                #"{"renderId":"\#(renderID)","recipients":[{"firstName":"A","email":"a@example.com","order":1},{"firstName":"B","email":"b@example.com","order":1}],"fields":[\#(field)]}"#
            )
            #expect(result.status == 400)
            #expect(result.body.contains("permutation"))
            result = try await post(#"{"renderId":"\#(renderID)","recipients":[\#(recipient)]}"#)
            #expect(result.status == 400)
            #expect(result.body.contains("A Signer needs at least one field"))
            result = try await post(
                #"{"renderId":"\#(renderID)","recipients":[\#(recipient)],"fields":[\#(field.replacingOccurrences(of: "\"page\":1", with: "\"page\":9"))]}"#
            )
            #expect(result.status == 422)
            #expect(result.json["error"]?["issues"]?["fieldErrors"]?["fields[0].page"] != nil)
            result = try await post(
                #"{"renderId":"\#(renderID)","recipients":[\#(recipient)],"fields":[\#(field.replacingOccurrences(of: "\"x\":10", with: "\"x\":95"))]}"#
            )
            #expect(result.status == 400)
            result = try await post(
                #"{"renderId":"\#(renderID)","recipients":[\#(recipient)],"anchorTags":[{"anchorString":"{{nowhere}}","type":"signature","recipientIndex":0}]}"#
            )
            #expect(result.status == 422)
            #expect(result.body.contains("{{nowhere}}"))
            result = try await post(#"{"renderId":"\#(renderID)","recipients":[],"fields":[]}"#)
            #expect(result.status == 400)
            result = try await post(#"{"renderId":"\#(renderID)","recipients":[\#(recipient)],"fields":[\#(field)],"expirationHours":9000}"#)
            #expect(result.status == 400)
            result = try await post(#"{"renderId":"\#(renderID)","recipients":[{"firstName":"A","email":"not an email"}],"fields":[\#(field)]}"#)
            #expect(result.status == 400)
            result = try await post(#"{"renderId":"\#(renderID)","name":"two\nlines","recipients":[\#(recipient)],"fields":[\#(field)]}"#)
            #expect(result.status == 400)
            #expect(try await post("[1]").status == 400)
            #expect(try await post("{").status == 400)
            // A render that has not finished: queued, not signable.
            let queued = try await client.call(
                .post, "/v1/templates/invoice/render", bearer: key, json: ShareRouteTests().data)
            let queuedID = try #require(queued.string("id"))
            result = try await post(#"{"renderId":"\#(queuedID)","recipients":[\#(recipient)],"fields":[\#(field)]}"#)
            #expect(result.status == 409)
            #expect(result.errorCode == "not_ready")
            result = try await post(#"{"renderId":"\#(UUID().uuidString)","recipients":[\#(recipient)],"fields":[\#(field)]}"#)
            #expect(result.status == 404)
            let rows = try await services.database.sql.raw("SELECT COUNT(*) AS n FROM signature_requests").first()
            #expect(try rows?.decode(column: "n", as: Int64.self) == 0)
        }
    }

    @Test("idempotent create, listing with a keyset cursor, and nothing of another project reachable", arguments: DatabaseLeg.all)
    func idempotencyListingAndTenancy(leg: DatabaseLeg) async throws {
        try await Self.run(leg) { client, services, _ in
            let (key, renderID) = try await ShareRouteTests().succeededRender(client, services)
            let body = Self.body(renderID: renderID)
            let first = try await client.call(.post, "/v1/signatures", bearer: key, json: body, headers: [.init("Idempotency-Key")!: "handover-1"])
            #expect(first.status == 201)
            let replay = try await client.call(.post, "/v1/signatures", bearer: key, json: body, headers: [.init("Idempotency-Key")!: "handover-1"])
            #expect(replay.status == 200)
            #expect(replay.string("id") == first.string("id"))
            let reused = try await client.call(
                .post, "/v1/signatures", bearer: key, json: Self.body(renderID: renderID, ordered: false),
                headers: [.init("Idempotency-Key")!: "handover-1"])
            #expect(reused.status == 409)
            try await Task.sleep(for: .milliseconds(5))
            let second = try await client.call(.post, "/v1/signatures", bearer: key, json: body)
            #expect(second.status == 201)

            let page = try await client.call(.get, "/v1/signatures?limit=1", bearer: key)
            #expect(page.status == 200)
            #expect(page.json["signatures"]?[0]?["id"] == .string(try #require(second.string("id"))))
            #expect(page.json["hasMore"] == .bool(true))
            let cursor = try #require(page.string("nextCursor"))
            let next = try await client.call(.get, "/v1/signatures?limit=1&cursor=\(cursor)", bearer: key)
            #expect(next.json["signatures"]?[0]?["id"] == .string(try #require(first.string("id"))))
            #expect(next.json["hasMore"] == .bool(false))
            #expect(next.json["nextCursor"] == .null)
            #expect(try await client.call(.get, "/v1/signatures?renderId=\(UUID().uuidString)", bearer: key).json["signatures"] == .array([]))
            #expect(try await client.call(.get, "/v1/signatures?limit=0", bearer: key).status == 400)
            #expect(try await client.call(.get, "/v1/signatures?cursor=yesterday", bearer: key).status == 400)
            #expect(try await client.call(.get, "/v1/signatures?cursor=2000-08-07T06%3A58%3A38.03%2B18%3A59", bearer: key).status == 200)
            #expect(SignatureRoutes.rfc3339Millis("1970-01-01T01:00:00.5+01:00") == 500)
            #expect(SignatureRoutes.rfc3339Millis("2026-02-30T00:00:00Z") == nil)
            #expect(try await client.call(.get, "/v1/signatures?renderId=nope", bearer: key).status == 400)

            let other = try await provisionKey(client, org: "globex")
            let id = try #require(first.string("id"))
            #expect(try await client.call(.get, "/v1/signatures/\(id)", bearer: other).status == 404)
            #expect(try await client.call(.post, "/v1/signatures/\(id)/cancel", bearer: other).status == 404)
            #expect(try await client.call(.get, "/v1/signatures/\(id)/download", bearer: other).status == 404)
            #expect(try await client.call(.get, "/v1/signatures/\(id)/certificate", bearer: other).status == 404)
            #expect(try await client.call(.get, "/v1/signatures", bearer: other).json["signatures"] == .array([]))
            #expect(try await client.call(.post, "/v1/signatures", bearer: other, json: body).status == 404)
            #expect(try await client.call(.get, "/v1/signatures/\(id)").status == 401)
        }
    }

    @Test("anchor tags place a field at every place the text is drawn", arguments: DatabaseLeg.all)
    func anchors(leg: DatabaseLeg) async throws {
        try await Self.run(leg) { client, services, sender in
            let (key, renderID) = try await ShareRouteTests().succeededRender(client, services)
            let created = try await client.call(
                .post, "/v1/signatures", bearer: key,
                json: #"""
                    {"renderId":"\#(renderID)","recipients":[{"firstName":"Ada","email":"ada@example.com"}],
                     "anchorTags":[{"anchorString":"Ada Lovelace","type":"signature","recipientIndex":0,"height":30}]}
                    """#)
            #expect(created.status == 201)
            try await Self.drain(services)
            let ada = try Self.token(in: try #require(sender.sent.withLock { $0.first }))
            let view = try await client.call(.get, "/sign/\(ada)/request")
            guard case .array(let fields)? = view.json["fields"] else { throw Failure.noFields }
            #expect(!fields.isEmpty)
            guard case .number(let height)? = fields.first?["height"], case .number(let pageHeight)? = view.json["document"]?["pages"]?[0]?["height"]
            else { throw Failure.noFields }
            #expect(abs(height / 100 * pageHeight - 30) < 0.5)
        }
    }

    enum Failure: Error { case noFields }

    @Test("reminders: after reminderHours without acting, and again after as long, never to who acted", arguments: DatabaseLeg.all)
    func reminders(leg: DatabaseLeg) async throws {
        try await Self.run(leg) { client, services, sender in
            let (key, renderID) = try await ShareRouteTests().succeededRender(client, services)
            let created = try await client.call(
                .post, "/v1/signatures", bearer: key, json: Self.body(renderID: renderID, ordered: false, extra: #","reminderHours":1"#))
            #expect(created.status == 201)
            let id = try #require(created.string("id"))
            try await Self.drain(services)
            #expect(sender.sent.withLock { $0.count } == 2)
            let jobs = SignatureJobs(services: services)
            try await jobs.remind(now: Date().epochMillis)
            #expect(sender.sent.withLock { $0.count } == 2)
            try await services.database.sql.raw("UPDATE signature_recipients SET invited_at = invited_at - 3600001").run()
            try await jobs.remind(now: Date().epochMillis)
            var sent = sender.sent.withLock { $0 }
            #expect(sent.count == 4)
            #expect(sent.last?.subject.hasPrefix("Reminder: ") == true)
            try await jobs.remind(now: Date().epochMillis)
            #expect(sender.sent.withLock { $0.count } == 4)
            let bob = try Self.token(in: sent[1])
            #expect(
                try await client.call(
                    .post, "/sign/\(bob)/sign", json: #"{"consent":true,"values":[{"field":1,"text":"Bob"},{"field":2,"text":"today"}]}"#
                ).status == 200)
            try await services.database.sql.raw("UPDATE signature_recipients SET reminded_at = reminded_at - 3600001").run()
            try await jobs.remind(now: Date().epochMillis)
            sent = sender.sent.withLock { $0 }
            #expect(sent.count == 5)
            #expect(sent.last?.to.address == "ada@example.com")
            let events = try await services.signatures.events(requestID: id)
            #expect(events.filter { $0.type == .reminded }.count == 3)
            #expect(AuditTrail.problems(in: events).isEmpty)
            #expect(
                try await client.call(.post, "/v1/signatures", bearer: key, json: Self.body(renderID: renderID, extra: #","reminderHours":0"#)).status
                    == 400)
        }
    }

    @Test("a request past its expiry is expired when read and by the sweep, once", arguments: DatabaseLeg.all)
    func expiry(leg: DatabaseLeg) async throws {
        try await Self.run(leg) { client, services, sender in
            let (key, renderID) = try await ShareRouteTests().succeededRender(client, services)
            let a = try #require(try await client.call(.post, "/v1/signatures", bearer: key, json: Self.body(renderID: renderID)).string("id"))
            let b = try #require(
                try await client.call(.post, "/v1/signatures", bearer: key, json: Self.body(renderID: renderID, ordered: false)).string("id"))
            try await Self.drain(services)
            let ada = try Self.token(in: try #require(sender.sent.withLock { $0.first }))
            try await services.database.sql.raw("UPDATE signature_requests SET expires_at = 1").run()
            #expect(try await client.call(.get, "/v1/signatures/\(a)", bearer: key).string("status") == "expired")
            #expect(try await client.call(.get, "/sign/\(ada)/request").status == 410)
            #expect(try await services.signatures.sweep(now: Date().epochMillis) == 1)
            #expect(try await services.signatures.sweep(now: Date().epochMillis) == 0)
            #expect(try await client.call(.get, "/v1/signatures/\(b)", bearer: key).string("status") == "expired")
            #expect(try await services.signatures.events(requestID: a).filter { $0.type == .expired }.count == 1)
        }
    }

    @Test("the audit trail refuses UPDATE and DELETE, and its chain shows an edited event", arguments: DatabaseLeg.all)
    func auditTrailIsAppendOnly(leg: DatabaseLeg) async throws {
        try await Self.run(leg) { client, services, _ in
            let (key, renderID) = try await ShareRouteTests().succeededRender(client, services)
            let id = try #require(try await client.call(.post, "/v1/signatures", bearer: key, json: Self.body(renderID: renderID)).string("id"))
            _ = try await client.call(.post, "/v1/signatures/\(id)/cancel", bearer: key, json: #"{"reason":"test"}"#)
            await #expect(throws: (any Error).self) {
                try await services.database.sql.raw("UPDATE signature_events SET user_agent = 'forged'").run()
            }
            await #expect(throws: (any Error).self) {
                try await services.database.sql.raw("DELETE FROM signature_events").run()
            }
            var events = try await services.signatures.events(requestID: id)
            #expect(events.count == 2)
            #expect(AuditTrail.problems(in: events).isEmpty)
            events[1].detail = .object(["status": .string("completed")])
            #expect(!AuditTrail.problems(in: events).isEmpty)
            #expect(!AuditTrail.problems(in: [events[1]]).isEmpty)
            // Past the triggers (an operator with DDL rights), an edit still shows in the chain.
            #expect(try await SignatureVerification(services: services).report(id: id).isValid)
            if services.database.engine == .sqlite {
                try await services.database.sql.raw("DROP TRIGGER signature_events_no_update").run()
            } else {
                try await services.database.sql.raw("DROP TRIGGER signature_events_no_change ON signature_events").run()
            }
            try await services.database.sql.raw("UPDATE signature_events SET user_agent = 'forged' WHERE seq = 1").run()
            let report = try await SignatureVerification(services: services).report(id: id)
            #expect(!report.isValid)
            #expect(report.problems.contains { $0.contains("event 1 (created): hash does not match") })
        }
    }
}
