import Core
import Foundation
import HTTPTypes
import Hummingbird
import Logging

/// The outermost layer of every request: assigns the request id, turns every thrown error into the
/// envelope, and writes the one access-log line (method, path without query, status, latency, request
/// id, tenant). The query string is never logged: iframe URLs carry session tokens there.
struct RequestMiddleware: RouterMiddleware {
    typealias Context = AppRequestContext
    let routes: RouteTable
    let logger: Logger

    func handle(_ request: Request, context: Context, next: (Request, Context) async throws -> Response) async throws -> Response {
        var context = context
        context.requestID = Self.acceptedRequestID(request.headers[.requestID]) ?? Identifier.make()
        context.logger[metadataKey: "request_id"] = .string(context.requestID)
        let started = ContinuousClock.now

        var response: Response
        do {
            response = try await next(request, context)
        } catch {
            let appError = AppErrorResponse.appError(for: error, request: request, routes: routes)
            if appError.status >= 500 {
                logger.error(
                    "request failed",
                    metadata: ["request_id": .string(context.requestID), "error": .string(String(reflecting: error))]
                )
            }
            context.trace.errorCode = appError.code
            response = AppErrorResponse.response(for: appError)
        }
        response.headers[.requestID] = context.requestID

        let elapsed = ContinuousClock.now - started
        var metadata: Logger.Metadata = [
            "request_id": .string(context.requestID),
            "method": .string(request.method.rawValue),
            "path": .string(request.uri.path),
            "status": .stringConvertible(response.status.code),
            "latency_ms": .string(String(format: "%.2f", Double(elapsed.components.attoseconds) / 1e15 + Double(elapsed.components.seconds) * 1000)),
        ]
        if let project = context.trace.projectID { metadata["project_id"] = .string(project) }
        if let code = context.trace.errorCode { metadata["error_code"] = .string(code) }
        logger.info("request", metadata: metadata)
        return response
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
}
