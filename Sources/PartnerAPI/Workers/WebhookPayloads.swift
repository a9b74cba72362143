import Core
import Foundation
import Renders
import Templates
import Webhooks

/// The JSON body of each webhook event: `{id, type, occurredAt, data}`
/// (docs/decisions/0009-webhook-signatures.md) plus the reference's flat fields for the render events.
struct WebhookPayloads {
    let renders: any RenderRepository
    let templates: any TemplateRepository
    let presenter: RenderPresenter

    func event(for delivery: WebhookDelivery) async throws -> JSONValue {
        var event: [String: JSONValue] = [
            "id": .string(delivery.eventID), "type": .string(delivery.eventType), "event": .string(delivery.eventType),
            "occurredAt": .timestamp(delivery.createdAt),
        ]
        switch WebhookEvent(rawValue: delivery.eventType) {
        case .templatePublished:
            guard let version = try await templates.version(id: delivery.subjectID) else {
                throw AppError.notFound("not_found", "The published version is gone.")
            }
            event["data"] = .object([
                "templateId": .string(version.templateID), "version": .int(version.number), "versionId": .string(version.id),
                "manifest": try JSONValue.parse(JSONBody.encoder.encode(version.manifest)), "contentHash": .string(version.contentHash),
            ])
        case .renderSucceeded, .renderFailed, .formSubmitted, nil:
            guard let render = try await renders.find(id: delivery.subjectID) else { throw AppError.notFound("not_found", "The render is gone.") }
            let shape = try JSONValue(encoding: presenter.body(render))
            event["renderId"] = .string(render.id)
            event["templateId"] = .string(render.templateID)
            event["status"] = .string(render.status.rawValue)
            event["downloadUrl"] = shape["downloadUrl"] ?? .null
            event["errorMessage"] = .string(render.errorMessage)
            event["createdAt"] = .timestamp(render.createdAt)
            event["completedAt"] = .timestamp(render.completedAt)
            if delivery.eventType == WebhookEvent.formSubmitted.rawValue {
                // Craftkit's form.submitted shape: `data` is the merged, validated field set, the same
                // object the render API accepts, so a receiver can store it and re-render verbatim.
                event["sessionId"] = .string(render.origin.sessionID)
                event["templateSlug"] = .string(render.templateSlug)
                event["templateVersion"] = .int(render.versionNumber)
                event["submittedAt"] = .timestamp(render.createdAt)
                event["data"] = try JSONValue.parse(Data(render.data.utf8))
                event["render"] = shape
            } else {
                event["data"] = shape
            }
        }
        return .object(event)
    }
}
