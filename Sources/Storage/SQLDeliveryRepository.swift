import Core
import Delivery
import Foundation
import SQLKit

/// `ShareRepository` and `EngagementRepository` on SQLite and PostgreSQL.
public struct SQLDeliveryRepository: ShareRepository, EngagementRepository {
    let database: Database

    public init(database: Database) { self.database = database }

    static let shareColumns = """
        id, project_id, render_id, channel, recipient_email, recipient_name, message, expires_at, revoked_at, revoked_reason,
        token_hash, sealed_token, email_message_id, sent_at, created_at
        """

    // MARK: ShareRepository

    public func insert(_ share: Share, in transaction: any Transaction) async throws {
        try await transaction.sql.raw(
            """
            INSERT INTO shares (\(unsafeRaw: Self.shareColumns))
            VALUES (\(bind: share.id), \(bind: share.projectID), \(bind: share.renderID), \(bind: share.channel.rawValue),
                    \(bind: share.recipientEmail), \(bind: share.recipientName), \(bind: share.message), \(bind: share.expiresAt),
                    \(bind: share.revokedAt), \(bind: share.revokedReason), \(bind: share.tokenHash), \(bind: share.sealedToken),
                    \(bind: share.emailMessageID), \(bind: share.sentAt), \(bind: share.createdAt))
            """
        ).run()
    }

    public func list(projectID: String, renderID: String) async throws -> [ListedShare] {
        try await database.sql.raw(
            """
            SELECT \(unsafeRaw: Self.shareColumns),
                   (SELECT COUNT(*) FROM engagement_events e
                    WHERE e.share_id = shares.id AND e.event_type = 'viewed' AND e.actor_kind = 'recipient') AS click_count
            FROM shares WHERE project_id = \(bind: projectID) AND render_id = \(bind: renderID)
            ORDER BY created_at DESC, id DESC
            """
        ).all().map { row in ListedShare(share: try Self.share(row), clickCount: Int(try row.decode(column: "click_count", as: Int64.self))) }
    }

    public func find(projectID: String, renderID: String, id: String) async throws -> Share? {
        try await database.sql.raw(
            """
            SELECT \(unsafeRaw: Self.shareColumns) FROM shares
            WHERE id = \(bind: id) AND project_id = \(bind: projectID) AND render_id = \(bind: renderID)
            """
        ).first().map(Self.share)
    }

    public func find(tokenHash: String) async throws -> Share? {
        try await database.sql.raw("SELECT \(unsafeRaw: Self.shareColumns) FROM shares WHERE token_hash = \(bind: tokenHash)").first().map(Self.share)
    }

    public func count(projectID: String, renderID: String) async throws -> Int {
        let row = try await database.sql.raw(
            "SELECT COUNT(*) AS n FROM shares WHERE project_id = \(bind: projectID) AND render_id = \(bind: renderID)"
        ).first()
        return Int(try row?.decode(column: "n", as: Int64.self) ?? 0)
    }

    public func revoke(id: String, at: Int64, reason: String, in transaction: any Transaction) async throws -> Bool {
        let row = try await transaction.sql.raw(
            """
            UPDATE shares SET revoked_at = \(bind: at), revoked_reason = \(bind: reason)
            WHERE id = \(bind: id) AND revoked_at IS NULL RETURNING id
            """
        ).first()
        return row != nil
    }

    static func share(_ row: any SQLRow) throws -> Share {
        Share(
            id: try row.decode(column: "id", as: String.self), projectID: try row.decode(column: "project_id", as: String.self),
            renderID: try row.decode(column: "render_id", as: String.self),
            channel: ShareChannel(rawValue: try row.decode(column: "channel", as: String.self)) ?? .link,
            recipientEmail: try row.decode(column: "recipient_email", as: String?.self),
            recipientName: try row.decode(column: "recipient_name", as: String?.self), message: try row.decode(column: "message", as: String?.self),
            expiresAt: try row.decode(column: "expires_at", as: Int64?.self), createdAt: try row.decode(column: "created_at", as: Int64.self),
            tokenHash: try row.decode(column: "token_hash", as: String.self), sealedToken: try row.decode(column: "sealed_token", as: String.self),
            revokedAt: try row.decode(column: "revoked_at", as: Int64?.self),
            revokedReason: try row.decode(column: "revoked_reason", as: String?.self),
            emailMessageID: try row.decode(column: "email_message_id", as: String?.self), sentAt: try row.decode(column: "sent_at", as: Int64?.self)
        )
    }

    // MARK: EngagementRepository

    static let eventColumns = "id, project_id, render_id, template_id, share_id, event_type, actor_kind, viewer, user_agent, metadata, created_at"

    public func record(_ event: EngagementEvent, dedupeKey: String?, since: Int64, in transaction: any Transaction) async throws -> Bool {
        let db = try transaction.sql
        if let dedupeKey {
            // Claims the key, or takes it over once its last event is older than the window; no row back
            // means an event under this key was recorded inside the window.
            let claimed = try await db.raw(
                """
                INSERT INTO engagement_dedupe (dedupe_key, recorded_at) VALUES (\(bind: dedupeKey), \(bind: event.createdAt))
                ON CONFLICT (dedupe_key) DO UPDATE SET recorded_at = excluded.recorded_at
                WHERE engagement_dedupe.recorded_at <= \(bind: since)
                RETURNING dedupe_key
                """
            ).first()
            guard claimed != nil else { return false }
        }
        try await db.raw(
            """
            INSERT INTO engagement_events (\(unsafeRaw: Self.eventColumns))
            VALUES (\(bind: event.id), \(bind: event.projectID), \(bind: event.renderID), \(bind: event.templateID), \(bind: event.shareID),
                    \(bind: event.type.rawValue), \(bind: event.actorKind.rawValue), \(bind: event.viewer), \(bind: event.userAgent),
                    \(bind: event.metadata), \(bind: event.createdAt))
            """
        ).run()
        return true
    }

    public func summary(projectID: String, renderID: String, recentLimit: Int) async throws -> EngagementSummary {
        let counts = try await database.sql.raw(
            """
            SELECT event_type, COUNT(*) AS n, SUM(CASE WHEN share_id IS NOT NULL THEN 1 ELSE 0 END) AS via_share
            FROM engagement_events WHERE project_id = \(bind: projectID) AND render_id = \(bind: renderID) GROUP BY event_type
            """
        ).all()
        var byType: [EngagementType: Int] = [:]
        var linkOpens = 0
        for row in counts {
            guard let type = EngagementType(rawValue: try row.decode(column: "event_type", as: String.self)) else { continue }
            byType[type] = Int(try row.decode(column: "n", as: Int64.self))
            if type == .viewed { linkOpens = Int(try row.decode(column: "via_share", as: Int64?.self) ?? 0) }
        }
        let recent = try await database.sql.raw(
            """
            SELECT \(unsafeRaw: Self.eventColumns) FROM engagement_events
            WHERE project_id = \(bind: projectID) AND render_id = \(bind: renderID)
            ORDER BY created_at DESC, id DESC LIMIT \(bind: recentLimit)
            """
        ).all().map(Self.event)
        return EngagementSummary(counts: byType, linkOpens: linkOpens, recent: recent)
    }

    public func find(id: String) async throws -> EngagementEvent? {
        try await database.sql.raw("SELECT \(unsafeRaw: Self.eventColumns) FROM engagement_events WHERE id = \(bind: id)").first().map(Self.event)
    }

    static func event(_ row: any SQLRow) throws -> EngagementEvent {
        EngagementEvent(
            id: try row.decode(column: "id", as: String.self), projectID: try row.decode(column: "project_id", as: String.self),
            renderID: try row.decode(column: "render_id", as: String.self), templateID: try row.decode(column: "template_id", as: String.self),
            shareID: try row.decode(column: "share_id", as: String?.self),
            type: EngagementType(rawValue: try row.decode(column: "event_type", as: String.self)) ?? .viewed,
            actorKind: ActorKind(rawValue: try row.decode(column: "actor_kind", as: String.self)) ?? .system,
            viewer: try row.decode(column: "viewer", as: String?.self), userAgent: try row.decode(column: "user_agent", as: String?.self),
            metadata: try row.decode(column: "metadata", as: String?.self), createdAt: try row.decode(column: "created_at", as: Int64.self)
        )
    }
}

/// What the guest-facing pages and emails of a project show of its org.
public struct OrgProfile: Sendable, Equatable {
    public var name: String
    public var appearance: Appearance
    public var emailFrom: String?
}

extension SQLDeliveryRepository {
    /// The org behind a project: its name, appearance and sender (nil when the project is unknown).
    public func profile(projectID: String) async throws -> OrgProfile? {
        guard
            let row = try await database.sql.raw(
                """
                SELECT o.name, e.appearance, e.email_from FROM projects p JOIN orgs o ON o.id = p.org_id
                LEFT JOIN embed_partners e ON e.project_id = p.id WHERE p.id = \(bind: projectID)
                """
            ).first()
        else { return nil }
        let appearance = Appearance(stored: try row.decode(column: "appearance", as: String?.self)) ?? Appearance()
        return OrgProfile(
            name: try row.decode(column: "name", as: String.self), appearance: appearance,
            emailFrom: try row.decode(column: "email_from", as: String?.self))
    }
}
