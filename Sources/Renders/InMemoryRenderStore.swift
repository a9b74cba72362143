import Core
import Render

/// An in-memory `RenderRepository` and `RenderableVersionSource` for unit tests of the render services
/// (with `InMemoryUnitOfWork`). It follows the same contract as the SQL implementations; a write made in
/// a transaction that rolls back is taken back, so tests can check that a unit is all or nothing.
/// Templates and versions are seeded with `add(_:)` (the `Templates` module owns how they are made).
public actor InMemoryRenderStore: RenderRepository, RenderableVersionSource {
    private struct State {
        var templates: [String: RenderableTemplate] = [:]
        var versions: [String: RenderableVersion] = [:]
        var renders: [String: RenderRecord] = [:]
        var attachments: [String: [EmbeddedFile]] = [:]
    }

    private var state = State()

    public init() {}

    /// Every stored render, oldest first.
    public var allRenders: [RenderRecord] { state.renders.values.sorted { ($0.createdAt, $0.id) < ($1.createdAt, $1.id) } }

    /// Adds (or replaces) a live template.
    public func add(_ template: RenderableTemplate) { state.templates[template.id] = template }

    /// Adds a published version and makes its number the template's current one when it is newer.
    public func add(_ version: RenderableVersion) {
        state.versions[version.id] = version
        if let current = state.templates[version.templateID]?.currentVersionNumber, current >= version.number { return }
        state.templates[version.templateID]?.currentVersionNumber = version.number
    }

    /// Registers the state before a write, restored if `transaction` rolls back.
    private func undoable(in transaction: any Transaction) {
        let snapshot = state
        (transaction as? InMemoryTransaction)?.onRollback { await self.restore(snapshot) }
    }

    private func restore(_ snapshot: State) { state = snapshot }

    // MARK: RenderableVersionSource

    public func renderableTemplate(slug: String, projectID: String) async throws -> RenderableTemplate? {
        state.templates.values.first { $0.projectID == projectID && $0.slug == slug }
    }

    public func renderableTemplate(id: String, projectID: String) async throws -> RenderableTemplate? {
        guard let template = state.templates[id], template.projectID == projectID else { return nil }
        return template
    }

    public func renderableVersion(templateID: String, number: Int) async throws -> RenderableVersion? {
        state.versions.values.first { $0.templateID == templateID && $0.number == number }
    }

    public func renderableVersion(id: String) async throws -> RenderableVersion? {
        state.versions[id]
    }

    // MARK: RenderRepository

    public func insert(_ render: RenderRecord, in transaction: any Transaction) async throws {
        if let key = render.idempotencyKey, try await find(idempotencyKey: key, projectID: render.projectID) != nil {
            // The unique index on (project, idempotency key) in SQL.
            throw AppError.conflict("idempotency_key_reused", "The idempotency key is taken.")
        }
        undoable(in: transaction)
        state.renders[render.id] = render
    }

    public func find(idempotencyKey: String, projectID: String, in transaction: any Transaction) async throws -> RenderRecord? {
        try await find(idempotencyKey: idempotencyKey, projectID: projectID)
    }

    public func find(idempotencyKey: String, projectID: String) async throws -> RenderRecord? {
        state.renders.values.first { $0.projectID == projectID && $0.idempotencyKey == idempotencyKey }
    }

    public func releaseIdempotencyKey(renderID: String, in transaction: any Transaction) async throws {
        undoable(in: transaction)
        state.renders[renderID]?.idempotencyKey = nil
    }

    public func find(id: String, projectID: String) async throws -> RenderRecord? {
        guard let render = state.renders[id], render.projectID == projectID else { return nil }
        return render
    }

    public func find(id: String) async throws -> RenderRecord? {
        state.renders[id]
    }

    public func list(projectID: String, before: RenderRecord?, limit: Int) async throws -> [RenderRecord] {
        let newestFirst = state.renders.values.filter { $0.projectID == projectID }.sorted { ($0.createdAt, $0.id) > ($1.createdAt, $1.id) }
        guard let before else { return Array(newestFirst.prefix(limit)) }
        return Array(newestFirst.filter { ($0.createdAt, $0.id) < (before.createdAt, before.id) }.prefix(limit))
    }

    public func embedRenders(
        projectID: String, tenantExternalID: String?, templateSlug: String?, status: RenderStatus?, limit: Int, offset: Int
    ) async throws -> [RenderRecord] {
        // Tenants live in the embed sessions' store; this store keeps their ids only, so it cannot
        // filter by the partner's external tenant id.
        let matching = state.renders.values.filter {
            $0.projectID == projectID && $0.origin.source == .form && (templateSlug == nil || $0.templateSlug == templateSlug)
                && (status == nil || $0.status == status) && tenantExternalID == nil
        }
        return Array(matching.sorted { ($0.createdAt, $0.id) > ($1.createdAt, $1.id) }.dropFirst(offset).prefix(limit))
    }

    public func markRendering(id: String, now: Int64) async throws {
        guard let render = state.renders[id], render.status == .queued || render.status == .rendering else { return }
        state.renders[id]?.status = .rendering
        state.renders[id]?.startedAt = now
    }

    public func insertAttachments(_ files: [EmbeddedFile], renderID: String, in transaction: any Transaction) async throws {
        undoable(in: transaction)
        state.attachments[renderID, default: []] += files
    }

    public func attachments(renderID: String) async throws -> [EmbeddedFile] { state.attachments[renderID] ?? [] }

    public func markQueued(id: String, error: String) async throws {
        guard state.renders[id]?.status == .rendering else { return }
        state.renders[id]?.status = .queued
    }

    public func markSucceeded(
        id: String, output: RenderOutput, now: Int64, durationMs: Int64, in transaction: any Transaction
    ) async throws
        -> String?
    {
        guard var render = state.renders[id], render.status != .succeeded else { return nil }
        undoable(in: transaction)
        render.status = .succeeded
        render.blobKey = output.blobKey
        render.sha256 = output.sha256
        render.pageCount = output.pageCount
        render.byteCount = output.byteCount
        render.warnings = output.warnings
        render.errorMessage = nil
        render.completedAt = now
        render.durationMs = durationMs
        state.renders[id] = render
        return render.projectID
    }

    public func markFailed(id: String, message: String, now: Int64, durationMs: Int64?, in transaction: any Transaction) async throws -> String? {
        guard var render = state.renders[id], render.status != .succeeded, render.status != .failed else { return nil }
        undoable(in: transaction)
        render.status = .failed
        render.errorMessage = String(message.prefix(2000))
        render.completedAt = now
        render.durationMs = durationMs
        state.renders[id] = render
        return render.projectID
    }
}
