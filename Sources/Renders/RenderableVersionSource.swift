import Core

/// A live template as renders see it: enough to pin a version and name the render.
public struct RenderableTemplate: Sendable, Equatable {
    public var id: String
    public var projectID: String
    public var slug: String
    /// The latest published version; nil while the template is only a builder draft.
    public var currentVersionNumber: Int?

    public init(id: String, projectID: String, slug: String, currentVersionNumber: Int?) {
        self.id = id
        self.projectID = projectID
        self.slug = slug
        self.currentVersionNumber = currentVersionNumber
    }
}

/// A published (immutable) template version as renders see it: what the data is validated against and
/// what the worker draws.
public struct RenderableVersion: Sendable, Equatable {
    public var id: String
    public var templateID: String
    public var number: Int
    /// The document (layout JSON text).
    public var layout: String
    public var manifest: Manifest
    /// Publish time; a render's PDF dates are this time (docs/decisions/0008-one-render-pipeline.md).
    public var createdAt: Int64

    public init(id: String, templateID: String, number: Int, layout: String, manifest: Manifest, createdAt: Int64) {
        self.id = id
        self.templateID = templateID
        self.number = number
        self.layout = layout
        self.manifest = manifest
        self.createdAt = createdAt
    }
}

/// The templates a render reads: a live template by slug or id, and its published versions. Templates
/// own the data; this is the read-only view that `Renders` needs without importing the `Templates`
/// module (docs/decisions/0011-module-boundaries.md). `Storage` implements it over the SQL template
/// repository (versions come from its cache); `InMemoryRenderStore` implements it for unit tests.
public protocol RenderableVersionSource: Sendable {
    /// The live (not deleted) template with this slug in the project; nil when there is none or the slug
    /// cannot name one.
    func renderableTemplate(slug: String, projectID: String) async throws -> RenderableTemplate?
    /// The live template with this id in the project.
    func renderableTemplate(id: String, projectID: String) async throws -> RenderableTemplate?
    func renderableVersion(templateID: String, number: Int) async throws -> RenderableVersion?
    func renderableVersion(id: String) async throws -> RenderableVersion?
}

extension RenderableVersionSource {
    /// The live template a slug names, or 404 `template_not_found` (as the template routes answer).
    func live(projectID: String, slug: String) async throws -> RenderableTemplate {
        guard let template = try await renderableTemplate(slug: slug, projectID: projectID) else {
            throw AppError.notFound("template_not_found", "No template with slug \"\(slug)\" in this project.")
        }
        return template
    }
}
