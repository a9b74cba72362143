import AdminProvisioning
import Core
import Hummingbird

/// Bearer credential parsing shared by the admin and project guards.
enum BearerToken {
    /// The token of `Authorization: Bearer <token>`. Missing header → `missing_authorization`; any other
    /// scheme or an empty token → `unauthorized` (or `invalid_credentials` on the embed routes).
    static func extract(from request: Request, failureCode: String) throws -> String {
        guard let header = request.headers[.authorization] else {
            throw AppErrorResponse.missingAuthorization()
        }
        let parts = header.split(separator: " ", maxSplits: 1, omittingEmptySubsequences: true)
        guard parts.count == 2, parts[0].lowercased() == "bearer" else {
            throw AppError.unauthorized(failureCode, "The Authorization header must be \"Bearer <key>\".")
        }
        let token = parts[1].trimmingCharacters(in: .whitespaces)
        guard !token.isEmpty, token.count <= 512 else {
            throw AppError.unauthorized(failureCode, "The bearer token is empty or malformed.")
        }
        return token
    }
}

/// Guards `/v1/admin/*`: only the deployment's admin key, compared in constant time. A project key
/// here is just a wrong admin key: 401.
struct AdminAuthMiddleware: RouterMiddleware {
    typealias Context = AppRequestContext
    let adminKey: String

    func handle(_ request: Request, context: Context, next: (Request, Context) async throws -> Response) async throws -> Response {
        let token = try BearerToken.extract(from: request, failureCode: "unauthorized")
        guard ConstantTime.equals(token, adminKey) else {
            throw AppError.unauthorized("unauthorized", "The admin key is not valid.")
        }
        return try await next(request, context)
    }
}

/// Guards project routes: an active project API key (`ck_live_`/`ck_test_`). Unknown, malformed or
/// revoked keys are 401 `unauthorized`, or `invalid_credentials` under `/v1/embed/` as the reference
/// has it. The admin key is not a project key, so it fails here too.
struct ProjectAuthMiddleware: RouterMiddleware {
    typealias Context = AppRequestContext
    let keys: APIKeyService
    let rateLimiter: any RateLimiter
    let perMinute: Int

    func handle(_ request: Request, context: Context, next: (Request, Context) async throws -> Response) async throws -> Response {
        let code = request.uri.path.hasPrefix("/v1/embed/") ? "invalid_credentials" : "unauthorized"
        let token = try BearerToken.extract(from: request, failureCode: code)
        guard let project = try await keys.authenticate(key: token) else {
            throw AppError.unauthorized(code, "The API key is not valid or has been revoked.")
        }
        var context = context
        context.project = project
        context.trace.projectID = project.projectID
        try await rateLimiter.enforce(bucket: "key:\(project.keyID)", limit: perMinute)
        return try await next(request, context)
    }
}
