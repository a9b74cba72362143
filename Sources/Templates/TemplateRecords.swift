import Core

/// A template as listed: the live row of a slug in a project.
public struct TemplateRecord: Sendable, Equatable {
    public var id: String
    public var projectID: String
    public var slug: String
    public var name: String
    public var description: String?
    public var templateType: String
    public var currentVersionNumber: Int?
    public var createdAt: Int64
    public var updatedAt: Int64
    public var deletedAt: Int64?
    /// The builder's draft (`documentTemplate`, stored verbatim as JSON text), if any.
    public var draft: String?
    /// The draft's `category`, surfaced by the builder template list.
    public var category: String?
    /// The embed session that created it (a `create` session may keep working on what it created).
    public var createdBySession: String?

    public init(
        id: String, projectID: String, slug: String, name: String, description: String?, templateType: String,
        currentVersionNumber: Int?, createdAt: Int64, updatedAt: Int64, deletedAt: Int64? = nil, draft: String? = nil, category: String? = nil,
        createdBySession: String? = nil
    ) {
        self.id = id
        self.projectID = projectID
        self.slug = slug
        self.name = name
        self.description = description
        self.templateType = templateType
        self.currentVersionNumber = currentVersionNumber
        self.createdAt = createdAt
        self.updatedAt = updatedAt
        self.deletedAt = deletedAt
        self.draft = draft
        self.category = category
        self.createdBySession = createdBySession
    }
}

/// An immutable published version: the document (layout JSON), its manifest and JSON Schema, and a
/// content hash of the three.
public struct TemplateVersionRecord: Sendable, Equatable {
    public var id: String
    public var templateID: String
    public var number: Int
    public var layout: String
    public var manifest: Manifest
    public var jsonSchema: String
    public var contentHash: String
    public var createdAt: Int64

    public init(
        id: String, templateID: String, number: Int, layout: String, manifest: Manifest, jsonSchema: String, contentHash: String,
        createdAt: Int64
    ) {
        self.id = id
        self.templateID = templateID
        self.number = number
        self.layout = layout
        self.manifest = manifest
        self.jsonSchema = jsonSchema
        self.contentHash = contentHash
        self.createdAt = createdAt
    }
}

/// Template storage. Slugs are unique among a project's live (not deleted) templates.
public protocol TemplateRepository: Sendable {
    /// Inserts a template with its first version (numbered 1), in the caller's transaction. Returns
    /// false when the slug is taken by a live template.
    func create(_ template: TemplateRecord, firstVersion: TemplateVersionRecord, in transaction: any Transaction) async throws -> Bool
    /// Appends the next version (its number is assigned here) and makes it current; updates name and
    /// description; in the caller's transaction. Returns the stored version, or throws 404
    /// `template_not_found` when the template is not live.
    func publish(
        templateID: String, projectID: String, name: String, description: String?, version: TemplateVersionRecord, now: Int64,
        in transaction: any Transaction
    )
        async throws -> TemplateVersionRecord
    func find(slug: String, projectID: String) async throws -> TemplateRecord?
    /// Newest-updated first.
    func list(projectID: String) async throws -> [TemplateRecord]
    func version(templateID: String, number: Int) async throws -> TemplateVersionRecord?
    func version(id: String) async throws -> TemplateVersionRecord?
    /// Inserts an unpublished template holding a builder draft. False when the slug is taken.
    func createDraft(_ template: TemplateRecord) async throws -> Bool
    /// Replaces the builder draft. False when the template is not live in the project.
    func saveDraft(id: String, projectID: String, draft: String, category: String?, now: Int64) async throws -> Bool
    func rename(id: String, projectID: String, name: String, now: Int64) async throws -> Bool
    /// Every version of a template, newest first.
    func versions(templateID: String) async throws -> [TemplateVersionRecord]
    func find(id: String, projectID: String) async throws -> TemplateRecord?
    /// Marks the live template deleted (freeing its slug). Returns it, or nil when none is live.
    func softDelete(slug: String, projectID: String, now: Int64) async throws -> TemplateRecord?
}

extension EventType {
    /// A template version was published (subject: the version). Emitted by `TemplateService`.
    public static let templatePublished = EventType(rawValue: "template.published")
}
