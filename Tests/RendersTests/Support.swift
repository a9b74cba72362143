import Core
import Renders

/// A template with one published version (a required `name` text variable), seeded into `store` as
/// the `Templates` module would have published it.
func seedTemplate(
    in store: InMemoryRenderStore, projectID: String, slug: String = "letter", createdAt: Int64 = 1_700_000_000_000
) async
    -> RenderableTemplate
{
    let template = RenderableTemplate(id: Identifier.make(), projectID: projectID, slug: slug, currentVersionNumber: nil)
    await store.add(template)
    await store.add(
        RenderableVersion(
            id: Identifier.make(), templateID: template.id, number: 1,
            layout: #"{"blocks": [{"type": "paragraph", "text": "Dear {{name}}"}]}"#,
            manifest: Manifest(variables: [VariableDefinition(key: "name", dataType: .text, required: true)]), createdAt: createdAt))
    return template
}
