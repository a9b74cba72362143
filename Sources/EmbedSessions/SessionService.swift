import Core
import Foundation

/// A minted embed session as stored.
/// What a session has used of its limits, for the embed pages' "3 of 10 publishes left".
public struct SessionUsage: Sendable, Equatable {
    public var draftsSaved: Int
    public var publishes: Int
    public var uploadBytes: Int

    public init(draftsSaved: Int, publishes: Int, uploadBytes: Int) {
        self.draftsSaved = draftsSaved
        self.publishes = publishes
        self.uploadBytes = uploadBytes
    }
}

public struct EmbedSession: Sendable, Equatable {
    public var id: String
    public var projectID: String
    public var partnerID: String
    public var tenantID: String
    public var actorID: String
    public var mode: ScopeMode
    /// The session's claims under `ck` (everything but the standard claims), as JSON text.
    public var claims: String
    public var expiresAt: Int64
    public var revokedAt: Int64?
    public var createdAt: Int64

    public init(
        id: String, projectID: String, partnerID: String, tenantID: String, actorID: String, mode: ScopeMode, claims: String,
        expiresAt: Int64, revokedAt: Int64?, createdAt: Int64
    ) {
        self.id = id
        self.projectID = projectID
        self.partnerID = partnerID
        self.tenantID = tenantID
        self.actorID = actorID
        self.mode = mode
        self.claims = claims
        self.expiresAt = expiresAt
        self.revokedAt = revokedAt
        self.createdAt = createdAt
    }
}

/// A partner signing key as stored (private half sealed).
public struct StoredSigningKey: Sendable, Equatable {
    public var id: String
    public var keyID: String
    public var publicKey: String
    public var sealedPrivateKey: String
    public var partnerID: String

    public init(id: String, keyID: String, publicKey: String, sealedPrivateKey: String, partnerID: String) {
        self.id = id
        self.keyID = keyID
        self.publicKey = publicKey
        self.sealedPrivateKey = sealedPrivateKey
        self.partnerID = partnerID
    }
}

/// Per-session counters of limited builder actions.
public enum SessionCounter: String, Sendable {
    case draftsSaved = "drafts_saved"
    case publishes
}

public enum RefreshOutcome: Sendable, Equatable {
    case rotated(EmbedSession)
    /// A spent renew token came back: the session has been revoked (token-family reuse detection).
    case reused
    case invalid
}

public protocol EmbedSessionRepository: Sendable {
    /// Upserts tenant and actor, then stores the session and its first renew token (hashed), in one transaction.
    func create(
        _ session: EmbedSession, tenant: SessionRequest.Party, actor: SessionRequest.Party, renewTokenHash: String
    ) async throws -> EmbedSession
    /// Spends `renewTokenHash` of a live session of `projectID` and stores `nextHash`, pushing the expiry.
    /// A spent token revokes its session.
    func refresh(projectID: String, renewTokenHash: String, nextHash: String, expiresAt: Int64, now: Int64) async throws -> RefreshOutcome
    func revoke(id: String, projectID: String, now: Int64) async throws -> Bool
    func find(id: String) async throws -> EmbedSession?
    /// The partner's current signing key.
    func signingKey(partnerID: String) async throws -> StoredSigningKey?
    func signingKey(keyID: String) async throws -> StoredSigningKey?
    /// Counts one use of a limited action (`drafts_saved`, `publishes`) unless the session has reached
    /// `limit`. False when it has.
    func consume(sessionID: String, counter: SessionCounter, limit: Int) async throws -> Bool
    /// Stores a fill session's partly filled form (JSON text), replacing the previous one.
    func saveFormDraft(sessionID: String, draft: String, now: Int64) async throws
    /// The saved form draft and when it was saved.
    func formDraft(sessionID: String) async throws -> (draft: String, savedAt: Int64)?
    /// How much of its limits a session has used: drafts saved, publishes, upload bytes.
    func usage(sessionID: String) async throws -> SessionUsage
    /// Records an upload unless it would take the session past `limit` bytes in all. False when over.
    func addUpload(id: String, session: EmbedSession, blobKey: String, contentType: String, bytes: Int, limit: Int, now: Int64) async throws -> Bool
    /// When the upload stored under `blobKey` was made; nil when there is no such upload.
    func uploadCreatedAt(blobKey: String) async throws -> Int64?
}

/// Embed sessions (docs/decisions/0004-embed-sessions.md): mint, refresh with single-use renew tokens,
/// revoke, verify.
public struct SessionService: Sendable {
    public struct Minted: Sendable {
        public var session: EmbedSession
        public var token: String
        public var renewToken: String
        public var iframeURL: String
    }

    let repository: any EmbedSessionRepository
    let secrets: SecretBox
    let clock: any WallClock
    let publicURL: String
    let lifetimeMillis: Int64
    /// Tokens whose signature has been checked: a token's bytes never change, so the Ed25519 check is
    /// done once per token. An entry never outlives the token's `exp`, and is used only while the key
    /// that signed it is still active (`publicKeys`); expiry, audience and revocation are still
    /// checked on every request.
    let verifiedSignatures = TTLCache<String, (claims: JSONValue, partnerID: String)>(ttlMillis: 24 * 3600 * 1000, capacity: 20_000)
    /// Each partner's current signing key, unsealed, for two seconds: a burst of mints skips a read
    /// and a decryption, and a retired key stops minting within that time on every node.
    let signingKeys = TTLCache<String, (keyID: String, privateKey: String)>(ttlMillis: 2_000)
    /// Public keys by `kid` for verification, for two seconds: a retired key stops verifying within
    /// that time on every node, at once on the node that retired it.
    let publicKeys = TTLCache<String, (publicKey: String, partnerID: String)>(ttlMillis: 2_000)
    /// Sessions by id, when this process sees every change to them (the single-process SQLite
    /// deployment): revocation and refresh here drop the entry, so revocation stays immediate.
    let sessions: TTLCache<String, EmbedSession>?
    /// `aud` of every session token: this server's embed pages.
    public var audience: String { "\(publicURL)/embed" }

    public init(
        repository: any EmbedSessionRepository, secrets: SecretBox, publicURL: String, lifetimeMillis: Int64 = 4 * 3600 * 1000,
        clock: any WallClock = SystemClock(), cachesSessions: Bool = false
    ) {
        sessions = cachesSessions ? TTLCache(ttlMillis: 60_000, clock: clock) : nil
        self.repository = repository
        self.secrets = secrets
        self.publicURL = publicURL
        self.lifetimeMillis = lifetimeMillis
        self.clock = clock
    }

    /// Mints a session. `catalog` has already been resolved (inline or by reference) by the caller.
    public func mint(projectID: String, partner: EmbedPartner, request: SessionRequest, catalog: JSONValue?) async throws -> Minted {
        let now = clock.now().epochMillis
        var ck: [String: JSONValue] = [
            "v": .number(1),
            "partner": .object(["id": .string(partner.id), "project_id": .string(projectID)]),
            "tenant": .object(["external_id": .string(request.tenant.externalID), "display_name": .string(request.tenant.displayName ?? "")]),
            "actor": .object(
                [
                    "external_id": .string(request.actor.externalID), "display_name": request.actor.displayName.map(JSONValue.string) ?? .null,
                    "email": request.actor.email.map(JSONValue.string) ?? .null, "avatar_url": request.actor.avatarURL.map(JSONValue.string) ?? .null,
                ]
            ),
            "scope": .object(
                [
                    "mode": .string(request.mode.rawValue), "template_id": request.templateID.map(JSONValue.string) ?? .null,
                    "template_external_id": request.templateExternalID.map(JSONValue.string) ?? .null,
                ]
            ),
            "permissions": request.permissions.claims,
            "limits": .object(
                [
                    "max_publishes": .number(Double(request.limits.maxPublishes)), "max_save_drafts": .number(Double(request.limits.maxSaveDrafts)),
                    "max_uploads_bytes": .number(Double(request.limits.maxUploadsBytes)),
                ]
            ),
        ]
        if let catalog { ck["catalog"] = catalog }
        if let appearance = request.appearance { ck["appearance"] = appearance }
        if let branding = request.branding ?? request.tenant.branding { ck["branding"] = branding }
        if let callbacks = request.callbacks { ck["callbacks"] = callbacks }
        if let form = request.form { ck["form"] = form }
        let claimsText = JSONValue.object(ck).serializedString
        let session = EmbedSession(
            id: Identifier.make(), projectID: projectID, partnerID: partner.id, tenantID: "", actorID: "", mode: request.mode, claims: claimsText,
            expiresAt: now + lifetimeMillis, revokedAt: nil, createdAt: now
        )
        let renewToken = Self.newRenewToken()
        let stored = try await repository.create(session, tenant: request.tenant, actor: request.actor, renewTokenHash: Hex.sha256(renewToken))
        sessions?.put(stored, for: stored.id)
        return try await issue(stored, renewToken: renewToken, ck: .object(ck))
    }

    public func refresh(projectID: String, json: JSONValue) async throws -> Minted {
        var fields = try ObjectValidator(json)
        let renewToken = fields.string("renewToken", required: true, length: 8...512)
        try fields.finish(status: 422)
        let now = clock.now().epochMillis
        let next = Self.newRenewToken()
        switch try await repository.refresh(
            projectID: projectID, renewTokenHash: Hex.sha256(renewToken!), nextHash: Hex.sha256(next), expiresAt: now + lifetimeMillis, now: now
        ) {
        case .rotated(let session):
            sessions?.remove(session.id)
            return try await issue(session, renewToken: next)
        case .reused:
            // The revoked session's id is not known here; reuse is rare, so drop them all.
            sessions?.removeAll()
            throw AppError.unauthorized("refresh_failed", "This renew token was already used; the session has been revoked. Mint a new session.")
        case .invalid:
            throw AppError.unauthorized("refresh_failed", "The renew token is not valid for an active session of this project. Mint a new session.")
        }
    }

    public func revoke(projectID: String, id: String) async throws {
        sessions?.remove(id)
        defer { sessions?.remove(id) }
        guard Identifier.isValid(id), try await repository.revoke(id: id, projectID: projectID, now: clock.now().epochMillis) else {
            throw AppError.notFound("session_not_found", "No session \(id) in this project.")
        }
    }

    /// Verifies a session token: EdDSA signature under the partner key its `kid` names, expiry (30 s
    /// skew), audience, and that the session is neither revoked nor expired in the database.
    public func verify(_ token: String) async throws -> (session: EmbedSession, claims: JSONValue) {
        // Codes follow the embed pages' failure taxonomy (docs/embedding.md#failure-codes); session
        // routes answer 401 `unauthorized` with this message, the session bootstrap route with this code.
        let failure = { (reason: String, code: String) in AppError.unauthorized(code, "The session token is not valid: \(reason).") }
        do {
            let claims: JSONValue
            let partnerID: String
            // The key first, even for a token seen before: a retired key's tokens stop verifying.
            guard let key = try await publicKey(of: token) else { throw EdDSAToken.Failure.unknownKey }
            if let known = verifiedSignatures.get(token), known.partnerID == key.partnerID {
                try EdDSAToken.checkTimesAndAudience(known.claims, audience: audience, now: clock.now())
                (claims, partnerID) = known
            } else {
                claims = try EdDSAToken.verify(token, publicKey: key.publicKey, audience: audience, now: clock.now())
                partnerID = key.partnerID
                let expires: Int64? = if case .number(let exp)? = claims["exp"] { Int64(exp * 1000) } else { nil }
                verifiedSignatures.put((claims, partnerID), for: token, expiresAt: expires)
            }
            guard case .string(let id)? = claims["sub"], let session = try await session(id: id), session.partnerID == partnerID else {
                throw failure("unknown session", "session_invalid")
            }
            guard session.revokedAt == nil else { throw failure("the session was revoked", "session_revoked") }
            return (session, claims)
        } catch let error as EdDSAToken.Failure {
            throw failure(error.description, error == .expired ? "session_expired" : "session_invalid")
        }
    }

    /// The project a token was signed for, when its signature verifies under a partner key, however
    /// expired or revoked it is: the embed pages use it to let the partner's origins frame the page that
    /// explains the token's state (never a blank frame).
    public func signedProjectID(of token: String) async -> String? {
        guard let key = try? await publicKey(of: token), let claims = try? EdDSAToken.verifySignature(token, publicKey: key.publicKey),
            claims["ck"]?["partner"]?["id"] == .string(key.partnerID), case .string(let projectID)? = claims["ck"]?["partner"]?["project_id"]
        else { return nil }
        return projectID
    }

    /// The partner key the token's `kid` names (cached), nil for an unknown `kid`.
    func publicKey(of token: String) async throws -> (publicKey: String, partnerID: String)? {
        let keyID = try EdDSAToken.keyID(of: token)
        return try await publicKeys.value(for: keyID) { try await repository.signingKey(keyID: keyID).map { ($0.publicKey, $0.partnerID) } }
    }

    func session(id: String) async throws -> EmbedSession? {
        guard let sessions else { return try await repository.find(id: id) }
        return try await sessions.value(for: id) { try await repository.find(id: id) }
    }

    /// Keeps an end user's half-filled form. It is the same kind of data a submit sends, so it gets the
    /// same shape limits (400 `invalid_request` naming the path) before it is stored.
    public func saveFormDraft(sessionID: String, draft: JSONValue) async throws -> Int64 {
        try DataLimits.data.check(draft, at: "data")
        let now = clock.now().epochMillis
        try await repository.saveFormDraft(sessionID: sessionID, draft: draft.serializedString, now: now)
        return now
    }

    public func formDraft(sessionID: String) async throws -> (draft: JSONValue, savedAt: Int64)? {
        guard let stored = try await repository.formDraft(sessionID: sessionID) else { return nil }
        return (try JSONValue.parse(Data(stored.draft.utf8)), stored.savedAt)
    }

    public func usage(sessionID: String) async throws -> SessionUsage { try await repository.usage(sessionID: sessionID) }

    /// Counts a draft save or publish against the session's limit; 403 `limit_reached` past it.
    public func consume(_ counter: SessionCounter, sessionID: String, limit: Int) async throws {
        guard try await repository.consume(sessionID: sessionID, counter: counter, limit: limit) else {
            let what = counter == .publishes ? "maxPublishes" : "maxSaveDrafts"
            throw AppError(status: 403, code: "limit_reached", message: "This session has reached its \(what) limit of \(limit).")
        }
    }

    /// Records an upload of this session within its byte limit; false when the limit would be passed.
    public func recordUpload(session: EmbedSession, blobKey: String, contentType: String, bytes: Int, limit: Int) async throws -> Bool {
        try await repository.addUpload(
            id: Identifier.make(), session: session, blobKey: blobKey, contentType: contentType, bytes: bytes, limit: limit,
            now: clock.now().epochMillis
        )
    }

    /// Whether an upload is still served: it exists and is younger than `retentionMillis`. Uploads are
    /// fetched by URL with no credential, so their lifetime is bounded instead of forever.
    public func uploadIsServed(blobKey: String, retentionMillis: Int64) async throws -> Bool {
        guard let created = try await repository.uploadCreatedAt(blobKey: blobKey) else { return false }
        return clock.now().epochMillis - created < retentionMillis
    }

    /// - Parameter ck: the session's `ck` claims when the caller has them (a mint), else read from the row.
    func issue(_ session: EmbedSession, renewToken: String, ck: JSONValue? = nil) async throws -> Minted {
        let key = try await signingKeys.value(for: session.partnerID) {
            guard let stored = try await repository.signingKey(partnerID: session.partnerID) else { return nil }
            return (stored.keyID, try secrets.open(stored.sealedPrivateKey, context: "signing_key:\(stored.id)"))
        }
        guard let key else { throw AppError.unauthorized("invalid_credentials", "The embed partner has no signing key.") }
        let issuedAt = Double(clock.now().epochMillis / 1000)
        var claims: [String: JSONValue] = [
            "iss": .string(publicURL), "aud": .string(audience), "sub": .string(session.id), "iat": .number(issuedAt), "nbf": .number(issuedAt),
            "exp": .number(Double(session.expiresAt / 1000)), "jti": .string("ck_sess_" + Identifier.make()),
        ]
        claims["ck"] = try ck ?? JSONValue.parse(Data(session.claims.utf8))
        let token = try EdDSAToken.sign(claims: .object(claims), keyID: key.keyID, privateKey: key.privateKey)
        let page = session.mode == .fill ? "form" : "builder"
        return Minted(session: session, token: token, renewToken: renewToken, iframeURL: "\(publicURL)/embed/\(page)?session_token=\(token)")
    }

    /// `ert_` + 32 base62 characters.
    static func newRenewToken() -> String { "ert_" + APIKeyMaterial.generate(.live).dropFirst(APIKeyMaterial.Environment.live.prefix.count) }
}
