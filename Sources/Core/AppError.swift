/// A failure a client can act on. The HTTP layer turns it into the error envelope
/// `{"error":{"code","message","issues"?}}` (docs/decisions/0003-error-envelope.md); feature modules
/// throw it without knowing about HTTP, so the status is a plain integer.
public struct AppError: Error, Sendable, Equatable, CustomStringConvertible {
    public var status: Int
    public var code: String
    public var message: String
    public var issues: ValidationIssues?
    /// Extra response headers (e.g. `Allow` on 405). Never secrets.
    public var headers: [String: String]

    public init(status: Int, code: String, message: String, issues: ValidationIssues? = nil, headers: [String: String] = [:]) {
        self.status = status
        self.code = code
        self.message = message
        self.issues = issues
        self.headers = headers
    }

    public var description: String { "\(status) \(code): \(message)" }
}

extension AppError {
    public static func invalidJSON(_ message: String = "The request body is not valid JSON.") -> AppError {
        AppError(status: 400, code: "invalid_json", message: message)
    }

    /// Validation failure. The status differs per endpoint in the reference (400 on most, 422 on a few).
    public static func invalidRequest(_ issues: ValidationIssues, status: Int = 400) -> AppError {
        AppError(status: status, code: "invalid_request", message: issues.summary, issues: issues)
    }

    public static func notFound(_ code: String = "not_found", _ message: String) -> AppError {
        AppError(status: 404, code: code, message: message)
    }

    public static func unauthorized(_ code: String = "unauthorized", _ message: String) -> AppError {
        AppError(status: 401, code: code, message: message)
    }

    public static func payloadTooLarge(limit: Int) -> AppError {
        AppError(status: 413, code: "payload_too_large", message: "The request body is larger than the limit of \(limit) bytes.")
    }

    public static func conflict(_ code: String, _ message: String) -> AppError {
        AppError(status: 409, code: code, message: message)
    }
}
