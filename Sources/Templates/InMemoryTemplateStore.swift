import Core

/// An in-memory `TemplateRepository` for unit tests of the services (with `InMemoryUnitOfWork`). It
/// follows the same contract as the SQL implementation; a write made in a transaction that rolls back
/// is taken back, so tests can check that a unit is all or nothing.
public actor InMemoryTemplateStore: TemplateRepository {
    private struct State {
        var templates: [String: TemplateRecord] = [:]
        var versions: [String: TemplateVersionRecord] = [:]
    }

    private var state = State()

    public init() {}

    /// Registers the state before a write, restored if `transaction` rolls back.
    private func undoable(in transaction: any Transaction) {
        let snapshot = state
        (transaction as? InMemoryTransaction)?.onRollback { await self.restore(snapshot) }
    }

    private func restore(_ snapshot: State) { state = snapshot }

    private func live(slug: String, projectID: String) -> TemplateRecord? {
        state.templates.values.first { $0.projectID == projectID && $0.slug == slug && $0.deletedAt == nil }
    }

    // MARK: TemplateRepository

    public func create(_ template: TemplateRecord, firstVersion: TemplateVersionRecord, in transaction: any Transaction) async throws -> Bool {
        guard live(slug: template.slug, projectID: template.projectID) == nil else { return false }
        undoable(in: transaction)
        var template = template
        template.currentVersionNumber = 1
        var version = firstVersion
        version.number = 1
        state.templates[template.id] = template
        state.versions[version.id] = version
        return true
    }

    public func publish(
        templateID: String, projectID: String, name: String, description: String?, version: TemplateVersionRecord, now: Int64,
        in transaction: any Transaction
    ) async throws -> TemplateVersionRecord {
        guard var template = state.templates[templateID], template.projectID == projectID, template.deletedAt == nil else {
            throw AppError.notFound("template_not_found", "The template was deleted.")
        }
        undoable(in: transaction)
        template.currentVersionNumber = (template.currentVersionNumber ?? 0) + 1
        template.name = name
        template.description = description
        template.updatedAt = now
        var stored = version
        stored.number = template.currentVersionNumber ?? 1
        state.templates[templateID] = template
        state.versions[stored.id] = stored
        return stored
    }

    public func find(slug: String, projectID: String) async throws -> TemplateRecord? {
        live(slug: slug, projectID: projectID)
    }

    public func list(projectID: String) async throws -> [TemplateRecord] {
        state.templates.values.filter { $0.projectID == projectID && $0.deletedAt == nil }
            .sorted { ($0.updatedAt, $0.id) > ($1.updatedAt, $1.id) }
    }

    public func version(templateID: String, number: Int) async throws -> TemplateVersionRecord? {
        state.versions.values.first { $0.templateID == templateID && $0.number == number }
    }

    public func version(id: String) async throws -> TemplateVersionRecord? {
        state.versions[id]
    }

    public func createDraft(_ template: TemplateRecord) async throws -> Bool {
        guard live(slug: template.slug, projectID: template.projectID) == nil else { return false }
        state.templates[template.id] = template
        return true
    }

    public func saveDraft(id: String, projectID: String, draft: String, category: String?, now: Int64) async throws -> Bool {
        guard var template = state.templates[id], template.projectID == projectID, template.deletedAt == nil else { return false }
        template.draft = draft
        template.category = category
        template.updatedAt = now
        state.templates[id] = template
        return true
    }

    public func rename(id: String, projectID: String, name: String, now: Int64) async throws -> Bool {
        guard var template = state.templates[id], template.projectID == projectID, template.deletedAt == nil else { return false }
        template.name = name
        template.updatedAt = now
        state.templates[id] = template
        return true
    }

    public func versions(templateID: String) async throws -> [TemplateVersionRecord] {
        state.versions.values.filter { $0.templateID == templateID }.sorted { $0.number > $1.number }
    }

    public func find(id: String, projectID: String) async throws -> TemplateRecord? {
        guard let template = state.templates[id], template.projectID == projectID, template.deletedAt == nil else { return nil }
        return template
    }

    public func softDelete(slug: String, projectID: String, now: Int64) async throws -> TemplateRecord? {
        guard var template = live(slug: slug, projectID: projectID) else { return nil }
        template.deletedAt = now
        template.updatedAt = now
        state.templates[template.id] = template
        return template
    }
}
