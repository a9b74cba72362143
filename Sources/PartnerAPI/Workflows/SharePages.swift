import Core
import Foundation
import Renders

/// The share page's page images: drawn by the engine from the render's pinned version and data (the
/// same pipeline as its PDF), cached in the blob store next to it, and drawn a batch at a time under
/// the preview budget, so guests opening a long document cannot starve the partners' renders.
struct SharePages {
    let services: AppServices

    static func blobKey(_ render: RenderRecord, page: Int, dpi: Double) -> String {
        "share-pages/\(render.projectID)/\(render.id)/\(Int(dpi))-\(page).png"
    }

    func image(of render: RenderRecord, page: Int, dpi: Double, batch: Int) async throws -> Data {
        let key = Self.blobKey(render, page: page, dpi: dpi)
        if let cached = try await services.blobs.get(key: key) { return cached }
        let first = (page - 1) / batch * batch + 1
        let busy = AppError(
            status: 503, code: "preview_busy", message: "The server is busy drawing pages; try again in a moment.", headers: ["Retry-After": "1"])
        let drawn = try await services.previews.run(timeout: .milliseconds(services.config.previewQueueMillis), busy: busy) {
            try await services.renderWorker.pageImages(of: render, pages: first...(first + batch - 1), dpi: dpi)
        }
        var wanted: Data?
        for png in drawn {
            try await services.blobs.put(png.bytes, key: Self.blobKey(render, page: png.page, dpi: dpi))
            if png.page == page { wanted = png.bytes }
        }
        guard let wanted else { throw AppError.notFound("not_found", "No such page.") }
        return wanted
    }
}
