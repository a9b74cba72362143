import Core
import EmbedSessions
import Foundation
import HTTPTypes
import Hummingbird

/// A request authenticated by an embed session token.
struct VerifiedSession {
    let session: EmbedSession
    let claims: JSONValue
    let partner: EmbedPartner

    var ck: JSONValue { claims["ck"] ?? .null }

    func permission(_ claim: String) -> Bool { ck["permissions"]?[claim] == .bool(true) }

    func limit(_ claim: String) -> Int {
        if case .number(let value)? = ck["limits"]?[claim] { return Int(value) }
        return 0
    }
}

/// Session-JWT authentication for the iframe-side routes, with origin pinning: a request that names
/// an `Origin` must come from this server's own pages or from one of the partner's allowed origins
/// (400 `bad_request` otherwise, as the reference has it).
enum EmbedSessionAuth {
    /// - Parameter failureCodes: answer a bad token with the pages' failure codes (`session_expired`,
    ///   `session_revoked`, `session_invalid`) instead of the reference's `unauthorized`.
    static func authenticate(
        _ request: Request, _ context: AppRequestContext, services: AppServices, failureCodes: Bool = false
    ) async throws -> VerifiedSession {
        guard let header = request.headers[.authorization] else {
            throw AppError.unauthorized("unauthorized", "Send Authorization: Bearer <session_token>.")
        }
        let parts = header.split(separator: " ", maxSplits: 1)
        guard parts.count == 2, parts[0].lowercased() == "bearer" else {
            throw AppError.unauthorized("unauthorized", "The Authorization header must be \"Bearer <session_token>\".")
        }
        let verified: (session: EmbedSession, claims: JSONValue)
        do {
            verified = try await services.sessions.verify(String(parts[1]))
        } catch let error as AppError {
            throw failureCodes ? error : AppError.unauthorized("unauthorized", error.message)
        }
        guard let partner = try await services.embedPartners.partner(projectID: verified.session.projectID), partner.status == .active else {
            throw AppError.unauthorized("unauthorized", "Embed is not enabled for this session's project.")
        }
        if let origin = request.headers[.origin], !allows(origin, partner: partner, services: services) {
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

extension HTTPField.Name {
    static let origin = HTTPField.Name("Origin")!
}
