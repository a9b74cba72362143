import Core
import Foundation

/// A template's inbound render trigger (docs/api.md#inbound-trigger-requests): `POST /v1/hooks/:token`
/// renders the template from any system that can POST JSON. The token is stored as a SHA-256 hash (it
/// is a credential); the HMAC secret is stored sealed because the server needs it to verify signatures.
public struct InboundTrigger: Sendable, Equatable {
    public var id: String
    public var projectID: String
    public var templateID: String
    public var tokenPrefix: String
    public var sealedSecret: String
    /// When true a request without a valid `x-craftkit-signature` is refused.
    public var enforceSignature: Bool
    public var createdAt: Int64

    public init(
        id: String, projectID: String, templateID: String, tokenPrefix: String, sealedSecret: String, enforceSignature: Bool, createdAt: Int64
    ) {
        self.id = id
        self.projectID = projectID
        self.templateID = templateID
        self.tokenPrefix = tokenPrefix
        self.sealedSecret = sealedSecret
        self.enforceSignature = enforceSignature
        self.createdAt = createdAt
    }

    public static func sealContext(id: String) -> String { "inbound_secret:\(id)" }
    public static func hash(token: String) -> String { Hex.sha256(token) }
}

public protocol InboundTriggerRepository: Sendable {
    /// Replaces the template's trigger (one per template) with `trigger`, whose token hashes to `tokenHash`.
    func replace(_ trigger: InboundTrigger, tokenHash: String) async throws
    func find(templateID: String, projectID: String) async throws -> InboundTrigger?
    func find(tokenHash: String) async throws -> InboundTrigger?
    func delete(templateID: String, projectID: String) async throws -> Bool
}
