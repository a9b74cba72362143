import Core
import Foundation
import HTTPTypes
import Hummingbird
import Logging
import Render

/// The outermost layer of every request: assigns the request id, turns away clients that keep failing
/// authentication, turns every thrown error into the envelope, and writes the one access-log line
/// (method, route pattern, status, latency, request id, tenant). Neither the path nor the query is
/// logged: paths carry hook tokens (and share and signing tokens), iframe URLs carry session tokens.
struct RequestMiddleware: RouterMiddleware {
    typealias Context = AppRequestContext
    let routes: RouteTable
    let logger: Logger
    /// Failed authentications per client address in the current minute (this process's count).
    let authFailures: InMemoryRateLimiter
    let authFailuresPerMinute: Int
    /// Where requests from end users and anonymous callers run (see `isEndUserTraffic`).
    let endUserWork: LowPriorityExecutor

    func handle(_ request: Request, context: Context, next: (Request, Context) async throws -> Response) async throws -> Response {
        var context = context
        context.requestID = Self.acceptedRequestID(request.headers[.requestID]) ?? Identifier.make()
        context.logger[metadataKey: "request_id"] = .string(context.requestID)
        // A caller's W3C trace context: its trace id joins the request id in the logs.
        let traceID = Self.traceID(request.headers[.traceparent])
        if let traceID { context.logger[metadataKey: "trace_id"] = .string(traceID) }
        let started = ContinuousClock.now
        let client = context.clientAddress.map { "auth-failures:\($0)" }

        var response: Response
        do {
            // Guessing keys or tokens from one address: refused before any lookup once over the limit.
            if let client, authFailuresPerMinute > 0, let wait = authFailures.wait(bucket: client, limit: authFailuresPerMinute, now: Date()) {
                throw AppError(
                    status: 429, code: "rate_limited",
                    message: "Too many failed authentications from this address. Retry after \(wait) s.", headers: ["Retry-After": String(wait)])
            }
            if Self.isEndUserTraffic(request) {
                response = try await withTaskExecutorPreference(endUserWork) { try await next(request, context) }
            } else {
                response = try await next(request, context)
            }
        } catch {
            let appError = AppErrorResponse.appError(for: error, request: request, routes: routes)
            if appError.status >= 500 {
                logger.error(
                    "request failed",
                    metadata: ["request_id": .string(context.requestID), "error": .string(String(reflecting: error))]
                )
            }
            context.trace.errorCode = appError.code
            response = AppErrorResponse.response(for: appError, flatCredentialErrors: context.trace.flatCredentialErrors)
        }
        response.headers[.requestID] = context.requestID
        if response.status == .unauthorized, let client, authFailuresPerMinute > 0 {
            _ = try? await authFailures.hit(bucket: client, limit: authFailuresPerMinute, now: Date())
        }

        let elapsed = ContinuousClock.now - started
        let route = context.endpointPath ?? "unmatched"
        Telemetry.request(route: route, method: request.method.rawValue, status: Int(response.status.code), elapsed: elapsed)
        var metadata: Logger.Metadata = [
            "request_id": .string(context.requestID),
            "method": .string(request.method.rawValue),
            "route": .string(route),
            "status": .stringConvertible(response.status.code),
            "latency_ms": .string(String(format: "%.2f", Double(elapsed.components.attoseconds) / 1e15 + Double(elapsed.components.seconds) * 1000)),
        ]
        if let project = context.trace.projectID { metadata["project_id"] = .string(project) }
        if let code = context.trace.errorCode { metadata["error_code"] = .string(code) }
        if let traceID { metadata["trace_id"] = .string(traceID) }
        logger.info("request", metadata: metadata)
        return response
    }

    /// Everything but the partners' and the operator's own calls (a project key, the admin routes) and
    /// health probes: iframe session traffic, public pages, inbound hooks, anonymous callers. It runs on
    /// lower-priority threads, so however much of it one end user sends, partner API requests and health
    /// checks keep their latency (a wrong guess only moves a request between two pools; nothing is
    /// authorized by it).
    static func isEndUserTraffic(_ request: Request) -> Bool {
        let path = request.uri.path
        if path == "/health" || path == "/v1/health" || path.hasPrefix("/v1/health/") || path == "/metrics" || path.hasPrefix("/v1/admin/") {
            return false
        }
        guard let authorization = request.headers[.authorization] else { return true }
        return !(authorization.contains("ck_live_") || authorization.contains("ck_test_"))
    }

    /// The trace id of a well-formed `traceparent` (W3C Trace Context: `00-<32 hex>-<16 hex>-<2 hex>`,
    /// ids not all zero), else nil; a malformed header is ignored, as the specification says.
    static func traceID(_ value: String?) -> String? {
        guard let value, value.utf8.count == 55 else { return nil }
        let parts = value.split(separator: "-", omittingEmptySubsequences: false)
        let lengths = [2, 32, 16, 2]
        guard parts.count == 4, zip(parts, lengths).allSatisfy({ $0.count == $1 && $0.allSatisfy { $0.isHexDigit && !$0.isUppercase } }),
            parts[0] != "ff", parts[1].contains(where: { $0 != "0" }), parts[2].contains(where: { $0 != "0" })
        else { return nil }
        return String(parts[1])
    }

    /// A client-supplied id is echoed only if it is short and printable, so it cannot forge log lines.
    static func acceptedRequestID(_ value: String?) -> String? {
        guard let value, (1...128).contains(value.utf8.count),
            value.utf8.allSatisfy({ $0 > 0x20 && $0 < 0x7F })
        else { return nil }
        return value
    }
}

extension HTTPField.Name {
    static let requestID = HTTPField.Name("x-request-id")!
    static let traceparent = HTTPField.Name("traceparent")!
}
