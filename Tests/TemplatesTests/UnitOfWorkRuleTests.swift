import Core
import Foundation
import Templates
import Testing

/// The rules the template service owns, checked without a database: what each unit of work writes and
/// emits, and that a unit is all or nothing.
@Suite("Template rules (in memory)")
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
}
