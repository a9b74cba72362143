import Core
import Templates

/// The JSON shape of a render, shared by the render routes and webhook payloads: the reference's
/// render object plus `versionNumber`, `pageCount`, `sha256` and `templateSlug`.
struct RenderPresenter {
    let config: ServerConfig

    /// - Parameter pollPath: `/v1/renders` for key holders; `/v1/embed/renders` for session holders.
    func json(_ render: RenderRecord, pollPath: String = "/v1/renders") -> JSONValue {
        let base = config.publicURL
        var downloadURL: String?
        if render.status == .succeeded, let key = render.blobKey {
            // The public blob URL when one is configured, else the authenticated route
            // (docs/decisions/0007-download-urls.md).
            downloadURL = config.publicBlobURL.map { "\($0)/\(key)" } ?? "\(base)/v1/renders/\(render.id)/download"
        }
        return .object([
            "id": .string(render.id), "status": .string(render.status.rawValue), "pollUrl": .string("\(base)\(pollPath)/\(render.id)"),
            "downloadUrl": .string(downloadURL), "errorMessage": .string(render.errorMessage), "createdAt": .timestamp(render.createdAt),
            "completedAt": .timestamp(render.completedAt), "durationMs": .int(render.durationMs), "versionNumber": .int(render.versionNumber),
            "pageCount": .int(render.pageCount), "sha256": .string(render.sha256), "templateSlug": .string(render.templateSlug),
        ])
    }
}
