import Core
import Foundation
import Renders
import Testing

/// The rules the render service owns, checked without a database: what each unit of work writes and
/// emits, and that a unit is all or nothing.
@Suite("Render rules (in memory)")
struct RenderServiceRuleTests {
    struct FixedClock: WallClock {
        func now() -> Date { Date(epochMillis: 1_800_000_000_000) }
    }

    let projectID = "project-1"
    let store = InMemoryRenderStore()

    func renders(_ work: InMemoryUnitOfWork) -> RenderService {
        RenderService(templates: store, renders: store, work: work, signal: JobSignal(), clock: FixedClock())
    }

    func body(_ name: String) throws -> JSONValue {
        try JSONValue.parse(Data(#"{"data":{"name":"\#(name)"}}"#.utf8))
    }

    @Test("enqueueing writes the render and one render job in one unit of work")
    func enqueueWritesRenderAndJob() async throws {
        let work = InMemoryUnitOfWork()
        let slug = await seedTemplate(in: store, projectID: projectID).slug
        let (render, replay) = try await renders(work).enqueue(projectID: projectID, slug: slug, body: try body("Ada"), idempotencyKey: nil)
        #expect(!replay)
        #expect(await store.allRenders == [render])
        #expect(work.committed.last == [.job(kind: RenderWorker.jobKind, subjectID: render.id, tenant: render.projectID, runAt: render.createdAt)])
    }

    @Test("a form submission also emits form.submitted with the job")
    func formSubmissionEmits() async throws {
        let work = InMemoryUnitOfWork()
        let slug = await seedTemplate(in: store, projectID: projectID).slug
        let (render, _) = try await renders(work).enqueue(
            projectID: projectID, slug: slug, body: try body("Ada"), idempotencyKey: nil, origin: RenderOrigin(source: .form))
        #expect(
            work.committed.last == [
                .job(kind: RenderWorker.jobKind, subjectID: render.id, tenant: render.projectID, runAt: render.createdAt),
                .event(projectID: projectID, event: .formSubmitted, subjectID: render.id, now: render.createdAt),
            ])
    }

    @Test("a failure in the job step leaves no render")
    func jobFailureLeavesNoRender() async throws {
        let slug = await seedTemplate(in: store, projectID: projectID).slug
        let failing = InMemoryUnitOfWork { if case .job = $0 { true } else { false } }
        await #expect(throws: InMemoryUnitOfWork.InjectedFailure.self) {
            _ = try await renders(failing).enqueue(projectID: projectID, slug: slug, body: try body("Ada"), idempotencyKey: "key-1")
        }
        #expect(await store.allRenders.isEmpty)
        #expect(failing.committed.isEmpty)
        #expect(failing.rolledBack == 1)
    }

    @Test("an idempotent replay returns the first render and enqueues nothing")
    func replayEnqueuesNothing() async throws {
        let work = InMemoryUnitOfWork()
        let slug = await seedTemplate(in: store, projectID: projectID).slug
        let service = renders(work)
        let (first, _) = try await service.enqueue(projectID: projectID, slug: slug, body: try body("Ada"), idempotencyKey: "key-1")
        let before = work.committed.count
        let (again, replay) = try await service.enqueue(projectID: projectID, slug: slug, body: try body("Ada"), idempotencyKey: "key-1")
        #expect(replay)
        #expect(again == first)
        let emittedSince = work.committed.dropFirst(before).flatMap { $0 }
        #expect(emittedSince.isEmpty)
        #expect(await store.allRenders.count == 1)
        await #expect(throws: AppError.self) {
            _ = try await service.enqueue(projectID: projectID, slug: slug, body: try body("Grace"), idempotencyKey: "key-1")
        }
        #expect(await store.allRenders.count == 1)
    }
}
