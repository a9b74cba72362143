import Core
import Foundation

/// The seven engagement event types of the reference, each also a `document.<type>` webhook event.
public enum EngagementType: String, Sendable, Codable, CaseIterable {
    case viewed, downloaded, printed
    case emailOpened = "email_opened"
    case emailSent = "email_sent"
    case shareCreated = "share_created"
    case shareRevoked = "share_revoked"

    /// The types a partner may record with `POST /v1/renders/:id/events`; the others are the system's.
    public static let partnerRecordable: [EngagementType] = [.viewed, .downloaded, .printed]

    /// The webhook event this type goes out as.
    public var event: EventType { EventType(rawValue: "document.\(rawValue)") }
}

/// Who caused an event: a guest through a share, the partner's backend, or this server.
public enum ActorKind: String, Sendable, Codable {
    case recipient, partner, system
}

/// One recorded engagement event.
public struct EngagementEvent: Sendable, Equatable {
    public var id: String
    public var projectID: String
    public var renderID: String
    public var templateID: String
    public var shareID: String?
    public var type: EngagementType
    public var actorKind: ActorKind
    /// A keyed hash of the client's IP address (`ViewerHash`), never the address itself.
    public var viewer: String?
    public var userAgent: String?
    /// The partner's `metadata`, stored verbatim as JSON text.
    public var metadata: String?
    public var createdAt: Int64

    /// `metadata` as a JSON value, as the API and webhooks show it.
    public var metadataValue: JSONValue? { metadata.flatMap { try? JSONValue.parse(Data($0.utf8)) } }

    public init(
        id: String, projectID: String, renderID: String, templateID: String, shareID: String?, type: EngagementType, actorKind: ActorKind,
        viewer: String?, userAgent: String?, metadata: String?, createdAt: Int64
    ) {
        self.id = id
        self.projectID = projectID
        self.renderID = renderID
        self.templateID = templateID
        self.shareID = shareID
        self.type = type
        self.actorKind = actorKind
        self.viewer = viewer
        self.userAgent = userAgent
        self.metadata = metadata
        self.createdAt = createdAt
    }
}

/// `GET /v1/renders/:id/engagement`.
public struct EngagementSummary: Sendable, Equatable {
    /// Every type, zero-filled.
    public var counts: [EngagementType: Int]
    /// `viewed` events that came through a share.
    public var linkOpens: Int
    /// The newest events first.
    public var recent: [EngagementEvent]

    public init(counts: [EngagementType: Int], linkOpens: Int, recent: [EngagementEvent]) {
        var filled = Dictionary(uniqueKeysWithValues: EngagementType.allCases.map { ($0, 0) })
        for (type, count) in counts { filled[type] = count }
        self.counts = filled
        self.linkOpens = linkOpens
        self.recent = recent
    }

    public var total: Int { counts.values.reduce(0, +) }
}

/// Pseudonymous viewer ids: HMAC-SHA256 of the client address under a key derived from the
/// deployment secret, truncated to 128 bits. Enough to deduplicate and count distinct viewers; a
/// database dump cannot be turned back into addresses without the key.
public struct ViewerHash: Sendable {
    let key: Data

    public init(deploymentSecret: String) {
        key = HMACHex.mac(key: Data(deploymentSecret.utf8), body: Data("craftkit viewer hash v1".utf8))
    }

    public func callAsFunction(_ address: String?) -> String? {
        guard let address, !address.isEmpty else { return nil }
        return Hex.encode(HMACHex.mac(key: key, body: Data(address.utf8)).prefix(16))
    }
}
