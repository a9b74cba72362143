import Core
import Render

/// `queued → rendering → succeeded | failed` (docs/decisions/0006-render-status-and-retries.md).
/// `cancelled` is in the reference's enum but nothing produces it.
public enum RenderStatus: String, Sendable, Codable, CaseIterable {
    case queued, rendering, succeeded, failed, cancelled

    public var isTerminal: Bool { self == .succeeded || self == .failed || self == .cancelled }
}

/// Where a render came from: the partner API, an inbound trigger, or an embed form (with its session).
public struct RenderOrigin: Sendable, Equatable {
    public enum Source: String, Sendable { case api, inbound, form }

    public var source: Source
    public var sessionID: String?
    public var tenantID: String?
    /// `datasetSelection` of a form submit, as JSON text.
    public var datasetSelection: String?
    /// Requested with a `ck_test_` key: the PDF carries a "TEST" watermark on every page.
    public var testKey: Bool

    public init(
        source: Source, sessionID: String? = nil, tenantID: String? = nil, datasetSelection: String? = nil, testKey: Bool = false
    ) {
        self.source = source
        self.sessionID = sessionID
        self.tenantID = tenantID
        self.datasetSelection = datasetSelection
        self.testKey = testKey
    }

    public static let api = RenderOrigin(source: .api)
}

/// One render: the pinned template version, the validated data, and what came out.
public struct RenderRecord: Sendable, Equatable {
    public var id: String
    public var projectID: String
    public var templateID: String
    public var templateSlug: String
    public var versionID: String
    public var versionNumber: Int
    public var status: RenderStatus
    /// The validated, coerced data as JSON text.
    public var data: String
    public var filename: String?
    public var idempotencyKey: String?
    /// SHA-256 of the canonical request, to tell a replay from a reused key.
    public var requestHash: String
    public var blobKey: String?
    public var sha256: String?
    public var pageCount: Int?
    public var byteCount: Int?
    public var errorMessage: String?
    public var createdAt: Int64
    public var startedAt: Int64?
    public var completedAt: Int64?
    public var durationMs: Int64?
    public var origin: RenderOrigin = .api
    /// PDF/A level asked for by the request (`options.pdfa`); the template's default applies when nil.
    public var pdfa: PDFAConformance?
    /// Files the request embeds (stored apart from the row; see `RenderRepository.attachments`).
    public var attachmentCount = 0
    /// What the finished PDF shows that the template did not mean (characters printed as boxes).
    public var warnings: [RenderWarning] = []

    public init(
        id: String, projectID: String, templateID: String, templateSlug: String, versionID: String, versionNumber: Int,
        status: RenderStatus, data: String, filename: String?, idempotencyKey: String?, requestHash: String, blobKey: String? = nil,
        sha256: String? = nil, pageCount: Int? = nil, byteCount: Int? = nil, errorMessage: String? = nil, createdAt: Int64,
        startedAt: Int64? = nil, completedAt: Int64? = nil, durationMs: Int64? = nil
    ) {
        self.id = id
        self.projectID = projectID
        self.templateID = templateID
        self.templateSlug = templateSlug
        self.versionID = versionID
        self.versionNumber = versionNumber
        self.status = status
        self.data = data
        self.filename = filename
        self.idempotencyKey = idempotencyKey
        self.requestHash = requestHash
        self.blobKey = blobKey
        self.sha256 = sha256
        self.pageCount = pageCount
        self.byteCount = byteCount
        self.errorMessage = errorMessage
        self.createdAt = createdAt
        self.startedAt = startedAt
        self.completedAt = completedAt
        self.durationMs = durationMs
    }
}

public enum EnqueueOutcome: Sendable, Equatable {
    /// A new render and its job were written.
    case created(RenderRecord)
    /// The idempotency key matched a render of the same request.
    case replay(RenderRecord)
    /// The idempotency key matched a render of a different request.
    case keyReused
}

/// What a successful render produced.
public struct RenderOutput: Sendable, Equatable {
    public var blobKey: String
    public var sha256: String
    public var pageCount: Int
    public var byteCount: Int
    public var warnings: [RenderWarning]

    public init(blobKey: String, sha256: String, pageCount: Int, byteCount: Int, warnings: [RenderWarning] = []) {
        self.blobKey = blobKey
        self.sha256 = sha256
        self.pageCount = pageCount
        self.byteCount = byteCount
        self.warnings = warnings
    }
}

/// Render rows. The rules around them (one job per new render, idempotency, the events a render
/// causes) are `RenderService`'s and `RenderWorker`'s; writes that must commit with a job or an event
/// take the caller's transaction.
public protocol RenderRepository: Sendable {
    /// Inserts a queued render.
    func insert(_ render: RenderRecord, in transaction: any Transaction) async throws
    /// Stores the files a new render embeds, in request order, with the render's row.
    func insertAttachments(_ files: [EmbeddedFile], renderID: String, in transaction: any Transaction) async throws
    /// The files a render embeds, in request order (the worker reads them; the row does not carry them).
    func attachments(renderID: String) async throws -> [EmbeddedFile]
    /// The render of the project holding this idempotency key, read in the caller's transaction.
    func find(idempotencyKey: String, projectID: String, in transaction: any Transaction) async throws -> RenderRecord?
    /// The same, outside any transaction (after a concurrent insert won the key).
    func find(idempotencyKey: String, projectID: String) async throws -> RenderRecord?
    /// Frees the idempotency key of an earlier render, so that it can name a new one.
    func releaseIdempotencyKey(renderID: String, in transaction: any Transaction) async throws
    func find(id: String, projectID: String) async throws -> RenderRecord?
    func find(id: String) async throws -> RenderRecord?
    /// Newest first; `before` is the cursor (the last render of the previous page).
    func list(projectID: String, before: RenderRecord?, limit: Int) async throws -> [RenderRecord]
    /// Renders made through embed forms, newest first, optionally filtered (partner view).
    func embedRenders(
        projectID: String, tenantExternalID: String?, templateSlug: String?, status: RenderStatus?, limit: Int, offset: Int
    )
        async throws -> [RenderRecord]
    func markRendering(id: String, now: Int64) async throws
    /// Marks the render queued again (a transient failure will be retried).
    func markQueued(id: String, error: String) async throws
    /// Records the output unless the render already succeeded. Returns the render's project when this
    /// call changed it (so the caller emits the event once), else nil.
    func markSucceeded(
        id: String, output: RenderOutput, now: Int64, durationMs: Int64, in transaction: any Transaction
    ) async throws
        -> String?
    /// Records the failure unless the render is already finished. Returns the render's project when this
    /// call changed it, else nil.
    func markFailed(id: String, message: String, now: Int64, durationMs: Int64?, in transaction: any Transaction) async throws -> String?
}

extension EventType {
    /// A render finished with a PDF (subject: the render). Emitted by `RenderWorker`.
    public static let renderSucceeded = EventType(rawValue: "render.succeeded")
    /// A render failed for good (subject: the render). Emitted by `RenderWorker`.
    public static let renderFailed = EventType(rawValue: "render.failed")
    /// An embed form was submitted (subject: the render it queued). Emitted by `RenderService`.
    public static let formSubmitted = EventType(rawValue: "form.submitted")
}
