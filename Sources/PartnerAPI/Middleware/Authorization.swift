import AdminProvisioning
import Core
import Hummingbird

/// The one reader of `Authorization: Bearer <token>`, shared by the admin, project-key and session
/// guards. The scheme is matched in any case (RFC 9110 makes it case-insensitive); each guard words
/// its own refusals.
enum BearerToken {
    /// The token. No header → `missing`; another scheme, an empty token or one longer than
    /// `maxLength` → `malformed`.
    static func extract(from request: Request, missing: AppError, malformed: AppError, maxLength: Int? = 512) throws -> String {
        guard let header = request.headers[.authorization] else { throw missing }
        let parts = header.split(separator: " ", maxSplits: 1, omittingEmptySubsequences: true)
        guard parts.count == 2, parts[0].lowercased() == "bearer" else { throw malformed }
        let token = parts[1].trimmingCharacters(in: .whitespaces)
        guard !token.isEmpty, maxLength.map({ token.count <= $0 }) ?? true else { throw malformed }
        return token
    }

    /// An API key (admin or project): missing → `missing_authorization`, malformed → `failureCode`.
    static func key(from request: Request, failureCode: String) throws -> String {
        try extract(
            from: request, missing: AppErrorResponse.missingAuthorization(),
            malformed: AppError.unauthorized(failureCode, "The Authorization header must be \"Bearer <key>\" with a well-formed key."))
    }
}

/// Guards `/v1/admin/*`: only the deployment's admin key, compared in constant time. A project key
/// here is just a wrong admin key: 401.
struct AdminAuthMiddleware: RouterMiddleware {
    typealias Context = AppRequestContext
    let adminKey: String

    func handle(_ request: Request, context: Context, next: (Request, Context) async throws -> Response) async throws -> Response {
        context.trace.flatCredentialErrors = true
        // A console operator session stands in for the key (docs/console.md).
        if context.consoleKind == .operator, request.headers[.authorization] == nil { return try await next(request, context) }
        let token = try BearerToken.key(from: request, failureCode: "unauthorized")
        guard ConstantTime.equals(token, adminKey) else {
            throw AppError.unauthorized("unauthorized", "The admin key is not valid.")
        }
        return try await next(request, context)
    }
}

/// Guards project routes (auth → rate limit): an active project API key (`ck_live_`/`ck_test_`).
/// Unknown, malformed or revoked keys are 401 `unauthorized`, or `invalid_credentials` under
/// `/v1/embed/` as the reference has it, where refusals are also the flat `{"error":"<code>"}` body.
/// The admin key is not a project key, so it fails here too.
struct ProjectAuthMiddleware: RouterMiddleware {
    typealias Context = AppRequestContext
    let keys: APIKeyService
    let rateLimiter: any RateLimiter
    let perMinute: Int

    func handle(_ request: Request, context: Context, next: (Request, Context) async throws -> Response) async throws -> Response {
        let embed = request.uri.path.hasPrefix("/v1/embed/")
        context.trace.flatCredentialErrors = embed
        let code = embed ? "invalid_credentials" : "unauthorized"
        // A console project session stands in for the key (docs/console.md), within the key's budget.
        if context.consoleKind == .project, let project = context.project, request.headers[.authorization] == nil {
            try await rateLimiter.enforce(bucket: "key:\(project.keyID)", limit: perMinute)
            return try await next(request, context)
        }
        let token = try BearerToken.key(from: request, failureCode: code)
        return try await next(request, try await authenticated(token: token, context: context, failureCode: code))
    }

    /// `context` with the key's project recorded (for the handler and the access log), once the key's
    /// per-minute budget allows the request.
    func authenticated(token: String, context: Context, failureCode: String) async throws -> Context {
        guard let project = try await keys.authenticate(key: token) else {
            throw AppError.unauthorized(failureCode, "The API key is not valid or has been revoked.")
        }
        var context = context
        context.project = project
        context.trace.projectID = project.projectID
        try await rateLimiter.enforce(bucket: "key:\(project.keyID)", limit: perMinute)
        return context
    }
}
