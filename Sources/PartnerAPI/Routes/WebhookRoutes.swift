import Core
import Foundation
import Hummingbird
import Webhooks

/// `/v1/webhooks` (docs/decisions/0009-webhook-signatures.md): endpoints, secret rotation, the
/// delivery log and replay.
struct WebhookRoutes {
    let services: AppServices

    func register(on group: RouterGroup<AppRequestContext>, routes: RouteTable, prefix: String) {
        routes.add(group, .post, "/webhooks", under: prefix) { request, context in
            let project = try context.requireProject()
            let json = try await JSONBody.read(request, limit: services.config.maxBodyBytes)
            let (endpoint, secret) = try await services.webhooks.create(projectID: project.projectID, json: json)
            return JSONBody.response(status: .created, Self.endpointBody(endpoint, secret: secret))
        }
        routes.add(group, .get, "/webhooks", under: prefix) { _, context in
            let project = try context.requireProject()
            let endpoints = try await services.webhooks.list(projectID: project.projectID)
            return JSONBody.response(status: .ok, JSONValue.object(["data": .array(endpoints.map { Self.endpointBody($0) })]))
        }
        routes.add(group, .delete, "/webhooks/:id", under: prefix) { _, context in
            let project = try context.requireProject()
            let id = context.parameters.get("id") ?? ""
            try await services.webhooks.delete(projectID: project.projectID, id: id)
            return JSONBody.response(status: .ok, JSONValue.object(["id": .string(id), "deleted": .bool(true)]))
        }
        routes.add(group, .post, "/webhooks/:id/rotate-secret", under: prefix) { _, context in
            let project = try context.requireProject()
            let (endpoint, secret) = try await services.webhooks.rotateSecret(projectID: project.projectID, id: context.parameters.get("id") ?? "")
            return JSONBody.response(status: .ok, Self.endpointBody(endpoint, secret: secret))
        }
        routes.add(group, .get, "/webhooks/:id/deliveries", under: prefix) { _, context in
            let project = try context.requireProject()
            let deliveries = try await services.webhooks.deliveries(projectID: project.projectID, endpointID: context.parameters.get("id") ?? "")
            return JSONBody.response(status: .ok, JSONValue.object(["data": .array(deliveries.map(Self.deliveryBody))]))
        }
        routes.add(group, .post, "/webhooks/:id/deliveries/:deliveryId/replay", under: prefix) { _, context in
            let project = try context.requireProject()
            let delivery = try await services.webhooks.replay(
                projectID: project.projectID, endpointID: context.parameters.get("id") ?? "",
                deliveryID: context.parameters.get("deliveryId") ?? ""
            )
            return JSONBody.response(status: .accepted, Self.deliveryBody(delivery))
        }
    }

    static func endpointBody(_ endpoint: WebhookEndpoint, secret: String? = nil) -> JSONValue {
        var body: [String: JSONValue] = [
            "id": .string(endpoint.id), "url": .string(endpoint.url), "events": .array(endpoint.events.map { .string($0.rawValue) }),
            "description": .string(endpoint.description), "createdAt": .timestamp(endpoint.createdAt),
            "previousSecretExpiresAt": .timestamp(endpoint.previousSecretExpiresAt),
        ]
        if let secret { body["secret"] = .string(secret) }
        return .object(body)
    }

    static func deliveryBody(_ delivery: WebhookDelivery) -> JSONValue {
        .object([
            "id": .string(delivery.id), "eventId": .string(delivery.eventID), "eventType": .string(delivery.eventType),
            "subjectId": .string(delivery.subjectID), "status": .string(delivery.status.rawValue), "attempts": .int(delivery.attempts),
            "lastStatusCode": .int(delivery.lastStatusCode), "lastError": .string(delivery.lastError), "createdAt": .timestamp(delivery.createdAt),
            "deliveredAt": .timestamp(delivery.deliveredAt),
        ])
    }
}
