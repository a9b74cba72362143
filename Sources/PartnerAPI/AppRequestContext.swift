import AdminProvisioning
import Hummingbird
import Logging
import Synchronization

/// Per-request state shared by every layer of one request, by reference: middleware deeper in the
/// chain (auth) records the tenant so the access log written by the outer middleware can name it.
public final class RequestTrace: Sendable {
    private let state = Mutex<(projectID: String?, errorCode: String?, flatCredentialErrors: Bool)>((nil, nil, false))

    public init() {}

    public var projectID: String? {
        get { state.withLock { $0.projectID } }
        set { state.withLock { $0.projectID = newValue } }
    }

    public var errorCode: String? {
        get { state.withLock { $0.errorCode } }
        set { state.withLock { $0.errorCode = newValue } }
    }

    /// Set by the guards of routes whose credential refusals (401) Craftkit answers with the flat
    /// `{"error":"<code>"}` body: the admin routes and the partner-key embed routes
    /// (docs/decisions/0003-error-envelope.md).
    public var flatCredentialErrors: Bool {
        get { state.withLock { $0.flatCredentialErrors } }
        set { state.withLock { $0.flatCredentialErrors = newValue } }
    }
}

/// The request context of every route.
public struct AppRequestContext: RequestContext {
    public var coreContext: CoreRequestContextStorage
    /// Accepted from `x-request-id` or generated; echoed in the response and the access log.
    public var requestID: String = ""
    public let trace = RequestTrace()
    /// Set by `ProjectAuthMiddleware` on routes that need a project API key.
    public var project: AuthenticatedProject?
    /// Set by `SessionAuthMiddleware`; the session routes read it from their `SessionRequestContext`.
    var session: VerifiedSession?
    /// Set by `ConsoleSessionMiddleware` when a console session cookie (and no key) authenticates the
    /// request: the guards accept it in place of a bearer key.
    var consoleKind: ConsoleSession.Kind?

    /// The peer's IP address (no port); nil where there is no socket (the in-process test client).
    public let clientAddress: String?

    public init(source: ApplicationRequestContextSource) {
        coreContext = .init(source: source)
        clientAddress = source.channel.remoteAddress?.ipAddress
    }

    /// The authenticated project. Routes behind `ProjectAuthMiddleware` always have one; the throw
    /// guards against a route registered outside that group.
    public func requireProject() throws -> AuthenticatedProject {
        guard let project else { throw AppErrorResponse.missingAuthorization() }
        return project
    }
}
