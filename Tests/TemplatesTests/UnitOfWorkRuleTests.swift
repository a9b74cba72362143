import Core
import Foundation
import Templates
import Testing

/// The rules the template and render services own, checked without a database: what each unit of work
/// writes and emits, and that a unit is all or nothing.
@Suite("Template and render rules (in memory)")
struct UnitOfWorkRuleTests {
    struct FixedClock: WallClock {
        func now() -> Date { Date(epochMillis: 1_800_000_000_000) }
    }

    let projectID = "project-1"
    let now: Int64 = 1_800_000_000_000
    let store = InMemoryTemplateStore()

    func input(_ name: String = "Invoice") throws -> TemplateInput {
        let json = #"{"name":"\#(name)","manifest":{"variables":[{"key":"name","label":"Name","dataType":"text","required":true}],"loops":[]}}"#
        return try TemplateInput(json: try JSONValue.parse(Data(json.utf8)), slugAllowed: true)
    }

    func templates(_ work: InMemoryUnitOfWork) -> TemplateService {
        TemplateService(repository: store, work: work, clock: FixedClock())
    }

    func renders(_ work: InMemoryUnitOfWork) -> RenderService {
        RenderService(templates: store, renders: store, work: work, signal: JobSignal(), clock: FixedClock())
    }

    func body(_ name: String) throws -> JSONValue {
        try JSONValue.parse(Data(#"{"data":{"name":"\#(name)"}}"#.utf8))
    }

    @Test("creating a template emits one template.published for version 1, in the unit that stores it")
    func createEmits() async throws {
        let work = InMemoryUnitOfWork()
        let published = try await templates(work).create(projectID: projectID, input: try input())
        #expect(published.version.number == 1)
        #expect(work.committed == [[.event(projectID: projectID, event: .templatePublished, subjectID: published.version.id, now: now)]])
    }

    @Test("publishing a new version emits exactly one template.published in the same unit of work")
    func publishEmitsOnce() async throws {
        let work = InMemoryUnitOfWork()
        let service = templates(work)
        let first = try await service.create(projectID: projectID, input: try input())
        let second = try await service.upsert(projectID: projectID, slug: first.template.slug, input: try input("Invoice 2"))
        #expect(second.version.number == 2)
        #expect(
            work.committed.last == [.event(projectID: projectID, event: .templatePublished, subjectID: second.version.id, now: now)])
        #expect(try await store.versions(templateID: first.template.id).map(\.number) == [2, 1])
    }

    @Test("a publish whose event cannot be written stores no version")
    func publishRollsBack() async throws {
        let template = try await templates(InMemoryUnitOfWork()).create(projectID: projectID, input: try input()).template
        let failing = InMemoryUnitOfWork { if case .event = $0 { true } else { false } }
        await #expect(throws: InMemoryUnitOfWork.InjectedFailure.self) {
            _ = try await templates(failing).upsert(projectID: projectID, slug: template.slug, input: try input("Invoice 2"))
        }
        #expect(failing.committed.isEmpty)
        #expect(failing.rolledBack == 1)
        #expect(try await store.versions(templateID: template.id).map(\.number) == [1])
        #expect(try await store.find(id: template.id, projectID: projectID)?.currentVersionNumber == 1)
    }

    @Test("enqueueing writes the render and one render job in one unit of work")
    func enqueueWritesRenderAndJob() async throws {
        let work = InMemoryUnitOfWork()
        let slug = try await templates(work).create(projectID: projectID, input: try input()).template.slug
        let (render, replay) = try await renders(work).enqueue(projectID: projectID, slug: slug, body: try body("Ada"), idempotencyKey: nil)
        #expect(!replay)
        #expect(await store.allRenders == [render])
        #expect(work.committed.last == [.job(kind: RenderWorker.jobKind, subjectID: render.id, runAt: render.createdAt)])
    }

    @Test("a form submission also emits form.submitted with the job")
    func formSubmissionEmits() async throws {
        let work = InMemoryUnitOfWork()
        let slug = try await templates(work).create(projectID: projectID, input: try input()).template.slug
        let (render, _) = try await renders(work).enqueue(
            projectID: projectID, slug: slug, body: try body("Ada"), idempotencyKey: nil, origin: RenderOrigin(source: .form))
        #expect(
            work.committed.last == [
                .job(kind: RenderWorker.jobKind, subjectID: render.id, runAt: render.createdAt),
                .event(projectID: projectID, event: .formSubmitted, subjectID: render.id, now: render.createdAt),
            ])
    }

    @Test("a failure in the job step leaves no render")
    func jobFailureLeavesNoRender() async throws {
        let slug = try await templates(InMemoryUnitOfWork()).create(projectID: projectID, input: try input()).template.slug
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
        let slug = try await templates(work).create(projectID: projectID, input: try input()).template.slug
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
