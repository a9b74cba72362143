import Core
import Foundation
import Templates

/// The one JSON shape of a template. Each audience sees a subset of it (the partner API's summary and
/// detail, the partner's builder list, the session bootstrap, the builder page), built by the
/// factories below, so a template field is added here once. A `T??` field is left out when nil and
/// written as `null` when `.some(nil)`: the shapes differ in which fields they carry at all.
struct TemplateBody: Encodable {
    /// `published`: a flag on the partner API, the published version itself on the builder page.
    enum Published: Encodable {
        case flag(Bool)
        case version(number: Int, layout: JSONValue, manifest: Manifest)

        private enum Keys: String, CodingKey { case version, layout, manifest }

        func encode(to encoder: any Encoder) throws {
            switch self {
            case .flag(let value):
                var container = encoder.singleValueContainer()
                try container.encode(value)
            case .version(let number, let layout, let manifest):
                var container = encoder.container(keyedBy: Keys.self)
                try container.encode(number, forKey: .version)
                try container.encode(layout, forKey: .layout)
                try container.encode(manifest, forKey: .manifest)
            }
        }
    }

    let id: String
    let slug: String
    let name: String
    var description: String?? = nil
    var templateType: String? = nil
    var category: String?? = nil
    var currentVersionNumber: Int?? = nil
    var published: Published? = nil
    var createdAt: Timestamp? = nil
    var updatedAt: Timestamp? = nil
    /// The builder's stored draft, verbatim (`.null` when there is none).
    var draft: JSONValue? = nil
    var manifest: Manifest?? = nil
    /// The JSON Schema of the current version's data, as stored (partner API).
    var jsonSchema: JSONValue? = nil
    /// The same schema built from the manifest (the form page validates with it).
    var schema: JSONValue? = nil

    private init(_ template: TemplateRecord) {
        id = template.id
        slug = template.slug
        name = template.name
    }

    /// `GET /v1/templates`.
    static func summary(_ template: TemplateRecord) -> TemplateBody {
        var body = TemplateBody(template)
        body.templateType = template.templateType
        body.currentVersionNumber = .some(template.currentVersionNumber)
        body.published = .flag(template.currentVersionNumber != nil)
        body.createdAt = Timestamp(template.createdAt)
        body.updatedAt = Timestamp(template.updatedAt)
        return body
    }

    /// `GET /v1/templates/:slug`: the summary with the current version's manifest and schema.
    static func detail(_ detail: TemplateService.Detail) throws -> TemplateBody {
        var body = summary(detail.template)
        body.description = .some(detail.template.description)
        body.published = .flag(detail.version != nil)
        body.manifest = .some(detail.version?.manifest)
        body.jsonSchema = try detail.version.map { try JSONValue.parse(Data($0.jsonSchema.utf8)) } ?? .null
        return body
    }

    /// `GET /v1/embed/builder/templates` (the partner's list for its builder).
    static func builderListItem(_ template: TemplateRecord) -> TemplateBody {
        var body = TemplateBody(template)
        body.createdAt = Timestamp(template.createdAt)
        body.updatedAt = Timestamp(template.updatedAt)
        body.category = .some(template.category)
        return body
    }

    /// The session bootstrap's template: with its current version's manifest and form schema.
    static func session(_ template: TemplateRecord, current: TemplateVersionRecord?) -> TemplateBody {
        var body = TemplateBody(template)
        body.currentVersionNumber = .some(template.currentVersionNumber)
        if let current {
            body.manifest = current.manifest
            body.schema = JSONSchemaBuilder.schema(for: current.manifest)
        }
        return body
    }

    /// The builder page's template: its draft and, once there is one, the published version.
    static func builder(_ template: TemplateRecord, current: TemplateVersionRecord?) throws -> TemplateBody {
        var body = TemplateBody(template)
        body.currentVersionNumber = .some(template.currentVersionNumber)
        body.updatedAt = Timestamp(template.updatedAt)
        body.draft = try template.draft.map { try JSONValue.parse(Data($0.utf8)) } ?? .null
        if let current {
            body.published = .version(number: current.number, layout: try JSONValue.parse(Data(current.layout.utf8)), manifest: current.manifest)
        }
        return body
    }

    /// The reference's `documentTemplate` answered by `POST /v1/embed/builder/templates`: the builder's
    /// draft as sent, with the created template's identity. A draft is the builder's free-form JSON,
    /// so this one shape stays a JSON object rather than a struct.
    static func documentTemplate(draft: [String: JSONValue], template: TemplateRecord, projectID: String) -> JSONValue {
        var adapted = draft
        adapted["_id"] = .string(template.id)
        adapted["organizationId"] = .string(projectID)
        adapted["slug"] = .string(template.slug)
        adapted["sD"] = .bool(false)
        adapted["cAt"] = .string(Date(epochMillis: template.createdAt).iso8601)
        adapted["isCustomTemplate"] = .bool(true)
        adapted["design"] = draft["design"] ?? .null
        adapted["currentVersionNumber"] = template.currentVersionNumber.map { .number(Double($0)) } ?? .null
        return .object(adapted)
    }
}
