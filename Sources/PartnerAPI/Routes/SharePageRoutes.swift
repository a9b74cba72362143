import Core
import Delivery
import Foundation
import HTTPTypes
import Hummingbird
import NIOCore
import Renders
import Storage

/// The guest side of a share (docs/api.md#share-a-document): the page, its page images, the PDF inline
/// and as a download, the print record and the email-open pixel. The token is the credential: it is
/// never logged (the access log has the route pattern), never sent on (`Referrer-Policy: no-referrer`),
/// and a revoked or expired share stops resolving at once.
struct SharePageRoutes {
    let services: AppServices
    /// Page images are drawn at this resolution: sharp on a phone at 3× and on a laptop at 2×.
    static let pageDPI = 144.0
    /// Pages drawn per layout when an image is missing from the cache.
    static let pageBatch = 8

    func register(on router: Router<AppRequestContext>, routes: RouteTable) {
        routes.add(router, .get, "/share/:token") { request, context in
            try await page(request, context)
        }
        routes.add(router, .get, "/share/:token/document.pdf") { _, context in
            let (_, render) = try await resolve(context)
            return try await pdf(render, disposition: "inline")
        }
        routes.add(router, .get, "/share/:token/download") { request, context in
            let (share, render) = try await resolve(context)
            let response = try await pdf(render, disposition: "attachment")
            try await record(.downloaded, share: share, render: render, request: request, context: context)
            return response
        }
        routes.add(router, .post, "/share/:token/printed") { request, context in
            let (share, render) = try await resolve(context)
            // Only the share page itself records prints (a browser sends its origin with a POST).
            if let origin = request.headers[.origin], !Self.pageOrigins(services.config).contains(origin.lowercased()) {
                throw AppError(status: 403, code: "forbidden", message: "Prints are recorded from the share page only.")
            }
            try await record(.printed, share: share, render: render, request: request, context: context)
            return Response(status: .noContent, headers: Self.privateHeaders)
        }
        routes.add(router, .get, "/share/:token/pages/:page") { _, context in
            let (_, render) = try await resolve(context)
            guard let number = context.parameters.get("page").flatMap(Int.init), number >= 1, number <= (render.pageCount ?? 0) else {
                throw AppError.notFound("not_found", "No such page.")
            }
            let png = try await SharePages(services: services).image(of: render, page: number, dpi: Self.pageDPI, batch: Self.pageBatch)
            var headers = Self.privateHeaders
            headers[.contentType] = "image/png"
            headers[.cacheControl] = "private, max-age=300"
            return Response(status: .ok, headers: headers, body: .init(byteBuffer: ByteBuffer(bytes: png)))
        }
        routes.add(router, .get, "/share/:token/open.gif") { request, context in
            if case .active(let share) = try await access(context), share.channel == .email,
                let render = try? await services.renders.get(projectID: share.projectID, id: share.renderID)
            {
                try await record(.emailOpened, share: share, render: render, request: request, context: context)
            }
            // Always the pixel: a mail client shows nothing either way.
            var headers = Self.privateHeaders
            headers[.contentType] = "image/gif"
            return Response(status: .ok, headers: headers, body: .init(byteBuffer: ByteBuffer(bytes: Self.pixel)))
        }
    }

    /// The origins the share page is served from (`scheme://host[:port]`, lower case).
    static func pageOrigins(_ config: ServerConfig) -> Set<String> {
        Set(
            [config.shareBaseURL, config.publicURL].compactMap { base in
                guard let url = URLComponents(string: base), let scheme = url.scheme, let host = url.host else { return nil }
                return "\(scheme)://\(host)\(url.port.map { ":\($0)" } ?? "")".lowercased()
            })
    }

    // MARK: Resolving

    func access(_ context: AppRequestContext) async throws -> ShareAccess {
        try await services.delivery.access(token: context.parameters.get("token") ?? "", now: Date().epochMillis)
    }

    /// The active share and its render, or 404 (unknown) / 410 (revoked, expired) in the envelope.
    func resolve(_ context: AppRequestContext) async throws -> (Share, RenderRecord) {
        switch try await access(context) {
        case .active(let share):
            let render = try await services.renders.get(projectID: share.projectID, id: share.renderID)
            return (share, render)
        case .gone:
            throw AppError(status: 410, code: "share_gone", message: "This link is no longer active.")
        case .unknown:
            throw AppError.notFound("share_not_found", "This link is not valid.")
        }
    }

    func record(_ type: EngagementType, share: Share, render: RenderRecord, request: Request, context: AppRequestContext) async throws {
        _ = try await services.delivery.recordRecipient(
            type, share: share, render: ShareRoutes.deliverable(render), viewer: services.viewerHash(context.clientAddress),
            userAgent: request.headers[.userAgent], now: Date().epochMillis)
    }

    // MARK: Responses

    static let privateHeaders: HTTPFields = [
        .referrerPolicy: "no-referrer", .xRobotsTag: "noindex, nofollow", .cacheControl: "no-store", .xContentTypeOptions: "nosniff",
    ]

    func pdf(_ render: RenderRecord, disposition: String) async throws -> Response {
        var response = try await RenderRoutes.pdf(of: render, services: services, disposition: disposition, cacheControl: "private, no-store")
        for field in Self.privateHeaders where field.name != .cacheControl { response.headers[field.name] = field.value }
        // The inline PDF is framed by the share page (same origin) and nowhere else.
        response.headers[.contentSecurityPolicy] = "frame-ancestors 'self'"
        return response
    }

    func page(_ request: Request, _ context: AppRequestContext) async throws -> Response {
        let token = context.parameters.get("token") ?? ""
        switch try await access(context) {
        case .unknown:
            let nonce = Self.nonce()
            return htmlResponse(status: .notFound, SharePageHTML.unavailable(profile: nil, nonce: nonce), nonce: nonce)
        case .gone(let share):
            let profile = try await services.deliveryStore.profile(projectID: share.projectID)
            let nonce = Self.nonce()
            return htmlResponse(status: .gone, SharePageHTML.unavailable(profile: profile, nonce: nonce), nonce: nonce)
        case .active(let share):
            let render = try await services.renders.get(projectID: share.projectID, id: share.renderID)
            let profile = try await services.deliveryStore.profile(projectID: share.projectID)
            try await record(.viewed, share: share, render: render, request: request, context: context)
            let nonce = Self.nonce()
            let name = render.filename ?? Self.title(ofSlug: render.templateSlug)
            let html = SharePageHTML.document(
                token: token, share: share, pageCount: render.pageCount ?? 0, documentName: name, profile: profile, nonce: nonce)
            return htmlResponse(status: .ok, html, nonce: nonce)
        }
    }

    /// A page with its CSP: scripts from this origin only, the one inline style block (the org's colours)
    /// allowed by its nonce.
    func htmlResponse(status: HTTPResponse.Status, _ html: String, nonce: String) -> Response {
        var headers = Self.privateHeaders
        headers[.contentType] = "text/html; charset=utf-8"
        headers[.contentSecurityPolicy] = [
            "default-src 'none'", "script-src 'self'", "style-src 'self' 'nonce-\(nonce)'", "img-src 'self' https: data:",
            "frame-src 'self'", "connect-src 'self'", "font-src 'self'", "base-uri 'none'", "form-action 'none'", "frame-ancestors 'none'",
        ].joined(separator: "; ")
        return Response(status: status, headers: headers, body: .init(byteBuffer: ByteBuffer(string: html)))
    }

    /// `monthly-statement` → `Monthly statement`: the document's name when the render has no filename.
    static func title(ofSlug slug: String) -> String {
        let words = slug.replacingOccurrences(of: "-", with: " ")
        return words.prefix(1).uppercased() + words.dropFirst()
    }

    static func nonce() -> String { Base64URL.encode(SecureRandom.bytes(16)) }

    /// A transparent 1×1 GIF.
    static let pixel: [UInt8] = [
        0x47, 0x49, 0x46, 0x38, 0x39, 0x61, 0x01, 0x00, 0x01, 0x00, 0x80, 0x00, 0x00, 0x00, 0x00, 0x00, 0xff, 0xff, 0xff, 0x21, 0xf9, 0x04,
        0x01, 0x00, 0x00, 0x00, 0x00, 0x2c, 0x00, 0x00, 0x00, 0x00, 0x01, 0x00, 0x01, 0x00, 0x00, 0x02, 0x02, 0x44, 0x01, 0x00, 0x3b,
    ]
}

extension HTTPField.Name {
    static let xRobotsTag = HTTPField.Name("X-Robots-Tag")!
}
