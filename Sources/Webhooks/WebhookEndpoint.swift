import Core

/// Events a webhook endpoint can subscribe to.
public enum WebhookEvent: String, Sendable, Codable, CaseIterable {
    case renderSucceeded = "render.succeeded"
    case renderFailed = "render.failed"
    /// An embed form was submitted (subject: the render it queued).
    case formSubmitted = "form.submitted"
    /// A template version was published (subject: the version).
    case templatePublished = "template.published"
    /// Engagement with a finished render (subject: the engagement event), one per type.
    case documentShareCreated = "document.share_created"
    case documentShareRevoked = "document.share_revoked"
    case documentEmailSent = "document.email_sent"
    case documentEmailOpened = "document.email_opened"
    case documentViewed = "document.viewed"
    case documentDownloaded = "document.downloaded"
    case documentPrinted = "document.printed"
    /// A signature request's lifecycle (subject: the audit event that recorded it).
    case signatureSent = "signature.sent"
    case signatureViewed = "signature.viewed"
    case signatureSigned = "signature.signed"
    case signatureCompleted = "signature.completed"
    case signatureDeclined = "signature.declined"
    case signatureExpired = "signature.expired"
    case signatureCancelled = "signature.cancelled"

    /// The `document.*` events.
    public var isDocumentEvent: Bool { rawValue.hasPrefix("document.") }
    /// The `signature.*` events.
    public var isSignatureEvent: Bool { rawValue.hasPrefix("signature.") }
}

/// A partner's receiver URL. Its signing secret is stored sealed; after a rotation the previous secret
/// keeps signing (in a second header) until `previousSecretExpiresAt`.
public struct WebhookEndpoint: Sendable, Equatable {
    public var id: String
    public var projectID: String
    public var url: String
    public var events: [WebhookEvent]
    public var description: String?
    public var sealedSecret: String
    public var sealedPreviousSecret: String?
    public var previousSecretExpiresAt: Int64?
    public var createdAt: Int64

    public init(
        id: String, projectID: String, url: String, events: [WebhookEvent], description: String?, sealedSecret: String,
        sealedPreviousSecret: String? = nil, previousSecretExpiresAt: Int64? = nil, createdAt: Int64
    ) {
        self.id = id
        self.projectID = projectID
        self.url = url
        self.events = events
        self.description = description
        self.sealedSecret = sealedSecret
        self.sealedPreviousSecret = sealedPreviousSecret
        self.previousSecretExpiresAt = previousSecretExpiresAt
        self.createdAt = createdAt
    }

    public static func sealContext(id: String) -> String { "webhook_secret:\(id)" }
}

public enum DeliveryStatus: String, Sendable, Codable {
    case pending, succeeded, abandoned
}

/// One attempt series of one event to one endpoint.
public struct WebhookDelivery: Sendable, Equatable {
    public var id: String
    public var endpointID: String
    public var projectID: String
    public var eventID: String
    public var eventType: String
    /// The event's subject (a render id): the payload is built from its state when delivered.
    public var subjectID: String
    public var status: DeliveryStatus
    public var attempts: Int
    public var lastStatusCode: Int?
    public var lastError: String?
    public var createdAt: Int64
    public var deliveredAt: Int64?

    public init(
        id: String, endpointID: String, projectID: String, eventID: String, eventType: String, subjectID: String, status: DeliveryStatus,
        attempts: Int, lastStatusCode: Int?, lastError: String?, createdAt: Int64, deliveredAt: Int64?
    ) {
        self.id = id
        self.endpointID = endpointID
        self.projectID = projectID
        self.eventID = eventID
        self.eventType = eventType
        self.subjectID = subjectID
        self.status = status
        self.attempts = attempts
        self.lastStatusCode = lastStatusCode
        self.lastError = lastError
        self.createdAt = createdAt
        self.deliveredAt = deliveredAt
    }
}

public protocol WebhookRepository: Sendable {
    func insert(_ endpoint: WebhookEndpoint) async throws
    func list(projectID: String) async throws -> [WebhookEndpoint]
    func find(id: String, projectID: String) async throws -> WebhookEndpoint?
    func find(id: String) async throws -> WebhookEndpoint?
    /// Deletes the endpoint and abandons its pending deliveries. False when it is not in the project.
    func delete(id: String, projectID: String) async throws -> Bool
    func rotateSecret(id: String, projectID: String, sealedSecret: String, sealedPrevious: String, previousExpiresAt: Int64) async throws -> Bool
    /// Newest first.
    func deliveries(endpointID: String, projectID: String, limit: Int) async throws -> [WebhookDelivery]
    func delivery(id: String) async throws -> WebhookDelivery?
    /// A new delivery of the same event (same event id) with its job. Nil when the delivery is unknown.
    func replay(deliveryID: String, endpointID: String, projectID: String, now: Int64) async throws -> WebhookDelivery?
    /// Records an attempt's outcome; `final` closes the delivery's job (`done` or `dead`).
    func recordAttempt(deliveryID: String, jobID: String?, status: DeliveryStatus, statusCode: Int?, error: String?, now: Int64) async throws
}
