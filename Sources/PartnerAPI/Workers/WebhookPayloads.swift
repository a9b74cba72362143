import Core
import Delivery
import Foundation
import Renders
import Signatures
import Templates
import Webhooks

/// The JSON body of each webhook event: `{id, type, occurredAt, data}`
/// (docs/decisions/0009-webhook-signatures.md) plus the reference's flat fields for the render events.
/// Each event type has its body type below, written by `JSONBody.encoder` (sorted keys; a `@Nullable`
/// field is always present, `null` when empty).
struct WebhookPayloads {
    let renders: any RenderRepository
    let templates: any TemplateRepository
    let engagement: any EngagementRepository
    let presenter: RenderPresenter
    var signatures: (any SignatureRepository)? = nil

    /// The signed request body for a delivery, built from its subject's state now.
    func body(for delivery: WebhookDelivery) async throws -> Data {
        try JSONBody.encoder.encode(try await event(for: delivery))
    }

    /// The event for a delivery: `TemplatePublishedEvent`, `FormSubmittedEvent` or `RenderEvent`.
    func event(for delivery: WebhookDelivery) async throws -> any Encodable {
        let envelope = Envelope(delivery)
        let type = WebhookEvent(rawValue: delivery.eventType)
        if type?.isSignatureEvent == true, let signatures {
            guard let event = try await signatures.event(id: delivery.subjectID), let detail = try await signatures.find(id: event.requestID)
            else { throw AppError.notFound("not_found", "The signature event is gone.") }
            return SignatureEvent(envelope, event: event, detail: detail)
        }
        if type?.isDocumentEvent == true {
            guard let event = try await engagement.find(id: delivery.subjectID) else {
                throw AppError.notFound("not_found", "The engagement event is gone.")
            }
            return DocumentEvent(envelope, event: event)
        }
        switch type {
        case .templatePublished:
            guard let version = try await templates.version(id: delivery.subjectID) else {
                throw AppError.notFound("not_found", "The published version is gone.")
            }
            return TemplatePublishedEvent(envelope, version: version)
        case .formSubmitted:
            let render = try await render(delivery)
            return FormSubmittedEvent(envelope, render: render, body: presenter.body(render), data: try JSONValue.parse(Data(render.data.utf8)))
        default:
            // render.succeeded, render.failed, and an event type this build does not know.
            let render = try await render(delivery)
            return RenderEvent(envelope, render: render, body: presenter.body(render))
        }
    }

    func render(_ delivery: WebhookDelivery) async throws -> RenderRecord {
        guard let render = try await renders.find(id: delivery.subjectID) else { throw AppError.notFound("not_found", "The render is gone.") }
        return render
    }
}

/// The fields every event carries: the event id (stable across retries), its type (also as `event`,
/// the reference's name for it) and when it happened.
struct Envelope: Encodable, Sendable {
    let id: String
    let type: String
    let event: String
    let occurredAt: Timestamp

    init(_ delivery: WebhookDelivery) {
        id = delivery.eventID
        type = delivery.eventType
        event = delivery.eventType
        occurredAt = Timestamp(delivery.createdAt)
    }
}

/// The reference's flat render fields, beside the envelope of the render and form events.
struct FlatRender: Encodable {
    let renderId: String
    let templateId: String
    let status: String
    @Nullable var downloadUrl: String?
    @Nullable var errorMessage: String?
    let createdAt: Timestamp
    @Nullable var completedAt: Timestamp?

    init(_ render: RenderRecord, body: RenderBody) {
        renderId = render.id
        templateId = render.templateID
        status = render.status.rawValue
        downloadUrl = body.downloadUrl
        errorMessage = render.errorMessage
        createdAt = Timestamp(render.createdAt)
        completedAt = render.completedAt.timestamp
    }
}

/// An event body: its parts' fields side by side in one JSON object (each part encodes into the same
/// keyed container), so the envelope and the flat render fields are written once for every event.
struct EventBody<Fields: Encodable>: Encodable {
    let envelope: Envelope
    var render: FlatRender?
    let fields: Fields

    func encode(to encoder: any Encoder) throws {
        try envelope.encode(to: encoder)
        try render?.encode(to: encoder)
        try fields.encode(to: encoder)
    }
}

/// `render.succeeded` and `render.failed`: the flat render fields, and the render (as the render API
/// shows it) under `data`.
typealias RenderEvent = EventBody<RenderEventFields>

struct RenderEventFields: Encodable {
    let data: RenderBody
}

extension EventBody where Fields == RenderEventFields {
    init(_ envelope: Envelope, render: RenderRecord, body: RenderBody) {
        self.init(envelope: envelope, render: FlatRender(render, body: body), fields: RenderEventFields(data: body))
    }
}

/// `form.submitted`, in Craftkit's shape: `data` is the merged, validated field set, the same object the
/// render API accepts, so a receiver can store it and re-render verbatim; the render is under `render`.
typealias FormSubmittedEvent = EventBody<FormSubmittedFields>

struct FormSubmittedFields: Encodable {
    @Nullable var sessionId: String?
    let templateSlug: String
    let templateVersion: Int
    let submittedAt: Timestamp
    let data: JSONValue
    let render: RenderBody
}

extension EventBody where Fields == FormSubmittedFields {
    init(_ envelope: Envelope, render record: RenderRecord, body: RenderBody, data: JSONValue) {
        self.init(
            envelope: envelope, render: FlatRender(record, body: body),
            fields: FormSubmittedFields(
                sessionId: record.origin.sessionID, templateSlug: record.templateSlug, templateVersion: record.versionNumber,
                submittedAt: Timestamp(record.createdAt), data: data, render: body))
    }
}

/// `template.published`: the new version, its manifest and content hash under `data`.
typealias TemplatePublishedEvent = EventBody<TemplatePublishedFields>

struct TemplatePublishedFields: Encodable {
    struct Version: Encodable {
        let templateId: String
        let version: Int
        let versionId: String
        let manifest: Manifest
        let contentHash: String
    }

    let data: Version
}

extension EventBody where Fields == TemplatePublishedFields {
    init(_ envelope: Envelope, version: TemplateVersionRecord) {
        self.init(
            envelope: envelope,
            fields: TemplatePublishedFields(
                data: .init(
                    templateId: version.templateID, version: version.number, versionId: version.id, manifest: version.manifest,
                    contentHash: version.contentHash)))
    }
}

/// `document.*` (one per engagement type), in the reference's shape: the event's fields flat, the bare
/// type in `eventType`. `sourceIp` is the viewer's keyed hash (docs/decisions/0015-delivery.md).
typealias DocumentEvent = EventBody<DocumentFields>

struct DocumentFields: Encodable {
    let renderId: String
    let templateId: String
    let eventId: String
    let eventType: String
    let actorKind: String
    let createdAt: Timestamp
    @Nullable var shareId: String?
    @Nullable var sourceIp: String?
    @Nullable var userAgent: String?
    @Nullable var metadata: JSONValue?
}

extension EventBody where Fields == DocumentFields {
    init(_ envelope: Envelope, event: EngagementEvent) {
        self.init(
            envelope: envelope,
            fields: DocumentFields(
                renderId: event.renderID, templateId: event.templateID, eventId: event.id, eventType: event.type.rawValue,
                actorKind: event.actorKind.rawValue, createdAt: Timestamp(event.createdAt), shareId: event.shareID, sourceIp: event.viewer,
                userAgent: event.userAgent, metadata: event.metadataValue))
    }
}

/// `signature.*`, in the reference's shape: `signatureRequestId`, `renderId`, the `status` the event left,
/// `name` and `recipients` on `signature.sent`, `reason` on decline and cancel, and the recipient who
/// acted on `viewed`, `signed` and `declined`.
typealias SignatureEvent = EventBody<SignatureFields>

struct SignatureFields: Encodable {
    struct Recipient: Encodable {
        let id: String
        let index: Int
        let firstName: String
        var lastName: String?
        let email: String
        let designation: String
        var order: Int?
    }

    let signatureRequestId: String
    let renderId: String
    var status: String?
    var name: String?
    var recipients: [Recipient]?
    var recipient: Recipient?
    var reason: String?
}

extension EventBody where Fields == SignatureFields {
    init(_ envelope: Envelope, event: AuditEvent, detail: SignatureRequestDetail) {
        let snapshot = { (recipient: SignatureRecipientRecord) in
            SignatureFields.Recipient(
                id: recipient.id, index: recipient.index, firstName: recipient.firstName, lastName: recipient.lastName, email: recipient.email,
                designation: recipient.designation, order: recipient.order)
        }
        let actor = event.recipientIndex.flatMap { index in detail.recipients.first { $0.index == index } }
        self.init(
            envelope: envelope,
            fields: SignatureFields(
                signatureRequestId: detail.request.id, renderId: detail.request.renderID, status: event.status,
                name: event.type == .created ? detail.request.name : nil, recipients: event.type == .created ? detail.recipients.map(snapshot) : nil,
                recipient: actor.map(snapshot), reason: event.reason))
    }
}
