import Core
import HTTPTypes
import Hummingbird

/// CORS for the embed API, answered with the exact requesting origin and never `*`: an origin is
/// allowed when it is this server's own (its iframe pages) or on some partner's allowed-origins list.
/// Preflights (`OPTIONS` with `Access-Control-Request-Method`) under `/v1/embed/` are answered here;
/// other responses to an allowed origin get `Access-Control-Allow-Origin`. Whether the origin may use a
/// particular session is checked again by `SessionAuthMiddleware` against that session's partner.
struct CORSMiddleware: RouterMiddleware {
    typealias Context = AppRequestContext
    let services: AppServices

    func handle(_ request: Request, context: Context, next: (Request, Context) async throws -> Response) async throws -> Response {
        guard let origin = request.headers[.origin], request.uri.path.hasPrefix("/v1/embed/") else {
            return try await next(request, context)
        }
        let allowed = try await isAllowed(origin)
        if request.method == .options, request.headers[.accessControlRequestMethod] != nil {
            guard allowed else {
                throw AppError(status: 403, code: "origin_not_allowed", message: "Origin \(origin) is not an allowed origin.")
            }
            var headers = Self.headers(for: origin)
            headers[.accessControlAllowMethods] = "GET, POST, PUT, PATCH, DELETE, OPTIONS"
            headers[.accessControlAllowHeaders] = "authorization, content-type, idempotency-key, x-request-id"
            headers[.accessControlMaxAge] = "600"
            return Response(status: .noContent, headers: headers)
        }
        var response = try await next(request, context)
        if allowed { response.headers.append(contentsOf: Self.headers(for: origin)) }
        return response
    }

    func isAllowed(_ origin: String) async throws -> Bool {
        if origin == SessionAuthMiddleware.ownOrigin(services) { return true }
        return try await services.embedPartners.anyPartnerAllows(origin: origin.lowercased())
    }

    static func headers(for origin: String) -> HTTPFields {
        [.accessControlAllowOrigin: origin, .vary: "Origin", .accessControlExposeHeaders: "x-request-id"]
    }
}
