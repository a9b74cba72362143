import Core
import Foundation
import Logging
import Metrics
import Render

/// Takes render jobs from the durable queue and runs them through the render core: the worker half of
/// docs/decisions/0006-render-status-and-retries.md. Each worker claims one job at a time under a
/// lease it renews with heartbeats; a worker that dies loses its lease and another picks the job up.
/// Transient failures (image fetch, storage) retry with backoff up to `maxAttempts`; a problem with
/// the template or data fails at once.
public struct RenderWorker: Sendable {
    public struct Settings: Sendable {
        public var leaseMillis: Int64 = 30_000
        public var heartbeatEvery: Duration = .seconds(10)
        /// How long an idle worker sleeps when not woken by an enqueue (expired leases, other processes).
        public var idleWait: Duration = .seconds(1)
        public var maxAttempts = 3
        public var backoffMillis: [Int64] = [1_000, 5_000]

        public init() {}
    }

    public static let jobKind = "render"
    /// Drawn across every page of renders requested with a test key, so a test PDF is never mistaken
    /// for a real document.
    static let testWatermark = "TEST"

    let queue: any JobQueue
    let renders: any RenderRepository
    /// A render's terminal state, its job's end and the `render.*` event commit together.
    let work: any UnitOfWork
    let templates: any RenderableVersionSource
    let blobs: any BlobStore
    let engine: RenderEngine
    let images: any ImageLoader
    /// Fetches attachments a request named by URL; without one, such renders fail with a clear message.
    let attachmentFetcher: (any EmbeddedFileFetcher)?
    /// The loader renders use (previews use it too).
    public var imageLoader: any ImageLoader { images }
    let signal: JobSignal
    /// Notified when a render finishes, so webhook deliverers wake for the events it enqueued.
    let completions: JobSignal?
    let clock: any WallClock
    let settings: Settings
    let logger: Logger
    /// Decoded documents by version id: a version never changes, and a burst of renders of one template
    /// decodes its layout once.
    let documents = TTLCache<String, Document>(ttlMillis: 600_000, capacity: 256)

    public init(
        queue: any JobQueue, renders: any RenderRepository, work: any UnitOfWork, templates: any RenderableVersionSource, blobs: any BlobStore,
        engine: RenderEngine, images: any ImageLoader, attachmentFetcher: (any EmbeddedFileFetcher)? = nil, signal: JobSignal,
        completions: JobSignal? = nil, clock: any WallClock = SystemClock(), settings: Settings = Settings(), logger: Logger
    ) {
        self.queue = queue
        self.renders = renders
        self.work = work
        self.templates = templates
        self.blobs = blobs
        self.engine = engine
        self.images = images
        self.attachmentFetcher = attachmentFetcher
        self.signal = signal
        self.completions = completions
        self.clock = clock
        self.settings = settings
        self.logger = logger
    }

    /// Works until the task is cancelled. `owner` names this worker in lease rows.
    public func run(owner: String) async {
        await WorkerLoop.run(signal: signal, idleWait: settings.idleWait) {
            try await runOnce(owner: owner)
        } onError: { error in
            logger.error("render worker could not claim a job", metadata: ["error": .string(String(describing: error))])
        }
    }

    /// Claims and processes at most one job. Returns false when there was nothing to do.
    @discardableResult
    public func runOnce(owner: String) async throws -> Bool {
        guard
            let job = try await queue.claim(
                kinds: [Self.jobKind], owner: owner, leaseMillis: settings.leaseMillis, now: clock.now().epochMillis
            )
        else { return false }
        await withTaskGroup(of: Void.self) { group in
            group.addTask { await self.keepLeaseAlive(job: job, owner: owner) }
            await process(job, owner: owner)
            group.cancelAll()
            completions?.notify()
        }
        return true
    }

    func keepLeaseAlive(job: Job, owner: String) async {
        while !Task.isCancelled {
            try? await Task.sleep(for: settings.heartbeatEvery)
            if Task.isCancelled { return }
            _ = try? await queue.heartbeat(jobID: job.id, owner: owner, until: clock.now().epochMillis + settings.leaseMillis)
        }
    }

    func process(_ job: Job, owner: String) async {
        let started = ContinuousClock.now
        var metadata: Logger.Metadata = ["render_id": .string(job.subjectID), "attempt": .stringConvertible(job.attempts)]
        do {
            guard let render = try await renders.find(id: job.subjectID) else {
                try await fail(
                    renderID: job.subjectID, jobID: job.id, message: "Render row is missing.", now: clock.now().epochMillis, durationMs: nil)
                return
            }
            metadata["project_id"] = .string(render.projectID)
            if render.status.isTerminal {
                // Finished by an earlier holder of this job whose completion raced its lease expiry.
                try await close(render, jobID: job.id)
                return
            }
            try await renders.markRendering(id: render.id, now: clock.now().epochMillis)
            let output = try await produce(render)
            let elapsed = started.duration(to: .now)
            try await succeed(
                renderID: render.id, jobID: job.id, output: output, now: clock.now().epochMillis, durationMs: elapsed.milliseconds
            )
            metadata["duration_ms"] = .stringConvertible(elapsed.milliseconds)
            metadata["pages"] = .stringConvertible(output.pageCount)
            logger.info("render succeeded", metadata: metadata)
            Self.record(outcome: "succeeded", elapsed: elapsed, pages: output.pageCount)
        } catch {
            await handleFailure(error, job: job, owner: owner, elapsed: started.duration(to: .now), metadata: metadata)
        }
    }

    /// What a render draws: its pinned version's document, its data, and the options that shape the output.
    public func inputs(of render: RenderRecord) async throws -> (document: Document, data: JSONValue, options: RenderOptions) {
        guard let version = try await templates.renderableVersion(id: render.versionID) else {
            throw RenderFailure.permanent("The template version this render pins no longer exists.")
        }
        let decoded: Document?
        do {
            decoded = try await documents.value(for: version.id) { try DocumentDecoder.decode(Data(version.layout.utf8)) }
        } catch {
            throw RenderFailure.permanent("The template's layout could not be read: \(error)")
        }
        guard let document = decoded else { throw RenderFailure.permanent("The template's layout could not be read.") }
        let data = try JSONValue.parse(Data(render.data.utf8))
        // The PDF's dates are the version's publish time: the same version and data give the same bytes
        // (docs/decisions/0008-one-render-pipeline.md), and the date still means something.
        var options = RenderOptions(
            creationDate: Date(epochMillis: version.createdAt), watermark: render.origin.testKey ? Self.testWatermark : nil)
        options.pdfa = render.pdfa
        return (document, data, options)
    }

    /// Pages of a render as PNG images, drawn by the same pipeline from the same inputs as its PDF (the
    /// share page shows these).
    public func pageImages(of render: RenderRecord, pages: ClosedRange<Int>, dpi: Double) async throws -> [RenderedPNG] {
        let (document, data, options) = try await inputs(of: render)
        return try await engine.renderPNGPages(document: document, data: data, pages: pages, dpi: dpi, images: images, options: options)
    }

    func produce(_ render: RenderRecord) async throws -> RenderOutput {
        var (document, data, options) = try await inputs(of: render)
        if render.attachmentCount > 0 {
            options.attachments = try await RenderAttachments.resolve(try await renders.attachments(renderID: render.id), fetcher: attachmentFetcher)
        }
        let pdf = try await engine.renderPDF(document: document, data: data, images: images, options: options)
        let key = "renders/\(render.projectID)/\(render.id).pdf"
        try await blobs.put(pdf.bytes, key: key)
        let digest = Hex.sha256(pdf.bytes)
        return RenderOutput(blobKey: key, sha256: digest, pageCount: pdf.pageCount, byteCount: pdf.bytes.count, warnings: pdf.warnings)
    }

    /// `craftkit_render_duration_seconds{outcome}` and, for a PDF, `craftkit_render_pages`
    /// (docs/operations.md#metrics).
    static func record(outcome: String, elapsed: Duration, pages: Int?) {
        let nanoseconds = elapsed.components.seconds * 1_000_000_000 + elapsed.components.attoseconds / 1_000_000_000
        Metrics.Timer(label: "craftkit_render_duration_seconds", dimensions: [("outcome", outcome)]).recordNanoseconds(nanoseconds)
        if let pages { Recorder(label: "craftkit_render_pages", aggregate: true).record(pages) }
    }

    func handleFailure(_ error: any Error, job: Job, owner: String, elapsed: Duration, metadata: Logger.Metadata) async {
        var metadata = metadata
        metadata["error"] = .string(String(describing: error))
        let (transient, message) = Self.classify(error)
        let now = clock.now().epochMillis
        do {
            if transient, job.attempts < settings.maxAttempts {
                let delay = settings.backoffMillis[min(job.attempts - 1, settings.backoffMillis.count - 1)]
                let jitter = Int64.random(in: 0...(delay / 4))
                try await renders.markQueued(id: job.subjectID, error: message)
                try await queue.retry(jobID: job.id, owner: owner, runAt: now + delay + jitter, error: message)
                logger.warning("render failed, will retry", metadata: metadata)
                Self.record(outcome: "retried", elapsed: elapsed, pages: nil)
            } else {
                try await fail(renderID: job.subjectID, jobID: job.id, message: message, now: now, durationMs: elapsed.milliseconds)
                logger.warning("render failed", metadata: metadata)
                Self.record(outcome: "failed", elapsed: elapsed, pages: nil)
            }
        } catch {
            // The lease will expire and another worker will take the job again.
            metadata["store_error"] = .string(String(describing: error))
            logger.error("render failure could not be recorded", metadata: metadata)
        }
    }

    /// Records the output, completes the job and emits `render.succeeded`, in one unit of work. The
    /// event goes out only when this call moved the render to succeeded, so a job run twice (its lease
    /// expired while it finished) notifies once.
    func succeed(renderID: String, jobID: String, output: RenderOutput, now: Int64, durationMs: Int64) async throws {
        let renders = self.renders
        try await work.run { transaction in
            let projectID = try await renders.markSucceeded(id: renderID, output: output, now: now, durationMs: durationMs, in: transaction)
            try await transaction.finishJob(id: jobID, dead: false, error: nil)
            if let projectID {
                try await transaction.emitEvent(projectID: projectID, event: .renderSucceeded, subjectID: renderID, now: now)
            }
        }
    }

    /// Records the failure, buries the job and emits `render.failed` (once, as in `succeed`), in one
    /// unit of work.
    func fail(renderID: String, jobID: String, message: String, now: Int64, durationMs: Int64?) async throws {
        let renders = self.renders
        try await work.run { transaction in
            let projectID = try await renders.markFailed(id: renderID, message: message, now: now, durationMs: durationMs, in: transaction)
            try await transaction.finishJob(id: jobID, dead: true, error: message)
            if let projectID {
                try await transaction.emitEvent(projectID: projectID, event: .renderFailed, subjectID: renderID, now: now)
            }
        }
    }

    /// A job whose render is already terminal only needs closing.
    func close(_ render: RenderRecord, jobID: String) async throws {
        if render.status == .succeeded, let key = render.blobKey, let sha = render.sha256 {
            let output = RenderOutput(blobKey: key, sha256: sha, pageCount: render.pageCount ?? 0, byteCount: render.byteCount ?? 0)
            try await succeed(renderID: render.id, jobID: jobID, output: output, now: render.completedAt ?? 0, durationMs: render.durationMs ?? 0)
        } else {
            try await fail(
                renderID: render.id, jobID: jobID, message: render.errorMessage ?? "failed", now: render.completedAt ?? 0,
                durationMs: render.durationMs)
        }
    }

    /// Whether a failure is worth retrying, and the message a partner sees.
    static func classify(_ error: any Error) -> (transient: Bool, message: String) {
        switch error {
        case let error as RenderError: return (error.isTransient, error.description)
        case let error as RenderFailure:
            if case .permanent(let message) = error { return (false, message) }
            return (true, "\(error)")
        case is AppError, is DecodingError: return (false, "\(error)")
        default: return (true, "Temporary failure: \(error)")
        }
    }
}

enum RenderFailure: Error, CustomStringConvertible {
    case permanent(String)

    var description: String {
        switch self {
        case .permanent(let message): message
        }
    }
}

extension Duration {
    var milliseconds: Int64 {
        let (seconds, attoseconds) = components
        return seconds * 1000 + attoseconds / 1_000_000_000_000_000
    }
}
