/// A project's embed partnership: which origins may frame the builder and form pages, and the keys
/// that sign its session tokens. Provisioning creates it; embed routes require an active one.
public struct EmbedPartner: Sendable, Equatable {
    public enum Status: String, Sendable { case active, suspended }

    public var id: String
    public var projectID: String
    public var allowedOrigins: [String]
    public var status: Status

    public init(id: String, projectID: String, allowedOrigins: [String], status: Status) {
        self.id = id
        self.projectID = projectID
        self.allowedOrigins = allowedOrigins
        self.status = status
    }
}

public protocol EmbedPartnerRepository: Sendable {
    /// The partner row of a project, nil when embed is not enabled for it.
    func partner(projectID: String) async throws -> EmbedPartner?
    /// The partner's signing keys that are not retired, newest first.
    func publicKeys(partnerID: String) async throws -> [JSONWebKeySet.Key]
    /// Whether any partner lists `origin` (CORS preflights carry no credentials to name the partner).
    func anyPartnerAllows(origin: String) async throws -> Bool
    /// Drops what a cache in front of the repository holds for the project (after a settings change).
    func forget(projectID: String)
}

extension EmbedPartnerRepository {
    public func forget(projectID: String) {}
}
