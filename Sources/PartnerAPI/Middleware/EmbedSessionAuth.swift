import Core
import EmbedSessions
import Foundation
import HTTPTypes
import Hummingbird

/// A request authenticated by an embed session token, read once from the verified claims: the
/// session, its scope and mode, its typed permissions and its limits. Handlers check these, never raw
/// claim strings, so a new permission flag is one more `EmbedPermissions` member and its route's
/// `requirePermission`.
struct VerifiedSession: Sendable {
    /// `ck.scope`: the template the session was minted for, by id or by slug (its external id).
    struct Scope: Sendable, Equatable {
        let templateID: String?
        let templateExternalID: String?
    }

    /// `ck.limits`: what the session may consume (0 when the claim is absent). Encoded as the
    /// bootstrap's `limits`.
    struct Limits: Sendable, Equatable, Encodable {
        let maxPublishes: Int
        let maxSaveDrafts: Int
        let maxUploadsBytes: Int
    }

    let session: EmbedSession
    let partner: EmbedPartner
    /// The signed `ck` claim. The parts the pages receive as they were minted (tenant, actor, catalog,
    /// appearance, branding, form) are read from it; everything a route decides on is typed below.
    let ck: JSONValue
    let scope: Scope
    let permissions: EmbedPermissions
    let limits: Limits

    init(session: EmbedSession, claims: JSONValue, partner: EmbedPartner) {
        self.session = session
        self.partner = partner
        ck = claims["ck"] ?? .null
        let scope = ck["scope"]
        self.scope = Scope(templateID: Self.string(scope?["template_id"]), templateExternalID: Self.string(scope?["template_external_id"]))
        permissions = EmbedPermissions(claims: ck["permissions"])
        let limits = ck["limits"]
        self.limits = Limits(
            maxPublishes: Self.int(limits?["max_publishes"]), maxSaveDrafts: Self.int(limits?["max_save_drafts"]),
            maxUploadsBytes: Self.int(limits?["max_uploads_bytes"]))
    }

    var id: String { session.id }
    var projectID: String { session.projectID }
    var mode: ScopeMode { session.mode }
    /// Edit and create sessions are the builder's; only they bring layouts of their own.
    var isBuilder: Bool { mode == .edit || mode == .create }

    /// The one check of a permission flag: 403 `permission_denied` naming the flag.
    func requirePermission(_ flag: KeyPath<EmbedPermissions, Bool>) throws {
        guard permissions[keyPath: flag] else {
            throw Self.permissionDenied("This session lacks the \(EmbedPermissions.apiName(of: flag)) permission.")
        }
    }

    /// 403 `permission_denied`: the session may not do this (a flag, or a form option that is off).
    static func permissionDenied(_ message: String) -> AppError {
        AppError(status: 403, code: "permission_denied", message: message)
    }

    /// 403 `wrong_mode`: the session's mode never does this, whatever its flags.
    static func wrongMode(_ message: String) -> AppError {
        AppError(status: 403, code: "wrong_mode", message: message)
    }

    private static func string(_ value: JSONValue?) -> String? {
        if case .string(let text)? = value { return text }
        return nil
    }

    private static func int(_ value: JSONValue?) -> Int {
        if case .number(let number)? = value { return Int(number) }
        return 0
    }
}

/// The context of the session-token routes: the parent's state plus the session `SessionAuthMiddleware`
/// verified, so a handler cannot run without one.
struct SessionRequestContext: ChildRequestContext {
    var coreContext: CoreRequestContextStorage
    let requestID: String
    let trace: RequestTrace
    let session: VerifiedSession

    init(context: AppRequestContext) throws {
        // Only reachable by registering a route in the session group without its middleware.
        guard let session = context.session else { throw AppError.unauthorized("unauthorized", "Send Authorization: Bearer <session_token>.") }
        coreContext = context.coreContext
        requestID = context.requestID
        trace = context.trace
        self.session = session
    }
}

/// Session-token authentication for the iframe-side routes (auth → rate limit), with origin
/// pinning: a request that names an `Origin` must come from this server's own pages or from one of
/// the partner's allowed origins (400 `bad_request` otherwise, as the reference has it).
struct SessionAuthMiddleware: RouterMiddleware {
    typealias Context = AppRequestContext
    let services: AppServices
    /// Answer a bad token with the pages' failure codes (`session_expired`, `session_revoked`,
    /// `session_invalid`) instead of the reference's `unauthorized`: the bootstrap route's contract.
    var failureCodes = false

    func handle(_ request: Request, context: Context, next: (Request, Context) async throws -> Response) async throws -> Response {
        var context = context
        context.session = try await authenticate(request, context)
        return try await next(request, context)
    }

    func authenticate(_ request: Request, _ context: Context) async throws -> VerifiedSession {
        // Session tokens carry their claims (an inline catalog can be large): no key-sized cap.
        let token = try BearerToken.extract(
            from: request, missing: AppError.unauthorized("unauthorized", "Send Authorization: Bearer <session_token>."),
            malformed: AppError.unauthorized("unauthorized", "The Authorization header must be \"Bearer <session_token>\"."), maxLength: nil)
        let verified: (session: EmbedSession, claims: JSONValue)
        do {
            verified = try await services.sessions.verify(token)
        } catch let error as AppError {
            throw failureCodes ? error : AppError.unauthorized("unauthorized", error.message)
        }
        guard let partner = try await services.embedPartners.partner(projectID: verified.session.projectID), partner.status == .active else {
            throw AppError.unauthorized("unauthorized", "Embed is not enabled for this session's project.")
        }
        if let origin = request.headers[.origin], !Self.allows(origin, partner: partner, services: services) {
            throw AppError(status: 400, code: "bad_request", message: "Origin \(origin) is not an allowed origin of this partner.")
        }
        context.trace.projectID = verified.session.projectID
        try await services.rateLimiter.enforce(bucket: "session:\(verified.session.id)", limit: services.config.rateLimitPerSession)
        return VerifiedSession(session: verified.session, claims: verified.claims, partner: partner)
    }

    static func allows(_ origin: String, partner: EmbedPartner, services: AppServices) -> Bool {
        origin == ownOrigin(services) || partner.allowedOrigins.contains(origin.lowercased())
    }

    /// `scheme://host[:port]` of this server's public URL: its own iframe pages.
    static func ownOrigin(_ services: AppServices) -> String {
        guard let url = URLComponents(string: services.config.publicURL), let scheme = url.scheme, let host = url.host else { return "" }
        return "\(scheme)://\(host)" + (url.port.map { ":\($0)" } ?? "")
    }
}

/// `POST /v1/embed/builder/templates` takes either credential: a project key (the partner creating a
/// template server-side; its project must have an active embed partner) or a session token (the
/// builder page's first save). Each goes through its own guard, rate limit included; every 401 is
/// `missing_or_invalid_authorization`, as the reference has it.
struct KeyOrSessionAuthMiddleware: RouterMiddleware {
    typealias Context = AppRequestContext
    let project: ProjectAuthMiddleware
    let session: SessionAuthMiddleware
    let embedPartners: any EmbedPartnerRepository

    func handle(_ request: Request, context: Context, next: (Request, Context) async throws -> Response) async throws -> Response {
        let failure = AppError.unauthorized("missing_or_invalid_authorization", "Send a partner key or a session token as a Bearer token.")
        var context = context
        do {
            let token = try BearerToken.extract(from: request, missing: failure, malformed: failure, maxLength: nil)
            if APIKeyMaterial.environment(of: token) != nil {
                context = try await project.authenticated(token: token, context: context, failureCode: failure.code)
                guard let projectID = context.project?.projectID, let partner = try await embedPartners.partner(projectID: projectID),
                    partner.status == .active
                else { throw failure }
            } else {
                context.session = try await session.authenticate(request, context)
            }
        } catch let error as AppError where error.status == 401 {
            throw failure
        }
        return try await next(request, context)
    }
}

extension HTTPField.Name {
    static let origin = HTTPField.Name("Origin")!
}
