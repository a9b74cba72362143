import Core
import Foundation
import Hummingbird
import Webhooks

/// `/v1/webhooks` (docs/decisions/0009-webhook-signatures.md): endpoints, secret rotation, the
/// delivery log and replay.
struct WebhookRoutes {
    let services: AppServices

    /// An endpoint; `secret` only when it was just created or rotated.
    struct EndpointBody: Encodable {
        let id: String
        let url: String
        let events: [String]
        @Nullable var description: String?
        let createdAt: Timestamp
        @Nullable var previousSecretExpiresAt: Timestamp?
        let secret: String?

        init(_ endpoint: WebhookEndpoint, secret: String? = nil) {
            id = endpoint.id
            url = endpoint.url
            events = endpoint.events.map(\.rawValue)
            description = endpoint.description
            createdAt = Timestamp(endpoint.createdAt)
            previousSecretExpiresAt = endpoint.previousSecretExpiresAt.timestamp
            self.secret = secret
        }
    }

    struct DeliveryBody: Encodable {
        let id: String
        let eventId: String
        let eventType: String
        let subjectId: String
        let status: String
        let attempts: Int
        @Nullable var lastStatusCode: Int?
        @Nullable var lastError: String?
        let createdAt: Timestamp
        @Nullable var deliveredAt: Timestamp?

        init(_ delivery: WebhookDelivery) {
            id = delivery.id
            eventId = delivery.eventID
            eventType = delivery.eventType
            subjectId = delivery.subjectID
            status = delivery.status.rawValue
            attempts = delivery.attempts
            lastStatusCode = delivery.lastStatusCode
            lastError = delivery.lastError
            createdAt = Timestamp(delivery.createdAt)
            deliveredAt = delivery.deliveredAt.timestamp
        }
    }

    struct ListBody<Item: Encodable>: Encodable { let data: [Item] }

    struct DeletedBody: Encodable {
        let id: String
        let deleted: Bool
    }

    func register(on group: RouterGroup<AppRequestContext>, routes: RouteTable, prefix: String) {
        routes.add(group, .post, "/webhooks", under: prefix) { request, context in
            let project = try context.requireProject()
            let json = try await JSONBody.read(request, limit: services.config.maxBodyBytes)
            let (endpoint, secret) = try await services.webhooks.create(projectID: project.projectID, json: json)
            return JSONBody.response(status: .created, EndpointBody(endpoint, secret: secret))
        }
        routes.add(group, .get, "/webhooks", under: prefix) { _, context in
            let project = try context.requireProject()
            let endpoints = try await services.webhooks.list(projectID: project.projectID)
            return JSONBody.response(status: .ok, ListBody(data: endpoints.map { EndpointBody($0) }))
        }
        routes.add(group, .delete, "/webhooks/:id", under: prefix) { _, context in
            let project = try context.requireProject()
            let id = context.parameters.get("id") ?? ""
            try await services.webhooks.delete(projectID: project.projectID, id: id)
            return JSONBody.response(status: .ok, DeletedBody(id: id, deleted: true))
        }
        routes.add(group, .post, "/webhooks/:id/rotate-secret", under: prefix) { _, context in
            let project = try context.requireProject()
            let (endpoint, secret) = try await services.webhooks.rotateSecret(projectID: project.projectID, id: context.parameters.get("id") ?? "")
            return JSONBody.response(status: .ok, EndpointBody(endpoint, secret: secret))
        }
        routes.add(group, .get, "/webhooks/:id/deliveries", under: prefix) { _, context in
            let project = try context.requireProject()
            let deliveries = try await services.webhooks.deliveries(projectID: project.projectID, endpointID: context.parameters.get("id") ?? "")
            return JSONBody.response(status: .ok, ListBody(data: deliveries.map(DeliveryBody.init)))
        }
        routes.add(group, .post, "/webhooks/:id/deliveries/:deliveryId/replay", under: prefix) { _, context in
            let project = try context.requireProject()
            let delivery = try await services.webhooks.replay(
                projectID: project.projectID, endpointID: context.parameters.get("id") ?? "",
                deliveryID: context.parameters.get("deliveryId") ?? ""
            )
            return JSONBody.response(status: .accepted, DeliveryBody(delivery))
        }
    }
}
