import AdminProvisioning
import Core
import Foundation
import HTTPTypes
import Hummingbird

/// The console (docs/console.md): `GET /console` and its assets (static files from `Public/console/`,
/// no build step), and the session it runs on — `POST /console/session` exchanges a project API key or
/// the admin key for a sealed `HttpOnly; SameSite=Strict` cookie, `GET` reads the session back (the
/// page's CSRF token after a reload; 204 when there is none), `DELETE` signs out. Failed sign-ins count per client address.
struct ConsoleRoutes {
    let services: AppServices
    /// Failed sign-ins allowed per client address and minute (also bounded by the server-wide
    /// `CRAFTKIT_AUTH_FAILURES_PER_MINUTE`; 0 there turns both off).
    static let failedSignInsPerMinute = 10

    struct PrincipalBody: Encodable {
        let kind: String
        let projectId: String?
        let keyId: String?
        let environment: String?
    }

    struct SessionBody: Encodable {
        let principal: PrincipalBody
        let csrfToken: String
        let issuedAt: String
        let expiresAt: String
        let idleTimeoutSeconds: Int64
        let absoluteTimeoutSeconds: Int64

        init(_ session: ConsoleSession) {
            principal = PrincipalBody(
                kind: session.kind.rawValue, projectId: session.projectID, keyId: session.keyID, environment: session.environment)
            csrfToken = session.csrfToken
            issuedAt = Date(epochMillis: session.issuedAt).iso8601
            expiresAt = Date(epochMillis: session.expiresAt).iso8601
            idleTimeoutSeconds = ConsoleSession.idleMillis / 1000
            absoluteTimeoutSeconds = ConsoleSession.lifetimeMillis / 1000
        }
    }

    func register(on router: Router<AppRequestContext>, routes: RouteTable) {
        let pages = PublicPageRoutes(services: services)
        routes.add(router, .get, "/console") { request, _ in
            try pages.file("console/index.html", request, headers: Self.pageHeaders)
        }
        routes.add(router, .get, "/console/assets/:file") { request, context in
            try pages.file("console/" + (context.parameters.get("file") ?? ""), request, headers: [.xFrameOptions: "DENY"])
        }
        routes.add(router, .post, "/console/session") { request, context in try await signIn(request, context: context) }
        routes.add(router, .get, "/console/session") { request, _ in
            let secure = ConsoleSession.isSecure(request, config: services.config)
            let now = Date().epochMillis
            guard let cookie = ConsoleSession.cookieValue(in: request),
                var session = try await ConsoleSessionMiddleware.liveSession(cookie: cookie, services: services, now: now)
            else {
                // Not signed in is an answer, not an error: the page then shows its sign-in form.
                return Response(status: .noContent, headers: [.setCookie: ConsoleSession.clearCookie(secure: secure), .cacheControl: "no-store"])
            }
            session.lastActivity = now
            var response = JSONBody.response(status: .ok, SessionBody(session))
            response.headers[.setCookie] = ConsoleSession.setCookie(try session.sealed(with: services.secrets), secure: secure)
            response.headers[.cacheControl] = "no-store"
            return response
        }
        routes.add(router, .delete, "/console/session") { request, _ in
            // Signing out is a change: a live session must show its CSRF token. Without one there is
            // nothing to end, and the cookie is cleared all the same.
            if let cookie = ConsoleSession.cookieValue(in: request),
                let session = try await ConsoleSessionMiddleware.liveSession(cookie: cookie, services: services, now: Date().epochMillis)
            {
                try ConsoleSessionMiddleware.checkCSRF(request, session: session)
            }
            return Response(
                status: .noContent,
                headers: [.setCookie: ConsoleSession.clearCookie(secure: ConsoleSession.isSecure(request, config: services.config))])
        }
    }

    static let pageHeaders: HTTPFields = [
        .contentSecurityPolicy: [
            "default-src 'self'", "script-src 'self'", "style-src 'self'", "img-src 'self' data: blob:", "connect-src 'self'",
            "frame-src 'self' blob:", "object-src 'none'", "base-uri 'none'", "form-action 'self'", "frame-ancestors 'none'",
        ].joined(separator: "; "),
        .cacheControl: "no-store", .xFrameOptions: "DENY",
    ]

    /// Whether a browser's `Origin` is this server: the host it was asked for (`Host`) or the public URL.
    /// A sign-in posted from another site (login CSRF: signing a victim in to the attacker's project) is
    /// refused; clients that send no `Origin` (curl, servers) are not browsers on another site.
    static func isOwnOrigin(_ origin: String, request: Request, publicURL: String) -> Bool {
        let lowered = origin.lowercased()
        let publicOrigin = URLComponents(string: publicURL).map { url in
            "\(url.scheme ?? "http")://\(url.host ?? "")" + (url.port.map { ":\($0)" } ?? "")
        }
        if lowered == publicOrigin?.lowercased() { return true }
        guard let authority = request.head.authority?.lowercased(), let schemeEnd = lowered.range(of: "://") else { return false }
        return lowered[schemeEnd.upperBound...] == authority
    }

    func signIn(_ request: Request, context: AppRequestContext) async throws -> Response {
        if let origin = request.headers[.origin], !Self.isOwnOrigin(origin, request: request, publicURL: services.config.publicURL) {
            throw AppError(status: 403, code: "origin_not_allowed", message: "Sign in from this server's own console page.")
        }
        let json = try await JSONBody.read(request, limit: 16_384)
        var fields = try ObjectValidator(json)
        let key = fields.string("key", required: true, length: 1...512)
        try fields.finish()
        let now = Date().epochMillis
        let session: ConsoleSession
        if let key, ConstantTime.equals(key, services.adminKey) {
            session = .new(kind: .operator, project: nil, adminKey: services.adminKey, now: now)
        } else if let key, let project = try await services.keys.authenticate(key: key) {
            session = .new(kind: .project, project: project, adminKey: nil, now: now)
            context.trace.projectID = project.projectID
        } else {
            // Counted per client address (the 401 also counts toward the server-wide failure limit).
            let limit = min(Self.failedSignInsPerMinute, services.config.authFailuresPerMinute)
            if let client = context.clientAddress, limit > 0 {
                try await services.rateLimiter.enforce(bucket: "console-sign-in:\(client)", limit: limit)
            }
            throw AppError.unauthorized("unauthorized", "That is neither an active API key of a project nor the admin key.")
        }
        var response = JSONBody.response(status: .ok, SessionBody(session))
        response.headers[.setCookie] = ConsoleSession.setCookie(
            try session.sealed(with: services.secrets), secure: ConsoleSession.isSecure(request, config: services.config))
        response.headers[.cacheControl] = "no-store"
        return response
    }
}

extension HTTPField.Name {
    static let xFrameOptions = HTTPField.Name("X-Frame-Options")!
}
