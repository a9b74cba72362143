import Core
import Foundation
import Render

/// Image loader for render workers: images uploaded through an embed form (URLs under this server's
/// `/v1/embed/uploads/`) are read straight from the blob store, without an HTTP round trip to ourselves
/// that the SSRF guard would rightly refuse; everything else goes to the guarded HTTP loader.
struct UploadAwareImageLoader: ImageLoader {
    let uploadsURL: String
    let blobs: any BlobStore
    let fallback: any ImageLoader

    func load(_ source: ImageSource) async throws -> Data {
        guard case .url(let url) = source, url.hasPrefix(uploadsURL) else { return try await fallback.load(source) }
        let key = "embed-uploads/" + url.dropFirst(uploadsURL.count)
        guard let data = try? await blobs.get(key: key) else {
            throw RenderError.imageUnavailable(source: url, reason: "no such upload")
        }
        return data
    }
}
