import Core
import EmbedSessions

/// Partner rows are read on every mint and every session-token request but change only through
/// provisioning, so they are kept for two seconds: a new allowed origin or a suspension takes effect
/// within that time on every node (docs/operations.md), at once on the node that made the change.
public struct CachedEmbedPartnerRepository: EmbedPartnerRepository {
    let base: any EmbedPartnerRepository
    let partners: TTLCache<String, EmbedPartner>

    public init(base: any EmbedPartnerRepository, ttlMillis: Int64 = 2_000) {
        self.base = base
        partners = TTLCache(ttlMillis: ttlMillis)
    }

    public func partner(projectID: String) async throws -> EmbedPartner? {
        try await partners.value(for: projectID) { try await base.partner(projectID: projectID) }
    }

    public func forget(projectID: String) { partners.remove(projectID) }

    public func publicKeys(partnerID: String) async throws -> [JSONWebKeySet.Key] { try await base.publicKeys(partnerID: partnerID) }
    public func anyPartnerAllows(origin: String) async throws -> Bool { try await base.anyPartnerAllows(origin: origin) }
}
