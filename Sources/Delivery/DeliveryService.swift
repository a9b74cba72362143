import Core
import Foundation

/// The rules of a render's after-life: who may share it, what each share and event records, what goes
/// out as a webhook, and when an email counts as sent (docs/decisions/0015-delivery.md).
public struct DeliveryService: Sendable {
    /// Repeated recipient and partner events of one type from one viewer are recorded once per window.
    public static let dedupeWindowMillis: Int64 = 5 * 60 * 1000
    /// Shares per render (revoked included): far above any real use, low enough that a leaked key
    /// cannot grow one render's list without bound.
    public static let maxSharesPerRender = 500
    public static let maxMessageLength = 2000
    public static let maxRecipientNameLength = 200
    /// The partner's event metadata, serialized.
    public static let maxMetadataBytes = 8 * 1024
    public static let recentLimit = 25

    let shares: any ShareRepository
    let engagement: any EngagementRepository
    let work: any UnitOfWork
    let secrets: SecretBox

    public init(shares: any ShareRepository, engagement: any EngagementRepository, work: any UnitOfWork, secrets: SecretBox) {
        self.shares = shares
        self.engagement = engagement
        self.work = work
        self.secrets = secrets
    }

    // MARK: Shares

    /// A share, with its plain token (shown to the project key; only its hash finds it later).
    public struct IssuedShare: Sendable, Equatable {
        public var share: Share
        public var token: String
    }

    public func createShare(render: DeliverableRender, input: ShareInput, now: Int64) async throws -> IssuedShare {
        try await requireShareable(render, expiresAt: input.expiresAt, now: now)
        let issued = try issue(
            render: render, channel: input.channel, recipientEmail: input.recipientEmail, name: nil, input.message, input.expiresAt, now)
        try await work.run { [shares] transaction in
            try await shares.insert(issued.share, in: transaction)
            _ = try await record(system: .shareCreated, render: render, shareID: issued.share.id, now: now, in: transaction)
        }
        return issued
    }

    /// The render's shares, newest first, each with its token opened again.
    public func listShares(render: DeliverableRender) async throws -> [(listed: ListedShare, token: String)] {
        try await shares.list(projectID: render.projectID, renderID: render.id).map { listed in
            (listed, try secrets.open(listed.share.sealedToken, context: Share.sealContext(id: listed.share.id)))
        }
    }

    /// Revokes an active share of the render: 404 when unknown or already revoked.
    public func revoke(render: DeliverableRender, shareID: String, now: Int64) async throws -> Share {
        guard var share = try await shares.find(projectID: render.projectID, renderID: render.id, id: shareID), share.revokedAt == nil else {
            throw AppError.notFound("not_found", "No active share \(shareID) on render \(render.id).")
        }
        let reason = "revoked_by_partner"
        let revoked = try await work.run { [shares] transaction in
            guard try await shares.revoke(id: shareID, at: now, reason: reason, in: transaction) else { return false }
            _ = try await record(system: .shareRevoked, render: render, shareID: shareID, now: now, in: transaction)
            return true
        }
        guard revoked else { throw AppError.notFound("not_found", "No active share \(shareID) on render \(render.id).") }
        share.revokedAt = now
        share.revokedReason = reason
        return share
    }

    /// What a token opens. Malformed tokens are unknown without a lookup.
    public func access(token: String, now: Int64) async throws -> ShareAccess {
        guard ShareToken.isWellFormed(token), let share = try await shares.find(tokenHash: ShareToken.hash(token)) else { return .unknown }
        if share.revokedAt != nil || share.isExpired(now: now) { return .gone(share) }
        return .active(share)
    }

    // MARK: Email

    /// How an email leaves: the provider, and the message written around a share's token.
    public struct Outbox: Sendable {
        public var sender: any EmailSender
        public var compose: @Sendable (_ token: String, _ share: Share) -> EmailMessage

        public init(sender: any EmailSender, compose: @escaping @Sendable (_ token: String, _ share: Share) -> EmailMessage) {
            self.sender = sender
            self.compose = compose
        }
    }

    /// Sends the render to `input.to`, then records the `email` share with `share_created` and
    /// `email_sent`. The share exists only once the provider accepted the message, so a refused send
    /// leaves nothing behind that looks sent. `outbox` is asked for after the render passed its checks,
    /// so a partner's mistake (a render still queued) is reported before the deployment's configuration.
    public func email(
        render: DeliverableRender, input: EmailInput, now: Int64, outbox: @Sendable () async throws -> Outbox
    ) async throws -> (issued: IssuedShare, messageID: String) {
        try await requireShareable(render, expiresAt: input.expiresAt, now: now)
        let outbox = try await outbox()
        var issued = try issue(
            render: render, channel: .email, recipientEmail: input.to.address, name: input.recipientName, input.message, input.expiresAt, now)
        let messageID: String
        do {
            messageID = try await outbox.sender.send(outbox.compose(issued.token, issued.share))
        } catch let error as EmailSendError {
            throw AppError(status: 502, code: "email_send_failed", message: "The email was not sent: \(error.description)")
        }
        issued.share.emailMessageID = messageID
        issued.share.sentAt = now
        let share = issued.share
        try await work.run { [shares] transaction in
            try await shares.insert(share, in: transaction)
            _ = try await record(system: .shareCreated, render: render, shareID: share.id, now: now, in: transaction)
            _ = try await record(system: .emailSent, render: render, shareID: share.id, now: now, in: transaction)
        }
        return (issued, messageID)
    }

    // MARK: Engagement

    /// A guest's `viewed`, `downloaded`, `printed` or `email_opened` through an active share, once per
    /// window per (share, type, viewer).
    public func recordRecipient(
        _ type: EngagementType, share: Share, render: DeliverableRender, viewer: String?, userAgent: String?, now: Int64
    ) async throws -> Bool {
        let event = EngagementEvent(
            id: Identifier.make(), projectID: share.projectID, renderID: share.renderID, templateID: render.templateID, shareID: share.id,
            type: type, actorKind: .recipient, viewer: viewer, userAgent: Self.clip(userAgent), metadata: nil, createdAt: now)
        return try await record(event, dedupeKey: "\(share.id)|\(type.rawValue)|\(viewer ?? "-")", now: now)
    }

    /// `POST /v1/renders/:id/events`: a partner-side `viewed`, `downloaded` or `printed`, metadata kept
    /// verbatim; deduplicated like the recipient's (per render, type and viewer).
    public func recordPartner(
        _ input: PartnerEventInput, render: DeliverableRender, viewer: String?, userAgent: String?, now: Int64
    ) async throws -> Bool {
        let event = EngagementEvent(
            id: Identifier.make(), projectID: render.projectID, renderID: render.id, templateID: render.templateID, shareID: nil,
            type: input.type, actorKind: .partner, viewer: viewer, userAgent: Self.clip(userAgent), metadata: input.metadataJSON, createdAt: now)
        return try await record(event, dedupeKey: "render:\(render.id)|\(input.type.rawValue)|\(viewer ?? "-")", now: now)
    }

    public func engagement(render: DeliverableRender) async throws -> EngagementSummary {
        try await engagement.summary(projectID: render.projectID, renderID: render.id, recentLimit: Self.recentLimit)
    }

    // MARK: Rules

    /// A share of `render` may be made now: it has succeeded, the expiry is ahead, the render has room.
    func requireShareable(_ render: DeliverableRender, expiresAt: Int64?, now: Int64) async throws {
        guard render.succeeded else {
            throw AppError.conflict("not_ready", "Render \(render.id) has not succeeded; only a finished PDF can be shared.")
        }
        if let expiresAt, expiresAt <= now {
            var issues = ValidationIssues()
            issues.add("Must be in the future", at: "expiresAt")
            throw AppError.invalidRequest(issues)
        }
        guard try await shares.count(projectID: render.projectID, renderID: render.id) < Self.maxSharesPerRender else {
            throw AppError(
                status: 409, code: "share_limit_reached",
                message: "Render \(render.id) already has \(Self.maxSharesPerRender) shares; revoke unused ones or render again.")
        }
    }

    func issue(
        render: DeliverableRender, channel: ShareChannel, recipientEmail: String?, name: String?, _ message: String?, _ expiresAt: Int64?,
        _ now: Int64
    ) throws -> IssuedShare {
        let id = UUID().uuidString.lowercased()
        let token = ShareToken.make()
        let share = Share(
            id: id, projectID: render.projectID, renderID: render.id, channel: channel, recipientEmail: recipientEmail, recipientName: name,
            message: message, expiresAt: expiresAt, createdAt: now, tokenHash: ShareToken.hash(token),
            sealedToken: try secrets.seal(token, context: Share.sealContext(id: id)))
        return IssuedShare(share: share, token: token)
    }

    func record(
        system type: EngagementType, render: DeliverableRender, shareID: String, now: Int64, in transaction: any Transaction
    )
        async throws -> Bool
    {
        let event = EngagementEvent(
            id: Identifier.make(), projectID: render.projectID, renderID: render.id, templateID: render.templateID, shareID: shareID, type: type,
            actorKind: .system, viewer: nil, userAgent: nil, metadata: nil, createdAt: now)
        return try await record(event, dedupeKey: nil, now: now, in: transaction)
    }

    func record(_ event: EngagementEvent, dedupeKey: String?, now: Int64) async throws -> Bool {
        try await work.run { transaction in try await record(event, dedupeKey: dedupeKey, now: now, in: transaction) }
    }

    /// Writes the event and, when it is recorded, its `document.*` webhook event in the same transaction.
    func record(_ event: EngagementEvent, dedupeKey: String?, now: Int64, in transaction: any Transaction) async throws -> Bool {
        guard try await engagement.record(event, dedupeKey: dedupeKey, since: now - Self.dedupeWindowMillis, in: transaction) else {
            return false
        }
        try await transaction.emitEvent(projectID: event.projectID, event: event.type.event, subjectID: event.id, now: now)
        return true
    }

    static func clip(_ userAgent: String?) -> String? {
        userAgent.map { String($0.prefix(512)) }
    }
}
