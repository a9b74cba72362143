import Core
import Outbound
import Render
import Renders

/// The JSON shape of a render, shared by the render routes, the session routes and webhook payloads:
/// the reference's render object plus `versionNumber`, `pageCount`, `sha256` and `templateSlug`; `pdfa`,
/// `attachmentCount` and `warnings` only when the render has them (left out otherwise, so renders without
/// them keep their exact shape).
struct RenderBody: Encodable {
    let id: String
    let status: String
    let pollUrl: String
    @Nullable var downloadUrl: String?
    @Nullable var errorMessage: String?
    let createdAt: Timestamp
    @Nullable var completedAt: Timestamp?
    @Nullable var durationMs: Int64?
    let versionNumber: Int
    @Nullable var pageCount: Int?
    @Nullable var sha256: String?
    let templateSlug: String
    var pdfa: String?
    var attachmentCount: Int?
    var warnings: [RenderWarning]?
}

/// Builds `RenderBody`s with the deployment's URLs.
struct RenderPresenter {
    let config: ServerConfig

    /// - Parameter pollPath: `/v1/renders` for key holders; `/v1/embed/renders` for session holders.
    func body(_ render: RenderRecord, pollPath: String = "/v1/renders") -> RenderBody {
        let base = config.publicURL
        var downloadURL: String?
        if render.status == .succeeded, let key = render.blobKey {
            // A presigned S3 URL or the public blob URL when one is configured, else the authenticated
            // route (docs/decisions/0007-download-urls.md).
            if config.presignedDownloads, let s3 = config.s3Storage,
                let url = S3BlobStore(location: s3).presignedURL(key: key, expires: .seconds(config.presignedURLSeconds))
            {
                downloadURL = url.absoluteString
            } else {
                downloadURL = config.publicBlobURL.map { "\($0)/\(key)" } ?? "\(base)/v1/renders/\(render.id)/download"
            }
        }
        return RenderBody(
            id: render.id, status: render.status.rawValue, pollUrl: "\(base)\(pollPath)/\(render.id)", downloadUrl: downloadURL,
            errorMessage: render.errorMessage, createdAt: Timestamp(render.createdAt), completedAt: render.completedAt.timestamp,
            durationMs: render.durationMs, versionNumber: render.versionNumber, pageCount: render.pageCount, sha256: render.sha256,
            templateSlug: render.templateSlug, pdfa: render.pdfa?.rawValue,
            attachmentCount: render.attachmentCount > 0 ? render.attachmentCount : nil,
            warnings: render.warnings.isEmpty ? nil : render.warnings)
    }
}
