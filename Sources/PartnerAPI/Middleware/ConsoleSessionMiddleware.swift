import AdminProvisioning
import Core
import Foundation
import HTTPTypes
import Hummingbird

/// Lets the console's script call the partner API (`/v1/…`) and the admin API (`/v1/admin/…`) with its
/// session cookie instead of a bearer key (docs/console.md). It acts only when the request carries no
/// `Authorization` header — a key, when present, always wins — and only under `/v1/`. A live session
/// becomes exactly the principal its key would be: the project (so every route's tenant scoping holds)
/// or the operator; the guards (`ProjectAuthMiddleware`, `AdminAuthMiddleware`) then accept it.
/// Every request but GET/HEAD must repeat the session's CSRF token in `X-CSRF-Token` (403 otherwise).
/// A project session ends the moment its key is revoked. The cookie is never logged.
struct ConsoleSessionMiddleware: RouterMiddleware {
    typealias Context = AppRequestContext
    let services: AppServices

    func handle(_ request: Request, context: Context, next: (Request, Context) async throws -> Response) async throws -> Response {
        guard request.headers[.authorization] == nil, request.uri.path.hasPrefix("/v1/"), let cookie = ConsoleSession.cookieValue(in: request)
        else {
            return try await next(request, context)
        }
        let secure = ConsoleSession.isSecure(request, config: services.config)
        let now = Date().epochMillis
        guard var session = try await Self.liveSession(cookie: cookie, services: services, now: now) else {
            // An ended session: the request goes on without a principal (the guard answers 401), and the
            // stale cookie is removed.
            let clear = ConsoleSession.clearCookie(secure: secure)
            do {
                var response = try await next(request, context)
                response.headers.append(HTTPField(name: .setCookie, value: clear))
                return response
            } catch var error as AppError {
                error.headers["Set-Cookie"] = clear
                throw error
            }
        }
        try Self.checkCSRF(request, session: session)
        var context = context
        context.consoleKind = session.kind
        if let project = session.authenticatedProject {
            context.project = project
            context.trace.projectID = project.projectID
        }
        var response = try await next(request, context)
        if now - session.lastActivity >= ConsoleSession.refreshMillis {
            session.lastActivity = now
            response.headers.append(
                HTTPField(name: .setCookie, value: ConsoleSession.setCookie(try session.sealed(with: services.secrets), secure: secure)))
        }
        return response
    }

    /// Changes need the session's CSRF token in `X-CSRF-Token` (compared in constant time).
    static func checkCSRF(_ request: Request, session: ConsoleSession) throws {
        guard request.method != .get, request.method != .head else { return }
        guard let token = request.headers[.xCSRFToken], ConstantTime.equals(token, session.csrfToken) else {
            throw AppError(status: 403, code: "csrf_token_invalid", message: "This change needs the console session's X-CSRF-Token header.")
        }
    }

    /// The session a cookie holds while it is live: it opens, it is within its idle and absolute
    /// limits, and its principal still holds (the project key is active; the admin key unchanged).
    static func liveSession(cookie: String, services: AppServices, now: Int64) async throws -> ConsoleSession? {
        guard let session = ConsoleSession.open(cookie, with: services.secrets), session.isLive(now: now) else { return nil }
        switch session.kind {
        case .operator:
            guard let fingerprint = session.adminKeyFingerprint,
                ConstantTime.equals(fingerprint, ConsoleSession.fingerprint(services.adminKey))
            else { return nil }
            return session
        case .project:
            guard let project = session.authenticatedProject else { return nil }
            let keys = try await services.keys.list(projectID: project.projectID)
            return keys.contains { $0.id == project.keyID && $0.revokedAt == nil } ? session : nil
        }
    }
}
