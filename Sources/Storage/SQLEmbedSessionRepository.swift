import Core
import EmbedSessions
import Foundation
import SQLKit

/// `EmbedSessionRepository` on SQLite and PostgreSQL.
public struct SQLEmbedSessionRepository: EmbedSessionRepository {
    let database: Database
    /// SQLite only: concurrent mints share a transaction (group commit).
    let batcher: WriteBatcher<Mint, EmbedSession>?

    struct Mint: Sendable {
        let session: EmbedSession
        let tenant: SessionRequest.Party
        let actor: SessionRequest.Party
        let renewTokenHash: String
    }

    /// Tenant and actor ids with the attributes last written for them: a mint for a tenant and actor
    /// whose attributes are unchanged skips both upserts. Only rows that already existed are cached, so
    /// a rolled-back insert is never remembered. SQLite only: there this process makes every write.
    let parties: Parties?

    typealias Parties = TTLCache<String, (id: String, attributes: String)>

    public init(database: Database) {
        self.database = database
        let parties = database.engine == .sqlite ? Parties(ttlMillis: 600_000) : nil
        self.parties = parties
        batcher =
            database.engine == .sqlite
            ? WriteBatcher(database: database) { db, mint in
                try await Self.create(
                    mint.session, tenant: mint.tenant, actor: mint.actor, renewTokenHash: mint.renewTokenHash, parties: parties, on: db)
            } : nil
    }

    static let columns = "id, project_id, partner_id, tenant_id, actor_id, mode, claims, expires_at, revoked_at, created_at"

    public func create(
        _ session: EmbedSession, tenant: SessionRequest.Party, actor: SessionRequest.Party, renewTokenHash: String
    ) async throws -> EmbedSession {
        if let batcher {
            return try await batcher.submit(Mint(session: session, tenant: tenant, actor: actor, renewTokenHash: renewTokenHash))
        }
        return try await database.transaction { db in
            try await Self.create(session, tenant: tenant, actor: actor, renewTokenHash: renewTokenHash, parties: parties, on: db)
        }
    }

    /// The mint statements, inside the caller's transaction.
    static func create(
        _ session: EmbedSession, tenant: SessionRequest.Party, actor: SessionRequest.Party, renewTokenHash: String,
        parties: Parties?, on db: any SQLDatabase
    ) async throws -> EmbedSession {
        let now = session.createdAt
        let branding = try tenant.branding.map { String(decoding: try JSONEncoder().encode($0), as: UTF8.self) }
        var stored = session
        let tenantKey = "t\u{1}\(session.projectID)\u{1}\(tenant.externalID)"
        let tenantAttributes = [tenant.displayName ?? "", branding ?? "\u{0}"].joined(separator: "\u{1}")
        if let known = parties?.get(tenantKey), known.attributes == tenantAttributes {
            stored.tenantID = known.id
        } else {
            let newID = Identifier.make()
            stored.tenantID = try await upsertTenant(id: newID, session: session, tenant: tenant, branding: branding, now: now, on: db)
            if stored.tenantID != newID { parties?.put((stored.tenantID, tenantAttributes), for: tenantKey) } else { parties?.remove(tenantKey) }
        }
        let actorKey = "a\u{1}\(stored.tenantID)\u{1}\(actor.externalID)"
        let actorAttributes = [actor.displayName, actor.email, actor.avatarURL].map { $0 ?? "\u{0}" }.joined(separator: "\u{1}")
        if let known = parties?.get(actorKey), known.attributes == actorAttributes {
            stored.actorID = known.id
        } else {
            let newID = Identifier.make()
            stored.actorID = try await upsertActor(id: newID, tenantID: stored.tenantID, actor: actor, now: now, on: db)
            if stored.actorID != newID { parties?.put((stored.actorID, actorAttributes), for: actorKey) } else { parties?.remove(actorKey) }
        }
        try await db.raw(
            """
            INSERT INTO embed_sessions (id, project_id, partner_id, tenant_id, actor_id, mode, claims, expires_at, created_at)
            VALUES (\(bind: stored.id), \(bind: stored.projectID), \(bind: stored.partnerID), \(bind: stored.tenantID), \(bind: stored.actorID),
                    \(bind: stored.mode.rawValue), \(bind: stored.claims), \(bind: stored.expiresAt), \(bind: now))
            """
        ).run()
        try await db.raw(
            "INSERT INTO renew_tokens (token_hash, session_id, created_at) VALUES (\(bind: renewTokenHash), \(bind: stored.id), \(bind: now))"
        ).run()
        return stored
    }

    static func upsertTenant(
        id: String, session: EmbedSession, tenant: SessionRequest.Party, branding: String?, now: Int64, on db: any SQLDatabase
    ) async throws -> String {
        let row = try await db.raw(
            """
            INSERT INTO embed_tenants (id, project_id, external_id, display_name, branding, created_at, updated_at)
            VALUES (\(bind: id), \(bind: session.projectID), \(bind: tenant.externalID), \(bind: tenant.displayName ?? ""),
                    \(bind: branding), \(bind: now), \(bind: now))
            ON CONFLICT (project_id, external_id) DO UPDATE SET display_name = excluded.display_name,
                branding = COALESCE(excluded.branding, embed_tenants.branding), updated_at = excluded.updated_at
            RETURNING id
            """
        ).first()
        return try row!.decode(column: "id", as: String.self)
    }

    static func upsertActor(id: String, tenantID: String, actor: SessionRequest.Party, now: Int64, on db: any SQLDatabase) async throws -> String {
        let row = try await db.raw(
            """
            INSERT INTO embed_actors (id, tenant_id, external_id, display_name, email, avatar_url, created_at, updated_at)
            VALUES (\(bind: id), \(bind: tenantID), \(bind: actor.externalID), \(bind: actor.displayName), \(bind: actor.email),
                    \(bind: actor.avatarURL), \(bind: now), \(bind: now))
            ON CONFLICT (tenant_id, external_id) DO UPDATE SET display_name = COALESCE(excluded.display_name, embed_actors.display_name),
                email = COALESCE(excluded.email, embed_actors.email), avatar_url = COALESCE(excluded.avatar_url, embed_actors.avatar_url),
                updated_at = excluded.updated_at
            RETURNING id
            """
        ).first()
        return try row!.decode(column: "id", as: String.self)
    }

    public func refresh(projectID: String, renewTokenHash: String, nextHash: String, expiresAt: Int64, now: Int64) async throws -> RefreshOutcome {
        try await database.transaction { db in
            guard
                let row = try await db.raw(
                    """
                    SELECT r.session_id, r.spent_at, s.expires_at, s.revoked_at FROM renew_tokens r JOIN embed_sessions s ON s.id = r.session_id
                    WHERE r.token_hash = \(bind: renewTokenHash) AND s.project_id = \(bind: projectID)
                    """
                ).first()
            else { return .invalid }
            let sessionID = try row.decode(column: "session_id", as: String.self)
            if try row.decode(column: "spent_at", as: Int64?.self) != nil {
                // Reuse of a spent token: someone holds a stolen copy. Revoke the whole session.
                try await db.raw(
                    "UPDATE embed_sessions SET revoked_at = \(bind: now) WHERE id = \(bind: sessionID) AND revoked_at IS NULL"
                ).run()
                return .reused
            }
            guard try row.decode(column: "revoked_at", as: Int64?.self) == nil, try row.decode(column: "expires_at", as: Int64.self) > now else {
                return .invalid
            }
            // Spending is conditional, so two concurrent refreshes with one token cannot both win.
            let spent = try await db.raw(
                "UPDATE renew_tokens SET spent_at = \(bind: now) WHERE token_hash = \(bind: renewTokenHash) AND spent_at IS NULL RETURNING token_hash"
            ).first()
            guard spent != nil else {
                // Another refresh with the same token won the race (PostgreSQL nodes read it unspent
                // at the same time): a renew token used twice is a stolen copy; revoke the session.
                try await db.raw(
                    "UPDATE embed_sessions SET revoked_at = \(bind: now) WHERE id = \(bind: sessionID) AND revoked_at IS NULL"
                ).run()
                return .reused
            }
            try await db.raw(
                "INSERT INTO renew_tokens (token_hash, session_id, created_at) VALUES (\(bind: nextHash), \(bind: sessionID), \(bind: now))"
            ).run()
            let session = try await db.raw(
                "UPDATE embed_sessions SET expires_at = \(bind: expiresAt) WHERE id = \(bind: sessionID) RETURNING \(unsafeRaw: Self.columns)"
            ).first().map(Self.session)
            return session.map(RefreshOutcome.rotated) ?? .invalid
        }
    }

    public func revoke(id: String, projectID: String, now: Int64) async throws -> Bool {
        try await database.transaction { db in
            try await db.raw(
                """
                UPDATE embed_sessions SET revoked_at = COALESCE(revoked_at, \(bind: now))
                WHERE id = \(bind: id) AND project_id = \(bind: projectID) RETURNING id
                """
            ).first() != nil
        }
    }

    public func consume(sessionID: String, counter: SessionCounter, limit: Int) async throws -> Bool {
        let column = counter.rawValue  // one of two fixed column names
        return try await database.transaction { db in
            try await db.raw(
                """
                UPDATE embed_sessions SET \(unsafeRaw: column) = \(unsafeRaw: column) + 1
                WHERE id = \(bind: sessionID) AND \(unsafeRaw: column) < \(bind: limit) RETURNING id
                """
            ).first() != nil
        }
    }

    public func saveFormDraft(sessionID: String, draft: String, now: Int64) async throws {
        try await database.transaction { db in
            try await db.raw(
                "UPDATE embed_sessions SET form_draft = \(bind: draft), form_draft_saved_at = \(bind: now) WHERE id = \(bind: sessionID)"
            ).run()
        }
    }

    public func formDraft(sessionID: String) async throws -> (draft: String, savedAt: Int64)? {
        guard
            let row = try await database.sql.raw("SELECT form_draft, form_draft_saved_at FROM embed_sessions WHERE id = \(bind: sessionID)").first(),
            let draft = try row.decode(column: "form_draft", as: String?.self),
            let savedAt = try row.decode(column: "form_draft_saved_at", as: Int64?.self)
        else { return nil }
        return (draft, savedAt)
    }

    public func addUpload(
        id: String, session: EmbedSession, blobKey: String, contentType: String, bytes: Int, limit: Int, now: Int64
    ) async throws -> Bool {
        try await database.transaction { db in
            let used =
                try await db.raw(
                    "SELECT CAST(COALESCE(SUM(byte_count), 0) AS BIGINT) AS used FROM embed_uploads WHERE session_id = \(bind: session.id)"
                )
                .first()?.decode(column: "used", as: Int64.self) ?? 0
            guard used + Int64(bytes) <= Int64(limit) else { return false }
            try await db.raw(
                """
                INSERT INTO embed_uploads (id, project_id, session_id, blob_key, content_type, byte_count, created_at)
                VALUES (\(bind: id), \(bind: session.projectID), \(bind: session.id), \(bind: blobKey), \(bind: contentType), \(bind: bytes), \(bind: now))
                """
            ).run()
            return true
        }
    }

    public func uploadCreatedAt(blobKey: String) async throws -> Int64? {
        try await database.sql.raw("SELECT created_at FROM embed_uploads WHERE blob_key = \(bind: blobKey)").first()?
            .decode(column: "created_at", as: Int64.self)
    }

    public func usage(sessionID: String) async throws -> SessionUsage {
        let row = try await database.sql.raw(
            """
            SELECT drafts_saved, publishes,
              (SELECT CAST(COALESCE(SUM(byte_count), 0) AS BIGINT) FROM embed_uploads WHERE session_id = \(bind: sessionID)) AS upload_bytes
            FROM embed_sessions WHERE id = \(bind: sessionID)
            """
        ).first()
        guard let row else { return SessionUsage(draftsSaved: 0, publishes: 0, uploadBytes: 0) }
        return SessionUsage(
            draftsSaved: Int(try row.decode(column: "drafts_saved", as: Int64.self)),
            publishes: Int(try row.decode(column: "publishes", as: Int64.self)),
            uploadBytes: Int(try row.decode(column: "upload_bytes", as: Int64.self))
        )
    }

    public func find(id: String) async throws -> EmbedSession? {
        try await database.sql.raw("SELECT \(unsafeRaw: Self.columns) FROM embed_sessions WHERE id = \(bind: id)").first().map(Self.session)
    }

    public func signingKey(partnerID: String) async throws -> StoredSigningKey? {
        try await database.sql.raw(
            """
            SELECT id, kid, public_key, sealed_private_key, partner_id FROM signing_keys
            WHERE partner_id = \(bind: partnerID) AND retired_at IS NULL ORDER BY created_at DESC, id DESC LIMIT 1
            """
        ).first().map(Self.key)
    }

    public func signingKey(keyID: String) async throws -> StoredSigningKey? {
        try await database.sql.raw(
            // A retired key verifies nothing (a key retired for later keeps verifying until then).
            """
            SELECT id, kid, public_key, sealed_private_key, partner_id FROM signing_keys
            WHERE kid = \(bind: keyID) AND (retired_at IS NULL OR retired_at > \(bind: Date().epochMillis))
            """
        ).first().map(Self.key)
    }

    static func key(_ row: any SQLRow) throws -> StoredSigningKey {
        StoredSigningKey(
            id: try row.decode(column: "id", as: String.self), keyID: try row.decode(column: "kid", as: String.self),
            publicKey: try row.decode(column: "public_key", as: String.self),
            sealedPrivateKey: try row.decode(column: "sealed_private_key", as: String.self),
            partnerID: try row.decode(column: "partner_id", as: String.self)
        )
    }

    static func session(_ row: any SQLRow) throws -> EmbedSession {
        EmbedSession(
            id: try row.decode(column: "id", as: String.self), projectID: try row.decode(column: "project_id", as: String.self),
            partnerID: try row.decode(column: "partner_id", as: String.self), tenantID: try row.decode(column: "tenant_id", as: String.self),
            actorID: try row.decode(column: "actor_id", as: String.self),
            mode: ScopeMode(rawValue: try row.decode(column: "mode", as: String.self)) ?? .view,
            claims: try row.decode(column: "claims", as: String.self), expiresAt: try row.decode(column: "expires_at", as: Int64.self),
            revokedAt: try row.decode(column: "revoked_at", as: Int64?.self), createdAt: try row.decode(column: "created_at", as: Int64.self)
        )
    }
}
