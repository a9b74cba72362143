import Core
import Foundation
import Logging
import Render
import Synchronization
import Testing

@testable import Renders

/// A queue that hands out the jobs it was given, once each.
final class ListJobQueue: JobQueue {
    let jobs: Mutex<[Job]>

    init(_ jobs: [Job]) { self.jobs = Mutex(jobs) }

    func claim(kinds: [String], owner: String, leaseMillis: Int64, now: Int64) async throws -> Job? {
        jobs.withLock { $0.isEmpty ? nil : $0.removeFirst() }
    }

    func heartbeat(jobID: String, owner: String, until: Int64) async throws -> Bool { true }

    func retry(jobID: String, owner: String, runAt: Int64, error: String) async throws {}
}

final class MemoryBlobs: BlobStore {
    let blobs = Mutex<[String: Data]>([:])

    func put(_ data: Data, key: String) async throws { blobs.withLock { $0[key] = data } }
    func get(key: String) async throws -> Data? { blobs.withLock { $0[key] } }
    func delete(key: String) async throws { _ = blobs.withLock { $0.removeValue(forKey: key) } }
    func check() async throws {}
}

/// The render worker's completion rules, without a database: the terminal state, the job's end and the
/// `render.*` event commit in one unit, and a completion replayed for a finished render emits nothing.
@Suite("Render worker completion (in memory)")
struct RenderWorkerRuleTests {
    let projectID = "project-1"
    let store = InMemoryRenderStore()
    let work = InMemoryUnitOfWork()

    func enqueueRender() async throws -> RenderRecord {
        let slug = await seedTemplate(in: store, projectID: projectID).slug
        let body = try JSONValue.parse(Data(#"{"data":{"name":"Ada"}}"#.utf8))
        return try await RenderService(templates: store, renders: store, work: work, signal: JobSignal())
            .enqueue(projectID: projectID, slug: slug, body: body, idempotencyKey: nil).0
    }

    /// One engine for the process: an engine's render threads outlive it, so one must never be released.
    static let engine = Result { try RenderEngine() }

    func worker(jobs: [Job]) throws -> RenderWorker {
        RenderWorker(
            queue: ListJobQueue(jobs), renders: store, work: work, templates: store, blobs: MemoryBlobs(), engine: try Self.engine.get(),
            images: InMemoryImageLoader(), signal: JobSignal(), logger: Logger(label: "test")
        )
    }

    @Test("a finished render completes its job and emits render.succeeded in the same unit of work")
    func successEmits() async throws {
        let render = try await enqueueRender()
        let job = Job(id: "job-1", kind: RenderWorker.jobKind, subjectID: render.id, attempts: 1)
        #expect(try await worker(jobs: [job]).runOnce(owner: "w"))
        let stored = try #require(try await store.find(id: render.id))
        #expect(stored.status == .succeeded)
        #expect(
            work.committed.last == [
                .finishedJob(id: "job-1", dead: false, error: nil),
                .event(projectID: projectID, event: .renderSucceeded, subjectID: render.id, now: try #require(stored.completedAt)),
            ])
    }

    @Test("a render whose row is gone buries the job and emits nothing")
    func missingRenderBuriesJob() async throws {
        let job = Job(id: "job-2", kind: RenderWorker.jobKind, subjectID: "no-such-render", attempts: 1)
        #expect(try await worker(jobs: [job]).runOnce(owner: "w"))
        #expect(work.committed.last == [.finishedJob(id: "job-2", dead: true, error: "Render row is missing.")])
    }

    @Test("completing an already finished render again closes the job without a second event")
    func replayedCompletionEmitsOnce() async throws {
        let render = try await enqueueRender()
        let output = RenderOutput(blobKey: "k", sha256: "s", pageCount: 1, byteCount: 1)
        let worker = try worker(jobs: [])
        try await worker.succeed(renderID: render.id, jobID: "job-3", output: output, now: 5, durationMs: 1)
        try await worker.succeed(renderID: render.id, jobID: "job-3", output: output, now: 6, durationMs: 1)
        try await worker.fail(renderID: render.id, jobID: "job-3", message: "late", now: 7, durationMs: nil)
        let events = work.committed.flatMap { $0 }.filter { if case .event = $0 { true } else { false } }
        #expect(events == [.event(projectID: projectID, event: .renderSucceeded, subjectID: render.id, now: 5)])
        #expect(try await store.find(id: render.id)?.status == .succeeded)
    }
}
