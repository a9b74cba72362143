import Core
import Foundation

/// Webhook endpoints of a project: create (the secret shown once), list, delete, rotate the secret
/// (the old one keeps signing for 24 h), the delivery log and replay.
public struct WebhookService: Sendable {
    let repository: any WebhookRepository
    let secrets: SecretBox
    let clock: any WallClock
    /// Whether endpoint URLs may point at private addresses (tests).
    let urlCheck: @Sendable (URL) -> String?
    public static let maxEndpointsPerProject = 20
    public static let previousSecretLifetimeMillis: Int64 = 24 * 3600 * 1000

    public init(
        repository: any WebhookRepository, secrets: SecretBox, clock: any WallClock = SystemClock(), urlCheck: @escaping @Sendable (URL) -> String?
    ) {
        self.repository = repository
        self.secrets = secrets
        self.clock = clock
        self.urlCheck = urlCheck
    }

    public func create(projectID: String, json: JSONValue) async throws -> (WebhookEndpoint, secret: String) {
        var fields = try ObjectValidator(json)
        let url = fields.string("url", required: true, length: 1...2048)
        if let url {
            if let parsed = URL(string: url), let problem = urlCheck(parsed) {
                fields.fail("url", "Not deliverable: \(problem)")
            } else if URL(string: url) == nil {
                fields.fail("url", "Must be an absolute http(s) URL")
            }
        }
        var events = WebhookEvent.allCases
        if let names = fields.stringArray("events", maxCount: 32, element: { WebhookEvent(rawValue: $0) == nil ? "Unknown event" : nil }) {
            events = names.compactMap(WebhookEvent.init(rawValue:))
            if events.isEmpty { fields.fail("events", "Subscribe to at least one event") }
        }
        let description = fields.string("description", length: 0...280)
        try fields.finish()
        guard try await repository.list(projectID: projectID).count < Self.maxEndpointsPerProject else {
            throw AppError.conflict("webhook_limit_reached", "A project can have at most \(Self.maxEndpointsPerProject) webhook endpoints.")
        }
        let id = Identifier.make()
        let secret = WebhookSignature.generateSecret()
        let endpoint = WebhookEndpoint(
            id: id, projectID: projectID, url: url!, events: events, description: description,
            sealedSecret: try secrets.seal(secret, context: WebhookEndpoint.sealContext(id: id)), createdAt: clock.now().epochMillis
        )
        try await repository.insert(endpoint)
        return (endpoint, secret)
    }

    public func list(projectID: String) async throws -> [WebhookEndpoint] {
        try await repository.list(projectID: projectID)
    }

    public func delete(projectID: String, id: String) async throws {
        guard Identifier.isValid(id), try await repository.delete(id: id, projectID: projectID) else { throw notFound(id) }
    }

    /// A new secret; the current one becomes the previous one for 24 hours.
    public func rotateSecret(projectID: String, id: String) async throws -> (WebhookEndpoint, secret: String) {
        let endpoint = try await endpoint(projectID: projectID, id: id)
        let context = WebhookEndpoint.sealContext(id: id)
        let secret = WebhookSignature.generateSecret()
        let expires = clock.now().epochMillis + Self.previousSecretLifetimeMillis
        _ = try await repository.rotateSecret(
            id: id, projectID: projectID, sealedSecret: try secrets.seal(secret, context: context), sealedPrevious: endpoint.sealedSecret,
            previousExpiresAt: expires
        )
        return (try await self.endpoint(projectID: projectID, id: id), secret)
    }

    public func deliveries(projectID: String, endpointID: String) async throws -> [WebhookDelivery] {
        _ = try await endpoint(projectID: projectID, id: endpointID)
        return try await repository.deliveries(endpointID: endpointID, projectID: projectID, limit: 100)
    }

    public func replay(projectID: String, endpointID: String, deliveryID: String) async throws -> WebhookDelivery {
        _ = try await endpoint(projectID: projectID, id: endpointID)
        guard Identifier.isValid(deliveryID),
            let delivery = try await repository.replay(
                deliveryID: deliveryID, endpointID: endpointID, projectID: projectID, now: clock.now().epochMillis)
        else { throw AppError.notFound("not_found", "No delivery \(deliveryID) for this endpoint.") }
        return delivery
    }

    public func endpoint(projectID: String, id: String) async throws -> WebhookEndpoint {
        guard Identifier.isValid(id), let endpoint = try await repository.find(id: id, projectID: projectID) else { throw notFound(id) }
        return endpoint
    }

    func notFound(_ id: String) -> AppError { .notFound("not_found", "No webhook endpoint \(id) in this project.") }
}
