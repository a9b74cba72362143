import Renders
import Templates

/// The templates renders read, over the SQL template repository: versions come through its
/// `VersionCache`. The `Renders` module states what it needs (`RenderableVersionSource`) so that it
/// does not import `Templates` (docs/decisions/0011-module-boundaries.md).
extension SQLTemplateRepository: RenderableVersionSource {
    public func renderableTemplate(slug: String, projectID: String) async throws -> RenderableTemplate? {
        // A string that cannot be a slug names no template; it is not looked up.
        guard Slug.isValid(slug) else { return nil }
        return try await find(slug: slug, projectID: projectID).map(RenderableTemplate.init)
    }

    public func renderableTemplate(id: String, projectID: String) async throws -> RenderableTemplate? {
        try await find(id: id, projectID: projectID).map(RenderableTemplate.init)
    }

    public func renderableVersion(templateID: String, number: Int) async throws -> RenderableVersion? {
        try await version(templateID: templateID, number: number).map(RenderableVersion.init)
    }

    public func renderableVersion(id: String) async throws -> RenderableVersion? {
        try await version(id: id).map(RenderableVersion.init)
    }
}

extension RenderableTemplate {
    init(_ template: TemplateRecord) {
        self.init(id: template.id, projectID: template.projectID, slug: template.slug, currentVersionNumber: template.currentVersionNumber)
    }
}

extension RenderableVersion {
    init(_ version: TemplateVersionRecord) {
        self.init(
            id: version.id, templateID: version.templateID, number: version.number, layout: version.layout, manifest: version.manifest,
            createdAt: version.createdAt)
    }
}
