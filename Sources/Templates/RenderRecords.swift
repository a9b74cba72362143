import Core

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

    public init(source: Source, sessionID: String? = nil, tenantID: String? = nil, datasetSelection: String? = nil) {
        self.source = source
        self.sessionID = sessionID
        self.tenantID = tenantID
        self.datasetSelection = datasetSelection
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

    public init(blobKey: String, sha256: String, pageCount: Int, byteCount: Int) {
        self.blobKey = blobKey
        self.sha256 = sha256
        self.pageCount = pageCount
        self.byteCount = byteCount
    }
}

/// Render rows and the queue rows that drive them.
public protocol RenderRepository: Sendable {
    /// Writes the render and its `render` job in one transaction, unless `render.idempotencyKey` names a
    /// render of this project created after `keysValidSince` (then: replay or key reused). Race-safe.
    func enqueue(_ render: RenderRecord, keysValidSince: Int64) async throws -> EnqueueOutcome
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
    /// Records the output and completes the job, in one transaction.
    func markSucceeded(id: String, jobID: String, output: RenderOutput, now: Int64, durationMs: Int64) async throws
    /// Records the failure and buries the job, in one transaction.
    func markFailed(id: String, jobID: String, message: String, now: Int64, durationMs: Int64?) async throws
}
