import Core
import Crypto
import Foundation
import Render

/// Templates of a project (docs/api.md#template-requests): create from a manifest or layout,
/// republish (PUT), read, list, soft-delete. Every publish runs manifest extraction and lint from the
/// render core: errors refuse the publish with 422 `template_invalid`, warnings come back with the
/// response.
public struct TemplateService: Sendable {
    let repository: any TemplateRepository
    /// Publishing writes the version and its `template.published` event in one unit.
    let work: any UnitOfWork
    let clock: any WallClock

    public init(repository: any TemplateRepository, work: any UnitOfWork, clock: any WallClock = SystemClock()) {
        self.repository = repository
        self.work = work
        self.clock = clock
    }

    public struct Published: Sendable {
        public var template: TemplateRecord
        public var version: TemplateVersionRecord
        public var warnings: [LintIssue]
        public var created: Bool
    }

    public struct Detail: Sendable {
        public var template: TemplateRecord
        public var version: TemplateVersionRecord?
    }

    public func create(projectID: String, input: TemplateInput) async throws -> Published {
        let now = clock.now().epochMillis
        let templateID = Identifier.make()
        let (version, warnings) = try prepareVersion(templateID: templateID, number: 1, input: input, now: now)
        let explicit = input.slug
        var candidate = explicit ?? Slug.derive(from: input.name)
        for attempt in 0..<8 {
            let template = TemplateRecord(
                id: templateID, projectID: projectID, slug: candidate, name: input.name, description: input.description,
                templateType: "document", currentVersionNumber: 1, createdAt: now, updatedAt: now
            )
            let repository = self.repository
            let created = try await work.run { transaction in
                guard try await repository.create(template, firstVersion: version, in: transaction) else { return false }
                try await transaction.emitEvent(
                    projectID: projectID, event: .templatePublished, subjectID: version.id, now: template.createdAt)
                return true
            }
            if created {
                return Published(template: template, version: version, warnings: warnings, created: true)
            }
            if explicit != nil {
                throw AppError.conflict("slug_conflict", "A template with slug \"\(candidate)\" already exists in this project.")
            }
            candidate = Slug.withSuffix(Slug.derive(from: input.name))
            _ = attempt
        }
        throw AppError.conflict("slug_conflict", "Could not find a free slug for \"\(input.name)\"; pass one explicitly.")
    }

    /// `PUT /v1/templates/:slug`: creates version 1 (created) or publishes the next version.
    public func upsert(projectID: String, slug: String, input: TemplateInput) async throws -> Published {
        guard Slug.isValid(slug) else {
            var issues = ValidationIssues()
            issues.add("Must be kebab-case: lower-case letters and digits separated by single dashes", at: "slug")
            throw AppError.invalidRequest(issues)
        }
        var input = input
        input.slug = slug
        guard let existing = try await repository.find(slug: slug, projectID: projectID) else {
            do {
                return try await create(projectID: projectID, input: input)
            } catch let error as AppError where error.code == "slug_conflict" {
                // Another PUT created it in between: publish on top of it.
                return try await upsert(projectID: projectID, slug: slug, input: input)
            }
        }
        let now = clock.now().epochMillis
        let (prepared, warnings) = try prepareVersion(templateID: existing.id, number: 0, input: input, now: now)
        let version = try await publishVersion(
            templateID: existing.id, projectID: projectID, name: input.name, description: input.description, version: prepared, now: now
        )
        var template = existing
        template.name = input.name
        template.description = input.description
        template.currentVersionNumber = version.number
        template.updatedAt = now
        return Published(template: template, version: version, warnings: warnings, created: false)
    }

    public func get(projectID: String, slug: String) async throws -> Detail {
        let template = try await live(projectID: projectID, slug: slug)
        return Detail(template: template, version: try await currentVersion(of: template))
    }

    public func list(projectID: String) async throws -> [TemplateRecord] {
        try await repository.list(projectID: projectID)
    }

    public func delete(projectID: String, slug: String) async throws -> TemplateRecord {
        guard let deleted = try await repository.softDelete(slug: slug, projectID: projectID, now: clock.now().epochMillis) else {
            throw AppError.notFound("template_not_found", "No template with slug \"\(slug)\" in this project.")
        }
        return deleted
    }

    /// The live template with this id, or 404 `template_not_found`.
    public func live(projectID: String, id: String) async throws -> TemplateRecord {
        guard Identifier.isValid(id), let template = try await repository.find(id: id, projectID: projectID) else {
            throw AppError.notFound("template_not_found", "No template \(id) in this project.")
        }
        return template
    }

    public func saveDraft(_ template: TemplateRecord, draft: String, category: String?) async throws {
        guard
            try await repository.saveDraft(
                id: template.id, projectID: template.projectID, draft: draft, category: category, now: clock.now().epochMillis)
        else { throw AppError.notFound("template_not_found", "The template was deleted.") }
    }

    public func rename(_ template: TemplateRecord, to name: String) async throws {
        guard (1...120).contains(name.count) else {
            var issues = ValidationIssues()
            issues.add("Must be 1 to 120 characters", at: "name")
            throw AppError.invalidRequest(issues)
        }
        guard try await repository.rename(id: template.id, projectID: template.projectID, name: name, now: clock.now().epochMillis) else {
            throw AppError.notFound("template_not_found", "The template was deleted.")
        }
    }

    /// The published version renders use by default, nil while unpublished.
    public func currentVersion(of template: TemplateRecord) async throws -> TemplateVersionRecord? {
        guard let number = template.currentVersionNumber else { return nil }
        return try await repository.version(templateID: template.id, number: number)
    }

    public func versions(of template: TemplateRecord) async throws -> [TemplateVersionRecord] {
        try await repository.versions(templateID: template.id)
    }

    /// The live template of a slug, or 404 `template_not_found`.
    public func live(projectID: String, slug: String) async throws -> TemplateRecord {
        guard Slug.isValid(slug), let template = try await repository.find(slug: slug, projectID: projectID) else {
            throw AppError.notFound("template_not_found", "No template with slug \"\(slug)\" in this project.")
        }
        return template
    }

    /// Builds the document, lints it against the manifest, and freezes it as a version record.
    func prepareVersion(templateID: String, number: Int, input: TemplateInput, now: Int64) throws -> (TemplateVersionRecord, [LintIssue]) {
        var document = input.layout ?? LayoutSynthesizer.document(name: input.name, manifest: input.manifest, page: input.page)
        if input.layout != nil, let page = input.page { document.page = page }
        return try prepareVersion(templateID: templateID, number: number, document: document, declared: input.manifest, now: now)
    }

    /// Publishes `document` as the next version of an existing template (the builder's publish). The
    /// manifest is extracted from the document and the variables it declares.
    public func publish(projectID: String, template: TemplateRecord, document: Document) async throws -> Published {
        let now = clock.now().epochMillis
        let (prepared, warnings) = try prepareVersion(templateID: template.id, number: 0, document: document, declared: nil, now: now)
        let version = try await publishVersion(
            templateID: template.id, projectID: projectID, name: template.name, description: template.description, version: prepared, now: now
        )
        var published = template
        published.currentVersionNumber = version.number
        published.updatedAt = now
        return Published(template: published, version: version, warnings: warnings, created: false)
    }

    /// Stores the next version and emits `template.published` for it, in one unit of work: subscribers
    /// hear of exactly the versions that were stored.
    func publishVersion(
        templateID: String, projectID: String, name: String, description: String?, version: TemplateVersionRecord, now: Int64
    ) async throws -> TemplateVersionRecord {
        let repository = self.repository
        return try await work.run { transaction in
            let stored = try await repository.publish(
                templateID: templateID, projectID: projectID, name: name, description: description, version: version, now: now,
                in: transaction)
            try await transaction.emitEvent(projectID: projectID, event: .templatePublished, subjectID: stored.id, now: now)
            return stored
        }
    }

    /// Stores a new unpublished template holding a builder draft, under a name-derived slug with a
    /// random suffix.
    public func createDraft(
        projectID: String, name: String, draft: String, category: String?, sessionID: String? = nil
    ) async throws
        -> TemplateRecord
    {
        let now = clock.now().epochMillis
        for _ in 0..<8 {
            let template = TemplateRecord(
                id: Identifier.make(), projectID: projectID, slug: Slug.withSuffix(Slug.derive(from: name)), name: name, description: nil,
                templateType: "document", currentVersionNumber: nil, createdAt: now, updatedAt: now, draft: draft, category: category,
                createdBySession: sessionID
            )
            if try await repository.createDraft(template) { return template }
        }
        throw AppError(status: 500, code: "insert_failed", message: "The template could not be stored; try again.")
    }

    func prepareVersion(
        templateID: String, number: Int, document: Document, declared: Manifest?, now: Int64
    ) throws
        -> (TemplateVersionRecord, [LintIssue])
    {
        let manifest = ManifestExtractor.extract(document, declared: declared)
        let findings = Linter.lint(document, manifest: manifest)
        let errors = findings.filter { $0.severity == .error }
        if !errors.isEmpty {
            var issues = ValidationIssues()
            for error in errors { issues.add("\(error.message) (\(error.code))", at: error.path) }
            throw AppError(status: 422, code: "template_invalid", message: "The template cannot be published: \(issues.summary)", issues: issues)
        }
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
        let layout = String(decoding: try encoder.encode(document), as: UTF8.self)
        let manifestJSON = try encoder.encode(manifest)
        let schema = String(decoding: try encoder.encode(JSONSchemaBuilder.schema(for: manifest)), as: UTF8.self)
        var hasher = SHA256()
        hasher.update(data: Data(layout.utf8))
        hasher.update(data: manifestJSON)
        let hash = Hex.encode(hasher.finalize())
        let version = TemplateVersionRecord(
            id: Identifier.make(), templateID: templateID, number: number, layout: layout, manifest: manifest, jsonSchema: schema,
            contentHash: hash, createdAt: now
        )
        return (version, findings.filter { $0.severity == .warning })
    }
}
