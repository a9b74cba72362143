import Core
import Foundation
import HTTPTypes
import Hummingbird

/// Turns any error into the envelope `{"error":{"code","message","issues"?}}`, or on the routes
/// whose credential refusals Craftkit answers flat, `{"error":"<code>","message"}`
/// (docs/decisions/0003-error-envelope.md).
enum AppErrorResponse {
    struct Envelope: Encodable {
        struct Body: Encodable {
            let code: String
            let message: String
            let issues: ValidationIssues?
        }
        let error: Body
    }

    /// Craftkit's flat body for credential refusals on the admin and partner-key embed routes.
    struct FlatEnvelope: Encodable {
        let error: String
        let message: String
    }

    static func missingAuthorization() -> AppError {
        .unauthorized("missing_authorization", "Send an Authorization: Bearer header with a project API key.")
    }

    /// Maps what handlers and the framework throw onto an `AppError`. Unknown errors become a 500 whose
    /// body says nothing of the internals; the caller logs the detail with the request id.
    static func appError(for error: any Error, request: Request, routes: RouteTable) -> AppError {
        switch error {
        case let error as AppError:
            return error
        case let error as HTTPError:
            switch error.status {
            case .notFound:
                let allowed = routes.methods(matching: request.uri.path)
                if !allowed.isEmpty {
                    return AppError(
                        status: 405, code: "method_not_allowed",
                        message: "\(request.method.rawValue) is not allowed on \(request.uri.path); use \(allowed.joined(separator: ", ")).",
                        headers: ["Allow": allowed.joined(separator: ", ")]
                    )
                }
                return .notFound("not_found", "No route for \(request.method.rawValue) \(request.uri.path).")
            case .contentTooLarge:
                return AppError(status: 413, code: "payload_too_large", message: "The request body is too large.")
            default:
                let code = error.status.reasonPhrase.lowercased().replacingOccurrences(of: " ", with: "_")
                return AppError(status: Int(error.status.code), code: code, message: error.body ?? error.status.reasonPhrase)
            }
        case is DecodingError:
            return AppError(status: 400, code: "invalid_request", message: "The request body does not have the expected shape.")
        default:
            return AppError(status: 500, code: "internal", message: "An unexpected error occurred. Quote the x-request-id when reporting it.")
        }
    }

    /// `flatCredentialErrors`: the route answers 401 in the flat shape (`RequestTrace`).
    static func response(for error: AppError, flatCredentialErrors: Bool = false) -> Response {
        var response =
            if flatCredentialErrors && error.status == 401 {
                JSONBody.response(status: .init(code: error.status), FlatEnvelope(error: error.code, message: error.message))
            } else {
                JSONBody.response(
                    status: .init(code: error.status), Envelope(error: .init(code: error.code, message: error.message, issues: error.issues)))
            }
        for (name, value) in error.headers {
            if let field = HTTPField.Name(name) { response.headers[field] = value }
        }
        return response
    }
}
