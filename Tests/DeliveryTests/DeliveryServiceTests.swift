import Core
import Foundation
import Testing

@testable import Delivery

/// The delivery rules without a database: what each call stores, records and emits, all or nothing.
struct DeliveryServiceTests {
    let store = InMemoryDeliveryStore()
    let work = InMemoryUnitOfWork()
    let render = DeliverableRender(id: "r1", projectID: "p1", templateID: "t1", succeeded: true)
    var service: DeliveryService {
        DeliveryService(shares: store, engagement: store, work: work, secrets: SecretBox(secret: "test-secret-0123456789"))
    }

    struct RecordingSender: EmailSender {
        let provider = "test"
        let refuse: Bool
        func send(_ message: EmailMessage) async throws -> String {
            if refuse { throw EmailSendError.rejected("domain not verified") }
            return "msg-1"
        }
    }

    func emitted() -> [String] {
        work.committed.flatMap { $0 }.compactMap { if case .event(_, let event, _, _) = $0 { event.rawValue } else { nil } }
    }

    @Test func creatingAShareRecordsShareCreatedAndEmitsItsWebhookEvent() async throws {
        let issued = try await service.createShare(render: render, input: ShareInput(), now: 1_000)
        #expect(issued.token.hasPrefix("cks_"))
        #expect(issued.share.tokenHash == ShareToken.hash(issued.token))
        #expect(!issued.share.sealedToken.contains(issued.token))
        #expect(await store.events.map(\.type) == [.shareCreated])
        #expect(emitted() == ["document.share_created"])
        let listed = try await service.listShares(render: render)
        #expect(listed.map(\.token) == [issued.token])
    }

    @Test func aRenderThatHasNotSucceededCannotBeShared() async throws {
        let queued = DeliverableRender(id: "r2", projectID: "p1", templateID: "t1", succeeded: false)
        await #expect(throws: AppError.conflict("not_ready", "Render r2 has not succeeded; only a finished PDF can be shared.")) {
            try await service.createShare(render: queued, input: ShareInput(), now: 1_000)
        }
        #expect(await store.events.isEmpty)
    }

    @Test func anExpiryInThePastIsRefused() async throws {
        await #expect(throws: AppError.self) {
            try await service.createShare(render: render, input: ShareInput(expiresAt: 500), now: 1_000)
        }
    }

    @Test func revokedAndExpiredSharesAreGoneAndUnknownTokensAreUnknown() async throws {
        let live = try await service.createShare(render: render, input: ShareInput(expiresAt: 5_000), now: 1_000)
        #expect(try await service.access(token: live.token, now: 2_000) == .active(live.share))
        if case .gone = try await service.access(token: live.token, now: 5_000) {} else { Issue.record("an expired share must be gone") }
        let other = try await service.createShare(render: render, input: ShareInput(), now: 1_000)
        _ = try await service.revoke(render: render, shareID: other.share.id, now: 3_000)
        if case .gone(let share) = try await service.access(token: other.token, now: 3_001) {
            #expect(share.revokedReason == "revoked_by_partner")
        } else {
            Issue.record("a revoked share must be gone")
        }
        #expect(try await service.access(token: "cks_" + String(repeating: "a", count: 43), now: 1) == .unknown)
        #expect(try await service.access(token: "../../etc/passwd", now: 1) == .unknown)
        #expect(emitted().suffix(1) == ["document.share_revoked"])
    }

    @Test func aShareIsRevokedOnce() async throws {
        let issued = try await service.createShare(render: render, input: ShareInput(), now: 1_000)
        _ = try await service.revoke(render: render, shareID: issued.share.id, now: 2_000)
        await #expect(throws: AppError.self) { try await service.revoke(render: render, shareID: issued.share.id, now: 3_000) }
        let otherRender = DeliverableRender(id: "r9", projectID: "p1", templateID: "t1", succeeded: true)
        let second = try await service.createShare(render: render, input: ShareInput(), now: 1_000)
        await #expect(throws: AppError.self) { try await service.revoke(render: otherRender, shareID: second.share.id, now: 3_000) }
    }

    @Test func recipientEventsAreDeduplicatedForFiveMinutesPerViewer() async throws {
        let issued = try await service.createShare(render: render, input: ShareInput(), now: 0)
        let share = issued.share
        #expect(try await service.recordRecipient(.viewed, share: share, render: render, viewer: "v1", userAgent: "UA", now: 1_000))
        #expect(try await !service.recordRecipient(.viewed, share: share, render: render, viewer: "v1", userAgent: "UA", now: 200_000))
        #expect(try await service.recordRecipient(.viewed, share: share, render: render, viewer: "v2", userAgent: "UA", now: 200_000))
        #expect(try await service.recordRecipient(.downloaded, share: share, render: render, viewer: "v1", userAgent: "UA", now: 200_000))
        #expect(try await service.recordRecipient(.viewed, share: share, render: render, viewer: "v1", userAgent: "UA", now: 301_001))
        let summary = try await service.engagement(render: render)
        #expect(summary.counts[.viewed] == 3)
        #expect(summary.counts[.downloaded] == 1)
        #expect(summary.counts[.printed] == 0)
        #expect(summary.linkOpens == 3)
        #expect(summary.total == 5)
        #expect(summary.recent.first?.actorKind == .recipient)
        #expect(try await service.listShares(render: render).first?.listed.clickCount == 3)
    }

    @Test func aRefusedEmailLeavesNoShareBehind() async throws {
        let input = try EmailInput(json: .object(["to": .string("guest@example.com")]))
        let from = try #require(EmailAddress.parse("Acme <docs@acme.example>"))
        await #expect(throws: AppError.self) {
            try await service.email(render: render, input: input, now: 1_000) {
                DeliveryService.Outbox(sender: RecordingSender(refuse: true)) { _, _ in
                    EmailMessage(from: from, to: input.to, subject: "s", html: "h", text: "t")
                }
            }
        }
        #expect(try await service.listShares(render: render).isEmpty)
        #expect(await store.events.isEmpty)
        let sent = try await service.email(render: render, input: input, now: 1_000) {
            DeliveryService.Outbox(sender: RecordingSender(refuse: false)) { token, share in
                #expect(share.channel == .email)
                return EmailMessage(from: from, to: input.to, subject: "s", html: token, text: token)
            }
        }
        #expect(sent.messageID == "msg-1")
        #expect(sent.issued.share.sentAt == 1_000)
        #expect(await store.events.map(\.type) == [.shareCreated, .emailSent])
        #expect(emitted() == ["document.share_created", "document.email_sent"])
    }

    @Test func aFailingEventWriteTakesTheShareBackWithIt() async throws {
        let failing = InMemoryUnitOfWork { if case .event = $0 { true } else { false } }
        let service = DeliveryService(shares: store, engagement: store, work: failing, secrets: SecretBox(secret: "test-secret-0123456789"))
        await #expect(throws: InMemoryUnitOfWork.InjectedFailure.self) {
            try await service.createShare(render: render, input: ShareInput(), now: 1_000)
        }
        #expect(try await service.listShares(render: render).isEmpty)
        #expect(failing.rolledBack == 1)
    }

    @Test func inputsAreCheckedAllAtOnce() throws {
        #expect(throws: AppError.self) { try ShareInput(json: .object(["channel": .string("email")])) }
        #expect(throws: AppError.self) { try ShareInput(json: .object(["channel": .string("fax")])) }
        #expect(throws: AppError.self) { try ShareInput(json: .object(["message": .string(String(repeating: "x", count: 2001))])) }
        #expect(throws: AppError.self) { try ShareInput(json: .object(["expiresAt": .string("tomorrow")])) }
        let share = try ShareInput(json: .object(["channel": .string("email"), "recipientEmail": .string("a@b.example")]))
        #expect(share.channel == .email)
        #expect(throws: AppError.self) { try EmailInput(json: .object(["to": .string("a@b.example\r\nBcc: evil@x.example")])) }
        #expect(throws: AppError.self) { try EmailInput(json: .object(["to": .string("a@b.example, c@d.example")])) }
        #expect(throws: AppError.self) {
            try EmailInput(json: .object(["to": .string("a@b.example"), "recipientName": .string("Eve\r\nBcc: evil@x.example")]))
        }
        #expect(throws: AppError.self) { try PartnerEventInput(json: .object(["eventType": .string("share_created")])) }
        #expect(throws: AppError.self) { try PartnerEventInput(json: .object(["eventType": .string("viewed"), "metadata": .string("x")])) }
        let event = try PartnerEventInput(json: .object(["eventType": .string("printed"), "metadata": .object(["a": .number(1)])]))
        #expect(event.metadataJSON == "{\"a\":1}")
    }

    @Test func senderAddressesCarryNoHeaders() {
        #expect(EmailAddress.parse("Acme Docs <docs@acme.example>")?.displayName == "Acme Docs")
        #expect(EmailAddress.parse("docs@acme.example")?.address == "docs@acme.example")
        #expect(EmailAddress.parse("Acme <docs@acme.example>\r\nBcc: x@y.example") == nil)
        #expect(EmailAddress.parse("a@b.example>, <c@d.example") == nil)
        #expect(EmailAddress.parse("\"Acme\" <docs@acme.example>")?.displayName == "Acme")
        #expect(EmailAddress.make(address: "docs@acme", displayName: nil) == nil)
    }

    @Test func viewerHashesAreKeyedAndStable() {
        let hash = ViewerHash(deploymentSecret: "one")
        #expect(hash("203.0.113.9") == hash("203.0.113.9"))
        #expect(hash("203.0.113.9") != ViewerHash(deploymentSecret: "two")("203.0.113.9"))
        #expect(hash("203.0.113.9")?.count == 32)
        #expect(hash(nil) == nil)
    }
}
