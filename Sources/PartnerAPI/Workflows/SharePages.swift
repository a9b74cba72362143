import Core
import Foundation
import Renders

/// The share page's page images: drawn by the engine from the render's pinned version and data (the
/// same pipeline as its PDF), cached in the blob store next to it, and drawn a batch at a time under
/// the preview budget, so guests opening a long document cannot starve the partners' renders. A page
/// opens with several images at once; they share one drawing of their batch.
struct SharePages {
    let services: AppServices

    static func blobKey(_ render: RenderRecord, page: Int, dpi: Double) -> String {
        "share-pages/\(render.projectID)/\(render.id)/\(Int(dpi))-\(page).png"
    }

    func image(of render: RenderRecord, page: Int, dpi: Double, batch: Int) async throws -> Data {
        if let cached = try await services.blobs.get(key: Self.blobKey(render, page: page, dpi: dpi)) { return cached }
        let first = (page - 1) / batch * batch + 1
        let drawn = try await services.pageBatches.run("\(render.id)/\(Int(dpi))/\(first)", on: services.endUserWork) {
            try await draw(render, pages: first...(first + batch - 1), dpi: dpi)
        }
        guard let wanted = drawn[page] else { throw AppError.notFound("not_found", "No such page.") }
        return wanted
    }

    /// Draws and stores a batch of pages; returns them by page number.
    func draw(_ render: RenderRecord, pages: ClosedRange<Int>, dpi: Double) async throws -> [Int: Data] {
        let busy = AppError(
            status: 503, code: "preview_busy", message: "The server is busy drawing pages; try again in a moment.", headers: ["Retry-After": "1"])
        let drawn = try await services.previews.run(timeout: .milliseconds(services.config.previewQueueMillis), busy: busy) {
            try await services.renderWorker.pageImages(of: render, pages: pages, dpi: dpi)
        }
        var byPage: [Int: Data] = [:]
        for png in drawn {
            try await services.blobs.put(png.bytes, key: Self.blobKey(render, page: png.page, dpi: dpi))
            byPage[png.page] = png.bytes
        }
        return byPage
    }
}
