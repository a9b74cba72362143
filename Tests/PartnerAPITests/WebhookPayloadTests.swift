import Core
import Delivery
import Foundation
import Renders
import Templates
import Testing
import Webhooks

@testable import PartnerAPI

/// The outbound webhook bodies, pinned: every event type's field set and its exact JSON text for fixed
/// records (docs/decisions/0009-webhook-signatures.md; receivers such as `examples/webhook-receiver.*`
/// read these fields). Built without a database from the in-memory stores.
@Suite("Webhook payloads")
struct WebhookPayloadTests {
    let projectID = "project-1"
    let created: Int64 = 1_800_000_000_000

    /// A store holding one template (version 1) and three renders: succeeded, failed, and a form's.
    func payloads() async throws -> WebhookPayloads {
        let templates = InMemoryTemplateStore()
        let renders = InMemoryRenderStore()
        let manifest = Manifest(
            variables: [VariableDefinition(key: "customer.name", label: "Name", dataType: .text, required: true)],
            loops: [LoopDefinition(key: "items", label: "Items", itemFields: [VariableDefinition(key: "qty", dataType: .number)])])
        let template = TemplateRecord(
            id: "tmpl-1", projectID: projectID, slug: "invoice", name: "Invoice", description: nil, templateType: "pdf",
            currentVersionNumber: 1, createdAt: created, updatedAt: created)
        let version = TemplateVersionRecord(
            id: "ver-1", templateID: "tmpl-1", number: 1, layout: "{}", manifest: manifest, jsonSchema: "{}", contentHash: "hash-1",
            createdAt: created)
        let succeeded = RenderRecord(
            id: "render-ok", projectID: projectID, templateID: "tmpl-1", templateSlug: "invoice", versionID: "ver-1", versionNumber: 1,
            status: .succeeded, data: #"{"customer":{"name":"Ada"},"items":[{"qty":2}]}"#, filename: nil, idempotencyKey: nil,
            requestHash: "h1", blobKey: "renders/project-1/render-ok.pdf", sha256: "abc", pageCount: 2, byteCount: 1234, createdAt: created,
            startedAt: created + 10, completedAt: created + 250, durationMs: 240)
        let failed = RenderRecord(
            id: "render-bad", projectID: projectID, templateID: "tmpl-1", templateSlug: "invoice", versionID: "ver-1", versionNumber: 1,
            status: .failed, data: "{}", filename: nil, idempotencyKey: nil, requestHash: "h2", errorMessage: "Image fetch failed",
            createdAt: created + 1, completedAt: created + 500, durationMs: 499)
        var form = RenderRecord(
            id: "render-form", projectID: projectID, templateID: "tmpl-1", templateSlug: "invoice", versionID: "ver-1", versionNumber: 1,
            status: .queued, data: #"{"customer":{"name":"Grace"}}"#, filename: nil, idempotencyKey: nil, requestHash: "h3",
            createdAt: created + 2)
        form.origin = RenderOrigin(source: .form, sessionID: "session-1", tenantID: "tenant-1")
        let stored = [succeeded, failed, form]
        try await InMemoryUnitOfWork().run { transaction in
            _ = try await templates.create(template, firstVersion: version, in: transaction)
            for render in stored { try await renders.insert(render, in: transaction) }
        }
        let config = try ServerConfig(environment: ["CRAFTKIT_PUBLIC_URL": "https://pdf.example.com"])
        return WebhookPayloads(
            renders: renders, templates: templates, engagement: InMemoryDeliveryStore(), presenter: RenderPresenter(config: config))
    }

    func body(_ type: String, subject: String) async throws -> String {
        let delivery = WebhookDelivery(
            id: "delivery-1", endpointID: "endpoint-1", projectID: projectID, eventID: "event-1", eventType: type, subjectID: subject,
            status: .pending, attempts: 0, lastStatusCode: nil, lastError: nil, createdAt: created + 1000, deliveredAt: nil)
        return String(decoding: try await payloads().body(for: delivery), as: UTF8.self)
    }

    /// The expected JSON, written over several lines to fit them; its line breaks are not part of it.
    func oneLine(_ text: String) -> String { text.replacingOccurrences(of: "\n", with: "") }

    func keys(_ json: String, at path: String? = nil) throws -> Set<String> {
        var value = try JSONValue.parse(Data(json.utf8))
        if let path { value = value[path] ?? .null }
        guard case .object(let members) = value else { return [] }
        return Set(members.keys)
    }

    static let envelope: Set<String> = ["id", "type", "event", "occurredAt", "data"]
    static let renderFields: Set<String> = ["renderId", "templateId", "status", "downloadUrl", "errorMessage", "createdAt", "completedAt"]
    static let renderBody: Set<String> = [
        "id", "status", "pollUrl", "downloadUrl", "errorMessage", "createdAt", "completedAt", "durationMs", "versionNumber", "pageCount",
        "sha256", "templateSlug",
    ]

    @Test("render.succeeded: the envelope, the flat render fields and the render under data")
    func renderSucceeded() async throws {
        let json = try await body("render.succeeded", subject: "render-ok")
        #expect(try keys(json) == Self.envelope.union(Self.renderFields))
        #expect(try keys(json, at: "data") == Self.renderBody)
        #expect(
            json
                == oneLine(
                    #"""
                    {"completedAt":"2027-01-15T08:00:00.250Z","createdAt":"2027-01-15T08:00:00.000Z",
                    "data":{"completedAt":"2027-01-15T08:00:00.250Z","createdAt":"2027-01-15T08:00:00.000Z",
                    "downloadUrl":"https://pdf.example.com/v1/renders/render-ok/download","durationMs":240,"errorMessage":null,
                    "id":"render-ok","pageCount":2,"pollUrl":"https://pdf.example.com/v1/renders/render-ok","sha256":"abc",
                    "status":"succeeded","templateSlug":"invoice","versionNumber":1},
                    "downloadUrl":"https://pdf.example.com/v1/renders/render-ok/download","errorMessage":null,
                    "event":"render.succeeded","id":"event-1","occurredAt":"2027-01-15T08:00:01.000Z","renderId":"render-ok",
                    "status":"succeeded","templateId":"tmpl-1","type":"render.succeeded"}
                    """#)
        )
    }

    @Test("render.failed: the same fields, with the error and no download")
    func renderFailed() async throws {
        let json = try await body("render.failed", subject: "render-bad")
        #expect(try keys(json) == Self.envelope.union(Self.renderFields))
        #expect(try keys(json, at: "data") == Self.renderBody)
        #expect(
            json
                == oneLine(
                    #"""
                    {"completedAt":"2027-01-15T08:00:00.500Z","createdAt":"2027-01-15T08:00:00.001Z",
                    "data":{"completedAt":"2027-01-15T08:00:00.500Z","createdAt":"2027-01-15T08:00:00.001Z","downloadUrl":null,
                    "durationMs":499,"errorMessage":"Image fetch failed","id":"render-bad","pageCount":null,
                    "pollUrl":"https://pdf.example.com/v1/renders/render-bad","sha256":null,"status":"failed",
                    "templateSlug":"invoice","versionNumber":1},"downloadUrl":null,"errorMessage":"Image fetch failed",
                    "event":"render.failed","id":"event-1","occurredAt":"2027-01-15T08:00:01.000Z","renderId":"render-bad",
                    "status":"failed","templateId":"tmpl-1","type":"render.failed"}
                    """#)
        )
    }

    @Test("form.submitted: the submitted data under data, the session and template, and the render under render")
    func formSubmitted() async throws {
        let json = try await body("form.submitted", subject: "render-form")
        #expect(
            try keys(json)
                == Self.envelope.union(Self.renderFields).union(["sessionId", "templateSlug", "templateVersion", "submittedAt", "render"]))
        #expect(try keys(json, at: "render") == Self.renderBody)
        #expect(
            json
                == oneLine(
                    #"""
                    {"completedAt":null,"createdAt":"2027-01-15T08:00:00.002Z","data":{"customer":{"name":"Grace"}},
                    "downloadUrl":null,"errorMessage":null,"event":"form.submitted","id":"event-1",
                    "occurredAt":"2027-01-15T08:00:01.000Z","render":{"completedAt":null,"createdAt":"2027-01-15T08:00:00.002Z",
                    "downloadUrl":null,"durationMs":null,"errorMessage":null,"id":"render-form","pageCount":null,
                    "pollUrl":"https://pdf.example.com/v1/renders/render-form","sha256":null,"status":"queued",
                    "templateSlug":"invoice","versionNumber":1},"renderId":"render-form","sessionId":"session-1",
                    "status":"queued","submittedAt":"2027-01-15T08:00:00.002Z","templateId":"tmpl-1","templateSlug":"invoice",
                    "templateVersion":1,"type":"form.submitted"}
                    """#)
        )
    }

    @Test("template.published: the version, its manifest and content hash under data")
    func templatePublished() async throws {
        let json = try await body("template.published", subject: "ver-1")
        #expect(try keys(json) == Self.envelope)
        #expect(try keys(json, at: "data") == ["templateId", "version", "versionId", "manifest", "contentHash"])
        #expect(
            json
                == oneLine(
                    #"""
                    {"data":{"contentHash":"hash-1","manifest":{"loops":[{"itemFields":[{"dataType":"number","key":"qty",
                    "label":"qty","required":false}],"key":"items","label":"Items"}],"variables":[{"dataType":"text",
                    "key":"customer.name","label":"Name","required":true}]},"templateId":"tmpl-1","version":1,
                    "versionId":"ver-1"},"event":"template.published","id":"event-1","occurredAt":"2027-01-15T08:00:01.000Z",
                    "type":"template.published"}
                    """#)
        )
    }

    @Test("a subject that is gone fails the delivery (it is retried) rather than sending an empty body")
    func missingSubject() async throws {
        await #expect(throws: AppError.self) { _ = try await body("render.succeeded", subject: "no-such-render") }
        await #expect(throws: AppError.self) { _ = try await body("template.published", subject: "no-such-version") }
    }
}
