import Core

/// One provisioned partner org and everything provisioning created for it (org 1—1 project 1—*
/// api_key, project 1—1 embed_partner with a signing key; docs/decisions/0012-tenancy-and-scoping.md).
public struct ProvisionedStack: Sendable, Equatable {
    public var orgID: String
    public var externalOrgID: String
    public var name: String
    public var projectID: String
    public var partnerID: String
    public var allowedOrigins: [String]
    public var emailFrom: String?
    /// The org's look on guest-facing pages and emails (share page, share email).
    public var appearance: Appearance?
    public var signingKeyID: String
    /// The key provisioning hands out; nil only if it was deleted out of band.
    public var provisionedKey: ProvisionedKey?

    public struct ProvisionedKey: Sendable, Equatable {
        public var id: String
        public var sealedKey: String
        public var revoked: Bool

        public init(id: String, sealedKey: String, revoked: Bool) {
            self.id = id
            self.sealedKey = sealedKey
            self.revoked = revoked
        }
    }

    public init(
        orgID: String, externalOrgID: String, name: String, projectID: String, partnerID: String,
        allowedOrigins: [String], emailFrom: String?, signingKeyID: String, provisionedKey: ProvisionedKey?, appearance: Appearance? = nil
    ) {
        self.orgID = orgID
        self.externalOrgID = externalOrgID
        self.name = name
        self.projectID = projectID
        self.partnerID = partnerID
        self.allowedOrigins = allowedOrigins
        self.emailFrom = emailFrom
        self.appearance = appearance
        self.signingKeyID = signingKeyID
        self.provisionedKey = provisionedKey
    }
}

/// The rows a first provision writes, prepared (ids generated, secrets sealed) before the
/// repository writes them all in one transaction.
public struct ProvisionPlan: Sendable {
    public var stack: ProvisionedStack
    public var apiKey: NewAPIKey
    public var signingKey: NewSigningKey
    public var createdAt: Int64

    public init(stack: ProvisionedStack, apiKey: NewAPIKey, signingKey: NewSigningKey, createdAt: Int64) {
        self.stack = stack
        self.apiKey = apiKey
        self.signingKey = signingKey
        self.createdAt = createdAt
    }
}

/// A partner's Ed25519 signing key as stored: public half in clear, private half sealed.
public struct NewSigningKey: Sendable, Equatable {
    public var id: String
    public var partnerID: String
    public var keyID: String
    public var publicKey: String
    public var sealedPrivateKey: String

    public init(id: String, partnerID: String, keyID: String, publicKey: String, sealedPrivateKey: String) {
        self.id = id
        self.partnerID = partnerID
        self.keyID = keyID
        self.publicKey = publicKey
        self.sealedPrivateKey = sealedPrivateKey
    }

    /// Seal context: binds the sealed private key to its row.
    public static func sealContext(id: String) -> String { "signing_key:\(id)" }
}
