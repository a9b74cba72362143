import Core
import Foundation
import HTTPTypes
import Hummingbird
import NIOCore
import Renders

/// Renders (docs/api.md#render-requests): enqueue, poll, list (extension), and the authenticated
/// download.
struct RenderRoutes {
    let services: AppServices

    struct ListBody: Encodable {
        let data: [RenderBody]
        @Nullable var nextCursor: String?
    }

    func register(on group: RouterGroup<AppRequestContext>, routes: RouteTable, prefix: String) {
        routes.add(group, .post, "/templates/:slug/render", under: prefix) { request, context in
            let project = try context.requireProject()
            let body = try await JSONBody.read(request, limit: services.config.maxBodyBytes)
            let (render, replay) = try await Self.queueing {
                try await services.renders.enqueue(
                    projectID: project.projectID, slug: context.parameters.get("slug") ?? "", body: body,
                    idempotencyKey: request.headers[.idempotencyKey], origin: RenderOrigin(source: .api, testKey: project.environment == .test)
                )
            }
            return JSONBody.response(status: replay ? .ok : .accepted, renderBody(render))
        }
        routes.add(group, .get, "/renders/:id", under: prefix) { _, context in
            let project = try context.requireProject()
            let render = try await services.renders.get(projectID: project.projectID, id: context.parameters.get("id") ?? "")
            return JSONBody.response(status: .ok, renderBody(render))
        }
        routes.add(group, .get, "/renders", under: prefix) { request, context in
            let project = try context.requireProject()
            let limitText = request.uri.queryParameters.get("limit")
            let limit = limitText.flatMap(Int.init) ?? 50
            guard (1...200).contains(limit), limitText == nil || Int(limitText!) != nil else {
                var issues = ValidationIssues()
                issues.add("Must be an integer from 1 to 200", at: "limit")
                throw AppError.invalidRequest(issues)
            }
            let page = try await services.renders.list(
                projectID: project.projectID, cursor: request.uri.queryParameters.get("cursor"), limit: limit
            )
            return JSONBody.response(status: .ok, ListBody(data: page.renders.map(renderBody), nextCursor: page.nextCursor))
        }
        routes.add(group, .get, "/renders/:id/download", under: prefix) { _, context in
            try await download(context, disposition: "attachment", cacheControl: "private, no-store")
        }
    }

    /// Streams the PDF of a succeeded render of this project from the blob store, chunk by chunk (a large
    /// PDF never sits whole in memory). The first chunk is read before the response starts, so a missing
    /// or unreachable blob is a clean error; a failure later ends the connection short of
    /// `Content-Length`, which every client reads as a failed download.
    func download(_ context: AppRequestContext, disposition: String, cacheControl: String) async throws -> Response {
        let project = try context.requireProject()
        let render = try await services.renders.get(projectID: project.projectID, id: context.parameters.get("id") ?? "")
        return try await Self.pdf(of: render, services: services, disposition: disposition, cacheControl: cacheControl)
    }

    static func pdf(of render: RenderRecord, services: AppServices, disposition: String, cacheControl: String) async throws -> Response {
        guard render.status == .succeeded, let key = render.blobKey else {
            throw AppError.conflict("not_ready", "Render \(render.id) is \(render.status.rawValue); the PDF exists once it has succeeded.")
        }
        guard let blob = try await services.blobs.stream(key: key) else {
            throw AppError(status: 500, code: "internal", message: "The rendered PDF is missing from storage.")
        }
        var chunks = blob.makeAsyncIterator()
        let first = try await chunks.next()
        let rest = chunks
        let filename = (render.filename ?? render.id).replacingOccurrences(of: ".pdf", with: "") + ".pdf"
        return Response(
            status: .ok,
            headers: [
                .contentType: "application/pdf", .contentLength: String(blob.size),
                .contentDisposition: "\(disposition); filename=\"\(filename)\"", .cacheControl: cacheControl,
            ],
            body: ResponseBody(contentLength: blob.size) { writer in
                if let first { try await writer.write(ByteBuffer(bytes: first)) }
                var chunks = rest
                while let chunk = try await chunks.next() { try await writer.write(ByteBuffer(bytes: chunk)) }
                try await writer.finish(nil)
            }
        )
    }

    /// Runs an enqueue; a storage failure there (the queue is the database) is 503 `queue_unavailable`,
    /// which clients retry with backoff, rather than a 500.
    static func queueing<T>(_ enqueue: () async throws -> T) async throws -> T {
        do {
            return try await enqueue()
        } catch let error as AppError {
            throw error
        } catch {
            throw AppError(status: 503, code: "queue_unavailable", message: "The render queue is unavailable; retry with backoff.")
        }
    }

    func renderBody(_ render: RenderRecord) -> RenderBody {
        RenderPresenter(config: services.config).body(render)
    }
}

extension HTTPField.Name {
    public static let idempotencyKey = HTTPField.Name("Idempotency-Key")!
}
