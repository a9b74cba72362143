import Core
import Foundation

/// The rules of built-in signing (docs/decisions/0016-signatures.md): who may act when, what each act
/// records in the append-only audit trail, which webhook events it emits, and when the request is ready
/// to seal. Every change runs in one unit of work that locks the request, so state checks, the chain's
/// next link and the emitted events commit together.
public struct SignatureService: Sendable {
    /// The durable-queue job of a request: sends due invitations, seals once everyone signed.
    public static let jobKind = "signature"
    public static let consentVersion = "2026-12-01"
    public static let consentText =
        "I agree to sign this document electronically. My electronic signature is the legal equivalent of my handwritten "
        + "signature, and I consent to receive and sign this document in electronic form."

    let repository: any SignatureRepository
    let work: any UnitOfWork
    let secrets: SecretBox

    public init(repository: any SignatureRepository, work: any UnitOfWork, secrets: SecretBox) {
        self.repository = repository
        self.work = work
        self.secrets = secrets
    }

    /// The render a request is made from, as the signing rules need it.
    public struct SignableRender: Sendable, Equatable {
        public var id: String
        public var projectID: String
        public var succeeded: Bool
        public var status: String
        public var pageCount: Int
        public var sha256: String?

        public init(id: String, projectID: String, succeeded: Bool, status: String, pageCount: Int, sha256: String?) {
            self.id = id
            self.projectID = projectID
            self.succeeded = succeeded
            self.status = status
            self.pageCount = pageCount
            self.sha256 = sha256
        }
    }

    // MARK: Creating

    /// The stored request an `Idempotency-Key` names: returned for the same request, 409 for another.
    public func replay(projectID: String, idempotencyKey: String?, requestHash: String) async throws -> SignatureRequestDetail? {
        guard let key = idempotencyKey, let existing = try await repository.find(idempotencyKey: key, projectID: projectID) else { return nil }
        guard existing.request.requestHash == requestHash else {
            throw AppError.conflict(
                "idempotency_key_reused", "This idempotency key was already used for a different request; use a new key for a new request.")
        }
        return existing
    }

    /// 409 `not_ready` unless the render succeeded with a stored PDF.
    public static func requireSignable(_ render: SignableRender) throws {
        guard render.succeeded, render.sha256 != nil else {
            throw AppError.conflict(
                "not_ready", "Render \(render.id) is \(render.status); only a succeeded render's PDF can be sent for signature.")
        }
    }

    /// Creates and sends: the request, its recipients with fresh tokens, its fields (explicit and
    /// resolved from anchors), the `created` event and `signature.sent`, and the job that sends the
    /// invitations. Returns the request and whether it is an idempotent replay.
    public func create(
        projectID: String, input: SignatureRequestInput, placed: [SignatureRequestInput.Field], render: SignableRender, pageSizes: [PageSize],
        idempotencyKey: String?, now: Int64
    ) async throws -> (detail: SignatureRequestDetail, replay: Bool) {
        try Self.requireSignable(render)
        var issues = ValidationIssues()
        for (index, field) in placed.enumerated() where field.page > render.pageCount {
            issues.add("Page \(field.page) is past the document's last page (\(render.pageCount))", at: "fields[\(index)].page")
        }
        if !issues.isEmpty { throw AppError.invalidRequest(issues, status: 422) }
        let id = UUID().uuidString.lowercased()
        var made = SignatureRequestRecord(
            id: id, projectID: projectID, renderID: render.id, name: input.name ?? "Signature request \(render.id.prefix(8))", status: .sent,
            expirationHours: input.expirationHours, expiresAt: now + Int64(input.expirationHours) * 3_600_000, idempotencyKey: idempotencyKey,
            requestHash: input.requestHash, sha256Before: render.sha256 ?? "", pageSizes: pageSizes, createdAt: now)
        made.reminderHours = input.reminderHours
        let request = made
        var recipients: [SignatureRecipientRecord] = []
        for (index, recipient) in input.recipients.enumerated() {
            let recipientID = UUID().uuidString.lowercased()
            let token = SigningToken.make()
            recipients.append(
                SignatureRecipientRecord(
                    id: recipientID, requestID: id, index: index, order: recipient.order, firstName: recipient.firstName,
                    lastName: recipient.lastName, email: recipient.email, designation: recipient.designation, tokenHash: SigningToken.hash(token),
                    sealedToken: try secrets.seal(token, context: SignatureRecipientRecord.sealContext(id: recipientID))))
        }
        let recipientCount = recipients.count
        let fields = placed.enumerated().map { index, field in
            SignatureFieldRecord(
                index: index, recipientIndex: field.recipientIndex, page: field.page, x: field.x, y: field.y, width: field.width,
                height: field.height, type: field.type, required: field.required)
        }
        let detail = SignatureRequestDetail(request: request, recipients: recipients, fields: fields)
        let repository = self.repository
        do {
            try await work.run { transaction in
                try await repository.insert(detail, in: transaction)
                let event = AuditTrail.next(
                    after: nil, requestID: id, projectID: projectID, type: .created, recipientIndex: nil, at: now,
                    detail: [
                        "status": .string(request.status.rawValue), "name": .string(request.name), "renderId": .string(render.id),
                        "sha256": .string(request.sha256Before), "recipients": .number(Double(recipientCount)),
                        "fields": .number(Double(fields.count)),
                    ])
                try await repository.append(event, in: transaction)
                try await transaction.emitEvent(projectID: projectID, event: .signatureSent, subjectID: event.id, now: now)
                try await transaction.enqueueJob(kind: Self.jobKind, subjectID: id, tenant: projectID, runAt: now)
            }
        } catch {
            // Two requests raced on one key: the loser's insert hit the unique index; the winner answers.
            if let replayed = try await replay(projectID: projectID, idempotencyKey: idempotencyKey, requestHash: input.requestHash) {
                return (replayed, true)
            }
            throw error
        }
        return (detail, false)
    }

    // MARK: Reading

    /// The project's request (404 otherwise), marked expired first when its time has passed.
    public func get(projectID: String, id: String, now: Int64) async throws -> SignatureRequestDetail {
        guard UUID(uuidString: id) != nil, let detail = try await repository.find(projectID: projectID, id: id.lowercased()) else {
            throw AppError.notFound("not_found", "No signature request \(id) in this project.")
        }
        return try await expireIfDue(detail, now: now)
    }

    /// A page, newest first, created before `before`. Rows due to expire are shown expired.
    public func list(projectID: String, renderID: String?, before: Int64?, limit: Int, now: Int64) async throws -> [SignatureRequestDetail] {
        var page: [SignatureRequestDetail] = []
        for detail in try await repository.list(projectID: projectID, renderID: renderID, before: before, limit: limit) {
            page.append(try await expireIfDue(detail, now: now))
        }
        return page
    }

    public func events(requestID: String) async throws -> [AuditEvent] { try await repository.events(requestID: requestID) }

    // MARK: The project's acts

    /// Cancels an open request (409 `conflict` when it already ended); the reason becomes `errorMessage`.
    public func cancel(projectID: String, id: String, reason: String?, now: Int64) async throws -> SignatureRequestDetail {
        let detail = try await get(projectID: projectID, id: id, now: now)
        return try await change(detail.request.id, now: now) { change in
            guard !change.detail.request.status.isTerminal else {
                throw AppError.conflict(
                    "conflict", "Signature request \(id) is \(change.detail.request.status.rawValue) and cannot be cancelled.")
            }
            change.detail.request.status = .cancelled
            change.detail.request.errorMessage = reason
            change.record(.cancelled, recipient: nil, extra: reason.map { ["reason": .string($0)] } ?? [:])
        }
    }

    // MARK: The recipients' acts

    /// What a signing token opens.
    public enum Access: Sendable {
        /// The request is open (the recipient may still have acted already).
        case open(SignatureRequestDetail, recipient: Int)
        /// Completed, declined, expired, cancelled or failed: 410 on every signing route.
        case ended(SignatureRequestDetail, recipient: Int)
        case unknown
    }

    public func access(token: String, now: Int64) async throws -> Access {
        guard SigningToken.isWellFormed(token), let found = try await repository.recipient(tokenHash: SigningToken.hash(token)),
            let stored = try await repository.find(id: found.requestID)
        else { return .unknown }
        let detail = try await expireIfDue(stored, now: now)
        return detail.request.status.isTerminal ? .ended(detail, recipient: found.index) : .open(detail, recipient: found.index)
    }

    /// The recipient opened the signing page: recorded once (their first view), with `signature.viewed`;
    /// the request becomes `viewed` if it was `sent`.
    public func recordView(requestID: String, recipient index: Int, client: ClientFacts, now: Int64) async throws -> SignatureRequestDetail {
        try await change(requestID, now: now) { change in
            guard !change.detail.request.status.isTerminal, change.detail.recipients[index].viewedAt == nil else { return }
            change.detail.recipients[index].viewedAt = now
            if change.detail.request.status == .sent { change.detail.request.status = .viewed }
            change.record(.viewed, recipient: index, client: client)
        }
    }

    /// Signs: consent given, every required field of the recipient filled, values of the right kind. The
    /// last signature queues the seal; in sequential order, the next recipient's invitation.
    public func sign(
        requestID: String, recipient index: Int, input: SignInput, client: ClientFacts, now: Int64
    ) async throws -> SignatureRequestDetail {
        try await change(requestID, now: now) { change in
            try Self.requireOpen(change.detail)
            let recipient = change.detail.recipients[index]
            guard recipient.status == .pending else {
                throw AppError.conflict("conflict", "You have already \(recipient.status == .signed ? "signed" : "declined") this document.")
            }
            guard change.detail.canSign(recipient) else {
                throw AppError.conflict("not_your_turn", "The signers before you have not signed yet; you will get an email when it is your turn.")
            }
            var issues = ValidationIssues()
            if !input.consent { issues.add("Consent to sign electronically is required", at: "consent") }
            var fields = change.detail.fields
            for (position, value) in input.values.enumerated() {
                guard let at = fields.firstIndex(where: { $0.index == value.field }), fields[at].recipientIndex == index else {
                    issues.add("Field \(value.field) is not one of your fields", at: "values[\(position)].field")
                    continue
                }
                if value.image != nil, !fields[at].type.takesImage {
                    issues.add("A \(fields[at].type.rawValue) field takes text, not an image", at: "values[\(position)].image")
                    continue
                }
                fields[at].text = value.text.flatMap { $0.trimmingCharacters(in: .whitespacesAndNewlines).isEmpty ? nil : $0 }
                fields[at].image = value.image
            }
            let missing = fields.filter { $0.recipientIndex == index && $0.required && !$0.hasValue }.map(\.index)
            if !missing.isEmpty {
                issues.add("Required fields have no value: \(missing.map(String.init).joined(separator: ", "))", at: "values")
            }
            if !issues.isEmpty { throw AppError.invalidRequest(issues, status: 422) }
            change.detail.fields = fields
            change.detail.recipients[index].status = .signed
            change.detail.recipients[index].signedAt = now
            let signed = fields.filter { $0.recipientIndex == index && $0.hasValue }.map { JSONValue.number(Double($0.index)) }
            change.record(
                .signed, recipient: index, client: client,
                extra: [
                    "consent": .object(["version": .string(Self.consentVersion), "text": .string(Self.consentText), "at": .number(Double(now))]),
                    "fields": .array(signed),
                ])
            // The job sends the next invitation (sequential order) or seals (everyone signed).
            change.enqueueJob = change.detail.allSigned || !change.detail.dueInvitations.isEmpty
        }
    }

    /// Declines: the request ends (`declined`, terminal) with the reason.
    public func decline(
        requestID: String, recipient index: Int, reason: String?, client: ClientFacts, now: Int64
    ) async throws -> SignatureRequestDetail {
        try await change(requestID, now: now) { change in
            try Self.requireOpen(change.detail)
            guard change.detail.recipients[index].status == .pending else {
                throw AppError.conflict("conflict", "You have already signed this document.")
            }
            change.detail.recipients[index].status = .declined
            change.detail.recipients[index].declinedAt = now
            change.detail.recipients[index].declineReason = reason
            change.detail.request.status = .declined
            change.detail.request.errorMessage =
                reason.map { "Declined by \(change.detail.recipients[index].fullName): \($0)" }
                ?? "Declined by \(change.detail.recipients[index].fullName)."
            change.record(.declined, recipient: index, client: client, extra: reason.map { ["reason": .string($0)] } ?? [:])
        }
    }

    static func requireOpen(_ detail: SignatureRequestDetail) throws {
        guard !detail.request.status.isTerminal else {
            throw AppError(status: 410, code: "gone", message: "This signature request has ended (\(detail.request.status.rawValue)).")
        }
    }

    // MARK: Background

    /// Marks every open request past its expiry `expired` (the sweep). Returns how many it ended.
    public func sweep(now: Int64, limit: Int = 100) async throws -> Int {
        var ended = 0
        for id in try await repository.expired(now: now, limit: limit) {
            guard let detail = try await repository.find(id: id) else { continue }
            if try await expireIfDue(detail, now: now).request.status == .expired { ended += 1 }
        }
        return ended
    }

    func expireIfDue(_ detail: SignatureRequestDetail, now: Int64) async throws -> SignatureRequestDetail {
        guard !detail.request.status.isTerminal, detail.request.expiresAt <= now else { return detail }
        return try await change(detail.request.id, now: now) { change in
            guard !change.detail.request.status.isTerminal, change.detail.request.expiresAt <= now else { return }
            change.detail.request.status = .expired
            change.detail.request.errorMessage = "The request expired before every recipient signed."
            change.record(.expired, recipient: nil)
        }
    }

    /// The invitations due now, each with its token opened again.
    public func dueInvitations(_ detail: SignatureRequestDetail) throws -> [(recipient: SignatureRecipientRecord, token: String)] {
        try withTokens(detail.dueInvitations)
    }

    /// Recipients with their tokens opened again (invitations and reminders carry the link).
    public func withTokens(_ recipients: [SignatureRecipientRecord]) throws -> [(recipient: SignatureRecipientRecord, token: String)] {
        try recipients.map { recipient in
            (recipient, try secrets.open(recipient.sealedToken, context: SignatureRecipientRecord.sealContext(id: recipient.id)))
        }
    }

    /// Records a sent invitation (after the provider accepted it).
    public func markInvited(requestID: String, recipient index: Int, messageID: String, now: Int64) async throws {
        _ = try await change(requestID, now: now) { change in
            guard change.detail.recipients[index].invitedAt == nil else { return }
            change.detail.recipients[index].invitedAt = now
            change.record(.invited, recipient: index, extra: ["email": .string(change.detail.recipients[index].email)])
        }
    }

    /// Records a reminder the provider accepted.
    public func markReminded(requestID: String, recipient index: Int, now: Int64) async throws {
        _ = try await change(requestID, now: now) { change in
            guard change.detail.recipients[index].status == .pending else { return }
            change.detail.recipients[index].remindedAt = now
            change.record(.reminded, recipient: index, extra: ["email": .string(change.detail.recipients[index].email)])
        }
    }

    /// Open requests with reminders on (the sweep reads their due reminders).
    public func withReminders(now: Int64, limit: Int = 100) async throws -> [SignatureRequestDetail] {
        var due: [SignatureRequestDetail] = []
        for id in try await repository.remindable(now: now, limit: limit) {
            if let detail = try await repository.find(id: id), !detail.dueReminders(now: now).isEmpty { due.append(detail) }
        }
        return due
    }

    /// What sealing produced.
    public struct Sealed: Sendable {
        public var signedBlobKey: String
        public var certificateBlobKey: String
        public var sha256After: String

        public init(signedBlobKey: String, certificateBlobKey: String, sha256After: String) {
            self.signedBlobKey = signedBlobKey
            self.certificateBlobKey = certificateBlobKey
            self.sha256After = sha256After
        }
    }

    /// Completes a sealed request: outputs stored, `completed`, `signature.completed` (once).
    public func complete(requestID: String, sealed: Sealed, now: Int64) async throws {
        _ = try await change(requestID, now: now) { change in
            guard !change.detail.request.status.isTerminal, change.detail.allSigned else { return }
            change.detail.request.status = .completed
            change.detail.request.signedBlobKey = sealed.signedBlobKey
            change.detail.request.certificateBlobKey = sealed.certificateBlobKey
            change.detail.request.sha256After = sealed.sha256After
            change.detail.request.completedAt = now
            change.record(.completed, recipient: nil, extra: ["sha256": .string(sealed.sha256After)])
        }
    }

    /// A seal that cannot succeed: `failed` with the message.
    public func fail(requestID: String, message: String, now: Int64) async throws {
        _ = try await change(requestID, now: now) { change in
            guard !change.detail.request.status.isTerminal else { return }
            change.detail.request.status = .failed
            change.detail.request.errorMessage = String(message.prefix(1000))
            change.record(.failed, recipient: nil, extra: ["error": .string(String(message.prefix(1000)))])
        }
    }

    /// The request as the sealing job reads it.
    public func find(id: String) async throws -> SignatureRequestDetail? { try await repository.find(id: id) }

    // MARK: One change

    /// Who acted, as the audit trail keeps it: the keyed hash of their address and their user agent.
    public struct ClientFacts: Sendable {
        public var ipHash: String?
        public var userAgent: String?

        public init(ipHash: String?, userAgent: String?) {
            self.ipHash = ipHash
            self.userAgent = userAgent
        }
    }

    /// A change being made to one request: its new state and the events it records.
    public struct Change: Sendable {
        public var detail: SignatureRequestDetail
        var events: [(type: AuditEventType, recipient: Int?, client: ClientFacts?, extra: [String: JSONValue])] = []
        var enqueueJob = false

        mutating func record(_ type: AuditEventType, recipient: Int?, client: ClientFacts? = nil, extra: [String: JSONValue] = [:]) {
            events.append((type, recipient, client, extra))
        }
    }

    /// Runs `body` on the locked request in one unit of work, then writes what changed, appends its
    /// events to the chain (each with the status it left) and emits their webhook events.
    func change(
        _ id: String, now: Int64, _ body: @escaping @Sendable (inout Change) throws -> Void
    ) async throws -> SignatureRequestDetail {
        let repository = self.repository
        let jobKind = Self.jobKind
        return try await work.run { transaction in
            guard let before = try await repository.lock(id: id, in: transaction) else {
                throw AppError.notFound("not_found", "No signature request \(id).")
            }
            var change = Change(detail: before)
            try body(&change)
            let after = change.detail
            if after.request != before.request { try await repository.update(after.request, in: transaction) }
            for (old, new) in zip(before.recipients, after.recipients) where old != new { try await repository.update(new, in: transaction) }
            let changedFields = zip(before.fields, after.fields).filter { $0 != $1 }.map(\.1)
            if !changedFields.isEmpty { try await repository.update(fields: changedFields, requestID: id, in: transaction) }
            var last = try await repository.lastEvent(requestID: id, in: transaction)
            for pending in change.events {
                var detail = pending.extra
                detail["status"] = .string(after.request.status.rawValue)
                let event = AuditTrail.next(
                    after: last, requestID: id, projectID: after.request.projectID, type: pending.type, recipientIndex: pending.recipient,
                    at: now, ipHash: pending.client?.ipHash, userAgent: pending.client?.userAgent, detail: detail)
                try await repository.append(event, in: transaction)
                if let webhook = pending.type.webhookEvent {
                    try await transaction.emitEvent(projectID: after.request.projectID, event: webhook, subjectID: event.id, now: now)
                }
                last = event
            }
            if change.enqueueJob {
                try await transaction.enqueueJob(kind: jobKind, subjectID: id, tenant: after.request.projectID, runAt: now)
            }
            return after
        }
    }
}
