import Core
import Foundation

/// How a share reached its recipient: a link the partner hands out, or an email this server sent.
public enum ShareChannel: String, Sendable, Codable, CaseIterable {
    case link, email
}

/// A durable, revocable guest link to one succeeded render (docs/decisions/0015-delivery.md).
public struct Share: Sendable, Equatable {
    public var id: String
    public var projectID: String
    public var renderID: String
    public var channel: ShareChannel
    public var recipientEmail: String?
    public var recipientName: String?
    public var message: String?
    public var expiresAt: Int64?
    public var revokedAt: Int64?
    /// `revoked_by_partner` (the only reason today).
    public var revokedReason: String?
    public var createdAt: Int64
    /// SHA-256 of the token: how a public request finds its share.
    public var tokenHash: String
    /// The token sealed with the deployment's key, so the project key can read it again (the
    /// reference re-exposes it in the list) while a database dump alone opens nothing.
    public var sealedToken: String
    /// Set for `email` shares this server sent.
    public var emailMessageID: String?
    public var sentAt: Int64?

    public init(
        id: String, projectID: String, renderID: String, channel: ShareChannel, recipientEmail: String?, recipientName: String?,
        message: String?, expiresAt: Int64?, createdAt: Int64, tokenHash: String, sealedToken: String, revokedAt: Int64? = nil,
        revokedReason: String? = nil, emailMessageID: String? = nil, sentAt: Int64? = nil
    ) {
        self.id = id
        self.projectID = projectID
        self.renderID = renderID
        self.channel = channel
        self.recipientEmail = recipientEmail
        self.recipientName = recipientName
        self.message = message
        self.expiresAt = expiresAt
        self.createdAt = createdAt
        self.tokenHash = tokenHash
        self.sealedToken = sealedToken
        self.revokedAt = revokedAt
        self.revokedReason = revokedReason
        self.emailMessageID = emailMessageID
        self.sentAt = sentAt
    }

    public static func sealContext(id: String) -> String { "share_token:\(id)" }

    public func isExpired(now: Int64) -> Bool { expiresAt.map { $0 <= now } ?? false }
}

/// A share with what the list shows beside it.
public struct ListedShare: Sendable, Equatable {
    public var share: Share
    /// Recipient `viewed` events recorded through this share.
    public var clickCount: Int

    public init(share: Share, clickCount: Int) {
        self.share = share
        self.clickCount = clickCount
    }
}

/// Share tokens: `cks_` and 256 random bits in base64url. Only their SHA-256 is looked up.
public enum ShareToken {
    public static let prefix = "cks_"

    public static func make() -> String { prefix + Base64URL.encode(SecureRandom.bytes(32)) }

    public static func hash(_ token: String) -> String { Hex.sha256(Data(token.utf8)) }

    /// Worth a lookup: the prefix and a plausible length and alphabet (anything else is unknown at once).
    public static func isWellFormed(_ token: String) -> Bool {
        token.hasPrefix(prefix) && (20...100).contains(token.utf8.count)
            && token.utf8.dropFirst(prefix.utf8.count).allSatisfy {
                ($0 >= 0x30 && $0 <= 0x39) || ($0 >= 0x41 && $0 <= 0x5a) || ($0 >= 0x61 && $0 <= 0x7a) || $0 == 0x2d || $0 == 0x5f
            }
    }
}

/// What a public request holding a token may see.
public enum ShareAccess: Sendable, Equatable {
    case active(Share)
    /// Revoked or past `expiresAt`: the page says so, calmly, with 410.
    case gone(Share)
    case unknown
}

/// The render a share or an engagement event is about, as the delivery rules need it (the render
/// itself belongs to the renders feature; the routes look it up, project-scoped).
public struct DeliverableRender: Sendable, Equatable {
    public var id: String
    public var projectID: String
    public var templateID: String
    public var succeeded: Bool
    public var filename: String?

    public init(id: String, projectID: String, templateID: String, succeeded: Bool, filename: String? = nil) {
        self.id = id
        self.projectID = projectID
        self.templateID = templateID
        self.succeeded = succeeded
        self.filename = filename
    }
}
