import Catalogs
import Core
import Foundation
import HTTPTypes
import Hummingbird
import NIOCore
import Render
import Templates

/// The builder's live preview: a layout (the request's, else a fallback such as the stored draft)
/// rendered by the same engine as real renders, with the catalog's preview values laid over generated
/// sample data, so the preview and the PDF cannot differ. Nothing is stored.
struct DraftPreview {
    let services: AppServices

    /// - Parameters:
    ///   - body: `{layout?, data?, format: png|pdf, page, dpi}`.
    ///   - catalog: the session's catalog, whose `previewData` values fill the sample data.
    ///   - layoutAllowed: whether the caller may preview a layout of its own (edit and create sessions);
    ///     the others preview only `fallback`, so a form user cannot use the server as a free renderer.
    ///   - fallback: the document to show when the body has no layout.
    func response(
        body: JSONValue?, catalog: JSONValue?, layoutAllowed: Bool, fallback: () async throws -> Document?
    ) async throws -> Response {
        var fields = try ObjectValidator(body ?? .object([:]))
        let format = fields.string("format") ?? "png"
        if format != "png" && format != "pdf" { fields.fail("format", "Must be png or pdf") }
        let page = fields.integer("page", range: 1...2_000) ?? 1
        let dpi = fields.integer("dpi", range: 18...300) ?? 96
        if let data = body?["data"] { fields.record(DataLimits.data.issues(in: data, at: "data")) }
        try fields.finish()
        let document: Document
        if let layout = body?["layout"] {
            guard layoutAllowed else {
                throw AppError(
                    status: 403, code: "permission_denied", message: "Only edit and create sessions preview a layout of their own.")
            }
            do {
                document = try DocumentDecoder.decode(json: layout)
            } catch {
                throw AppError(status: 422, code: "template_invalid", message: "The layout is not a render-ready document yet: \(error)")
            }
        } else if let stored = try await fallback() {
            document = stored
        } else {
            throw AppError(status: 422, code: "template_invalid", message: "There is nothing to preview yet.")
        }
        let sample = SampleData.make(for: ManifestExtractor.extract(document))
        let data = body?["data"].map(DottedKeys.expand) ?? DottedKeys.merge(user: Self.previewValues(of: catalog), under: sample)
        let config = services.config
        let busy = AppError(
            status: 503, code: "preview_busy", message: "Too many previews are rendering; try again in a moment.", headers: ["Retry-After": "1"])
        return try await services.previews.run(timeout: .milliseconds(config.previewQueueMillis), busy: busy) {
            try await render(document: document, data: data, format: format, page: page, dpi: dpi)
        }
    }

    /// One preview, under the preview wall-clock limit (`ServerConfig.previewTimeoutSeconds`).
    func render(document: Document, data: JSONValue, format: String, page: Int, dpi: Int) async throws -> Response {
        let images = services.renderWorker.imageLoader
        let options = RenderOptions(limits: RenderLimits(timeout: .seconds(services.config.previewTimeoutSeconds)))
        do {
            if format == "pdf" {
                let pdf = try await services.engine.renderPDF(document: document, data: data, images: images, options: options)
                return Response(
                    status: .ok, headers: [.contentType: "application/pdf", .cacheControl: "no-store"],
                    body: .init(byteBuffer: ByteBuffer(bytes: pdf.bytes)))
            }
            let png = try await services.engine.renderPNG(
                document: document, data: data, page: page, dpi: Double(dpi), images: images, options: options)
            return Response(
                status: .ok,
                headers: [.contentType: "image/png", .cacheControl: "no-store", .pageCount: String(png.pageCount)],
                body: .init(byteBuffer: ByteBuffer(bytes: png.bytes))
            )
        } catch let error as RenderError {
            // A draft that cannot render (a missing image, an unknown formatter) is the user's to fix.
            throw AppError(status: 422, code: error.code, message: error.description)
        }
    }

    /// A catalog's `previewData` as a data object: field values at their dot-paths, loop rows under
    /// their keys.
    static func previewValues(of catalog: JSONValue?) -> JSONValue {
        var data: JSONValue = .object([:])
        guard let catalog else { return data }
        if case .array(let namespaces)? = catalog["namespaces"] {
            for namespace in namespaces {
                guard case .array(let fields)? = namespace["fields"] else { continue }
                for field in fields {
                    guard case .string(let key)? = field["key"], let value = field["previewData"], value != .null else { continue }
                    data.set(path: key.split(separator: ".").map(String.init), to: value)
                }
            }
        }
        if case .array(let loops)? = catalog["loops"] {
            for loop in loops {
                guard case .string(let key)? = loop["key"], case .array(let rows)? = loop["previewData"], !rows.isEmpty else { continue }
                data.set(path: [key], to: .array(rows))
            }
        }
        return data
    }
}

extension HTTPField.Name {
    static let pageCount = HTTPField.Name("x-craftkit-page-count")!
}
