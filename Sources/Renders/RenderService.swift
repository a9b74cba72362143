import Core
import Foundation
import Render

/// `POST /v1/templates/:slug/render` and reading renders (docs/api.md#render-requests,
/// docs/decisions/0005-idempotency-keys.md, docs/decisions/0006-render-status-and-retries.md).
public struct RenderService: Sendable {
    /// The templates renders are made from (read only).
    let templates: any RenderableVersionSource
    let renders: any RenderRepository
    /// A render and its job (and a form's `form.submitted`) are written in one unit.
    let work: any UnitOfWork
    let signal: JobSignal
    let clock: any WallClock
    /// How long an idempotency key is remembered (7 days: docs/decisions/0005-idempotency-keys.md).
    let keyRetentionMillis: Int64

    public init(
        templates: any RenderableVersionSource, renders: any RenderRepository, work: any UnitOfWork, signal: JobSignal,
        clock: any WallClock = SystemClock(), keyRetentionMillis: Int64 = 7 * 24 * 3600 * 1000
    ) {
        self.templates = templates
        self.renders = renders
        self.work = work
        self.signal = signal
        self.clock = clock
        self.keyRetentionMillis = keyRetentionMillis
    }

    /// Validates and enqueues. Returns the render and whether it is a replay of an earlier request.
    public func enqueue(
        projectID: String, slug: String, body: JSONValue, idempotencyKey header: String?, origin: RenderOrigin = .api
    ) async throws -> (RenderRecord, replay: Bool) {
        var fields = try ObjectValidator(body)
        let data = fields.object("data", required: true)
        let jobID = fields.string("jobId", length: 1...200)
        var versionNumber: Int?
        var filename: String?
        var pdfa: PDFAConformance?
        if let options = fields.object("options"), var option = try? ObjectValidator(options, path: "options") {
            _ = option.bool("sync")
            versionNumber = option.integer("versionNumber", range: 1...1_000_000)
            filename = option.string("filename", length: 1...200)
            if let name = filename, name.contains(where: { $0 == "/" || $0 == "\\" || $0 == "\"" || $0.isNewline }) {
                option.fail("filename", "Must not contain slashes, quotes or line breaks")
            }
            if let level = option.string("pdfa") {
                pdfa = PDFAConformance(rawValue: level)
                if pdfa == nil { option.fail("pdfa", "Must be one of 2b, 3b") }
            }
            fields.record(option.issues)
        }
        var attachmentIssues = ValidationIssues()
        let attachments = RenderAttachments.parse(fields.array("attachments", maxCount: RenderAttachments.maxCount), issues: &attachmentIssues)
        fields.record(attachmentIssues)
        if pdfa == .a2b, !attachments.isEmpty {
            fields.fail("attachments", "PDF/A-2b forbids embedded files; ask for pdfa 3b or leave pdfa out")
        }
        if let header, !(1...200).contains(header.unicodeScalars.count) {
            fields.fail("Idempotency-Key", "Must be 1 to 200 characters")
        }
        // Bounded before the validator, the encoder and the hash walk it (docs/security.md).
        if let data { fields.record(DataLimits.data.issues(in: data, at: "data")) }
        try fields.finish()

        let template = try await templates.live(projectID: projectID, slug: slug)
        guard let current = template.currentVersionNumber else {
            throw AppError.conflict("no_published_version", "Template \"\(slug)\" has no published version yet.")
        }
        let number = versionNumber ?? current
        guard let version = try await templates.renderableVersion(templateID: template.id, number: number) else {
            throw AppError.notFound("version_not_found", "Template \"\(slug)\" has no version \(number).")
        }
        let cleaned = try DataValidator.validate(data!, against: version.manifest)

        let dataJSON = cleaned.serializedString
        // The request as it will be rendered: the validated data (unknown keys stripped, values
        // coerced) and the options that change the output; never the idempotency key itself.
        let rendered: [String: JSONValue] = [
            "versionNumber": versionNumber.map { .number(Double($0)) } ?? .null, "filename": filename.map(JSONValue.string) ?? .null,
            "pdfa": pdfa.map { .string($0.rawValue) } ?? .null,
            "attachments": .array(
                attachments.map {
                    .array([
                        .string($0.filename), .string($0.mimeType), .string($0.relationship.rawValue), .string($0.description ?? ""),
                        .string(Hex.sha256($0.content)),
                    ])
                }),
        ]
        let requestHash = Hex.sha256(JSONValue.array([.string(slug), cleaned, .object(rendered)]).serialized)
        let now = clock.now().epochMillis
        var record = RenderRecord(
            id: Identifier.make(), projectID: projectID, templateID: template.id, templateSlug: template.slug, versionID: version.id,
            versionNumber: version.number, status: .queued, data: dataJSON, filename: filename, idempotencyKey: header ?? jobID,
            requestHash: requestHash, createdAt: now
        )
        record.origin = origin
        record.pdfa = pdfa
        record.attachmentCount = attachments.count
        switch try await store(record, attachments: attachments, keysValidSince: now - keyRetentionMillis) {
        case .created(let created):
            signal.notify()
            return (created, false)
        case .replay(let existing):
            return (existing, true)
        case .keyReused:
            throw AppError.conflict(
                "idempotency_key_reused", "This idempotency key was already used for a different request; use a new key for new data."
            )
        }
    }

    /// Writes the render and its `render` job in one unit of work (plus `form.submitted` for a form),
    /// unless `render.idempotencyKey` names a render of this project created after `keysValidSince`:
    /// then it is a replay (same request) or a reused key. An older holder of the key gives it up.
    func store(_ render: RenderRecord, attachments: [EmbeddedFile] = [], keysValidSince: Int64) async throws -> EnqueueOutcome {
        let renders = self.renders
        do {
            return try await work.run { transaction in
                if let key = render.idempotencyKey,
                    let existing = try await renders.find(idempotencyKey: key, projectID: render.projectID, in: transaction)
                {
                    if existing.createdAt >= keysValidSince {
                        return existing.requestHash == render.requestHash ? .replay(existing) : .keyReused
                    }
                    try await renders.releaseIdempotencyKey(renderID: existing.id, in: transaction)
                }
                try await renders.insert(render, in: transaction)
                if !attachments.isEmpty { try await renders.insertAttachments(attachments, renderID: render.id, in: transaction) }
                try await transaction.enqueueJob(kind: RenderWorker.jobKind, subjectID: render.id, tenant: render.projectID, runAt: render.createdAt)
                if render.origin.source == .form {
                    try await transaction.emitEvent(projectID: render.projectID, event: .formSubmitted, subjectID: render.id, now: render.createdAt)
                }
                return .created(render)
            }
        } catch {
            // Two units raced on one key (PostgreSQL): the loser's insert hit the unique index, and the
            // winner's render answers this request.
            guard let key = render.idempotencyKey, let existing = try await renders.find(idempotencyKey: key, projectID: render.projectID)
            else { throw error }
            return existing.requestHash == render.requestHash ? .replay(existing) : .keyReused
        }
    }

    public func get(projectID: String, id: String) async throws -> RenderRecord {
        guard Identifier.isValid(id), let render = try await renders.find(id: id, projectID: projectID) else {
            throw AppError.notFound("not_found", "No render \(id) in this project.")
        }
        return render
    }

    /// Embed-form renders for the partner's view (`GET /v1/embed/renders`).
    public func embedRenders(
        projectID: String, tenant: String?, template: String?, status: String?, limit: Int, offset: Int
    ) async throws -> [RenderRecord] {
        var issues = ValidationIssues()
        let parsedStatus = status.flatMap(RenderStatus.init(rawValue:))
        if status != nil, parsedStatus == nil { issues.add("Must be one of queued, rendering, succeeded, failed", at: "status") }
        if !(1...200).contains(limit) { issues.add("Must be from 1 to 200", at: "limit") }
        if offset < 0 || offset > 100_000 { issues.add("Must be from 0 to 100000", at: "offset") }
        if !issues.isEmpty { throw AppError.invalidRequest(issues) }
        return try await renders.embedRenders(
            projectID: projectID, tenantExternalID: tenant, templateSlug: template, status: parsedStatus, limit: limit, offset: offset
        )
    }

    /// A page of renders, newest first. `cursor` is the id of the last render of the previous page.
    public func list(projectID: String, cursor: String?, limit: Int) async throws -> (renders: [RenderRecord], nextCursor: String?) {
        var before: RenderRecord?
        if let cursor {
            guard Identifier.isValid(cursor), let anchor = try await renders.find(id: cursor, projectID: projectID) else {
                var issues = ValidationIssues()
                issues.add("Unknown cursor", at: "cursor")
                throw AppError.invalidRequest(issues)
            }
            before = anchor
        }
        let page = try await renders.list(projectID: projectID, before: before, limit: limit + 1)
        let items = Array(page.prefix(limit))
        return (items, page.count > limit ? items.last?.id : nil)
    }
}
