import AdminProvisioning
import Core
import Foundation
import HTTPTypes
import Hummingbird

/// The console's session (docs/console.md, docs/decisions/0017-console-sessions.md): stateless, a
/// cookie sealed with the deployment's secret-sealing key (docs/decisions/0001-secrets-at-rest.md) that
/// names the principal — a project's API key by id, or the operator — with its issue time, last
/// activity and CSRF token. The key itself never reaches the browser: the cookie holds only ids,
/// opaque to anyone without the sealing key.
struct ConsoleSession: Codable, Sendable, Equatable {
    enum Kind: String, Codable, Sendable { case project, `operator` }

    var kind: Kind
    /// Project sessions: the project and the API key that signed in (checked active on every request).
    var projectID: String?
    var keyID: String?
    var environment: String?
    /// Operator sessions: a fingerprint of the admin key that signed in, so changing the key ends them.
    var adminKeyFingerprint: String?
    /// Issue time and last activity (epoch milliseconds).
    var issuedAt: Int64
    var lastActivity: Int64
    var csrfToken: String

    static let cookieName = "ck_console"
    static let sealContext = "console-session:v1"
    /// Idle timeout: a session unused this long is over (each request re-issues the cookie).
    static let idleMillis: Int64 = 30 * 60 * 1000
    /// Absolute lifetime: however active, a session ends this long after sign-in.
    static let lifetimeMillis: Int64 = 12 * 3600 * 1000
    /// The cookie is re-issued (sliding the idle timeout) once its last activity is older than this.
    static let refreshMillis: Int64 = 60 * 1000

    static func new(kind: Kind, project: AuthenticatedProject?, adminKey: String?, now: Int64) -> ConsoleSession {
        ConsoleSession(
            kind: kind, projectID: project?.projectID, keyID: project?.keyID, environment: project?.environment.rawValue,
            adminKeyFingerprint: adminKey.map(fingerprint), issuedAt: now, lastActivity: now,
            csrfToken: Base64URL.encode(SecureRandom.bytes(32)))
    }

    static func fingerprint(_ adminKey: String) -> String { String(Hex.sha256("craftkit-console:" + adminKey).prefix(32)) }

    var authenticatedProject: AuthenticatedProject? {
        guard kind == .project, let projectID, let keyID, let environment = environment.flatMap(APIKeyMaterial.Environment.init) else {
            return nil
        }
        return AuthenticatedProject(projectID: projectID, keyID: keyID, environment: environment)
    }

    /// When the session ends if unused (the earlier of the idle and the absolute limit).
    var expiresAt: Int64 { min(lastActivity + Self.idleMillis, issuedAt + Self.lifetimeMillis) }

    func isLive(now: Int64) -> Bool { now < expiresAt && lastActivity <= now + 60_000 }

    func sealed(with box: SecretBox) throws -> String {
        try box.seal(String(decoding: try JSONEncoder().encode(self), as: UTF8.self), context: Self.sealContext)
    }

    /// The session a cookie value holds, or nil when it does not open (tampered, another deployment's,
    /// malformed).
    static func open(_ value: String, with box: SecretBox) -> ConsoleSession? {
        guard value.utf8.count <= 4096, let json = try? box.open(value, context: sealContext) else { return nil }
        return try? JSONDecoder().decode(ConsoleSession.self, from: Data(json.utf8))
    }

    /// The value of this server's console cookie in a request, if any.
    static func cookieValue(in request: Request) -> String? {
        for header in request.headers[values: .cookie] {
            for pair in header.split(separator: ";") {
                let trimmed = pair.trimmingCharacters(in: .whitespaces)
                guard let equals = trimmed.firstIndex(of: "=") else { continue }
                if trimmed[..<equals] == cookieName { return String(trimmed[trimmed.index(after: equals)...]) }
            }
        }
        return nil
    }

    /// `Set-Cookie` for a sealed session: `HttpOnly; SameSite=Strict; Path=/`, `Secure` over https.
    static func setCookie(_ sealed: String, secure: Bool) -> String {
        "\(cookieName)=\(sealed); Path=/; HttpOnly; SameSite=Strict; Max-Age=\(lifetimeMillis / 1000)" + (secure ? "; Secure" : "")
    }

    /// `Set-Cookie` that removes the session cookie.
    static func clearCookie(secure: Bool) -> String {
        "\(cookieName)=; Path=/; HttpOnly; SameSite=Strict; Max-Age=0" + (secure ? "; Secure" : "")
    }

    /// Whether the browser reached this server over https: the public URL says so, or the proxy in
    /// front of it does (`X-Forwarded-Proto`).
    static func isSecure(_ request: Request, config: ServerConfig) -> Bool {
        config.publicURL.lowercased().hasPrefix("https://") || request.headers[.xForwardedProto]?.lowercased() == "https"
    }
}

extension HTTPField.Name {
    static let xCSRFToken = HTTPField.Name("X-CSRF-Token")!
    static let xForwardedProto = HTTPField.Name("X-Forwarded-Proto")!
}
