import Core
import Foundation
import HTTPTypes
import Hummingbird
import NIOCore

/// The embed pages and the SDK: static files from `Public/` (CRAFTKIT_PUBLIC_DIR), read per request so
/// a deployment can restyle them without a rebuild. The two pages get a Content-Security-Policy whose
/// `frame-ancestors` lists the origins of the partner the `session_token` was signed for (a host not
/// on that list cannot frame them), no inline script, and `Referrer-Policy: no-referrer` because the
/// first URL carries the token. Also the images end users uploaded: public by their unguessable names
/// (image fetchers carry no token), served only while recorded and within the retention period.
struct PublicPageRoutes {
    let services: AppServices
    static let uploadPrefix = "/v1/embed/uploads/"

    static let pages = ["/embed/builder": "embed/builder.html", "/embed/form": "embed/form.html"]
    static let contentTypes = [
        "html": "text/html; charset=utf-8", "js": "text/javascript; charset=utf-8", "css": "text/css; charset=utf-8",
        "svg": "image/svg+xml", "png": "image/png", "woff2": "font/woff2", "json": "application/json",
    ]

    func register(on router: Router<AppRequestContext>, routes: RouteTable) {
        for (path, file) in Self.pages.sorted(by: { $0.key < $1.key }) {
            routes.add(router, .get, path) { request, _ in try await page(file, request) }
        }
        routes.add(router, .get, "/embed/assets/:file") { request, context in
            try file("embed/assets/" + (context.parameters.get("file") ?? ""), request, headers: [:])
        }
        routes.add(router, .get, "/sdk/craftkit-embed.js") { request, _ in
            // The SDK runs on partners' pages: any origin may load it.
            try file("sdk/craftkit-embed.js", request, headers: [.accessControlAllowOrigin: "*"])
        }
        routes.add(router, .get, "/v1/embed/uploads/:project/:session/:file") { _, context in
            let key =
                "embed-uploads/\(context.parameters.get("project") ?? "")/\(context.parameters.get("session") ?? "")/\(context.parameters.get("file") ?? "")"
            let retention = Int64(services.config.uploadRetentionDays) * 86_400_000
            guard try await services.sessions.uploadIsServed(blobKey: key, retentionMillis: retention),
                let bytes = try? await services.blobs.get(key: key), let type = ImageKind.sniff(bytes)
            else {
                throw AppError.notFound("not_found", "No such upload.")
            }
            return Response(
                status: .ok,
                headers: [
                    .contentType: type.mime, .cacheControl: "public, max-age=31536000, immutable", .contentSecurityPolicy: "default-src 'none'",
                    .xContentTypeOptions: "nosniff",
                ],
                body: .init(byteBuffer: ByteBuffer(bytes: bytes))
            )
        }
    }

    func page(_ name: String, _ request: Request) async throws -> Response {
        var ancestors = "'none'"
        if let token = request.uri.queryParameters.get("session_token"), token.utf8.count <= 16_384,
            let projectID = await services.sessions.signedProjectID(of: token),
            let partner = try await services.embedPartners.partner(projectID: projectID), !partner.allowedOrigins.isEmpty
        {
            ancestors = partner.allowedOrigins.joined(separator: " ")
        }
        let policy = [
            "default-src 'self'", "script-src 'self'", "style-src 'self' https:", "font-src 'self' https: data:",
            "img-src 'self' https: data: blob:", "connect-src 'self'", "frame-src 'self' blob:", "object-src 'none'", "base-uri 'none'",
            "form-action 'none'", "frame-ancestors \(ancestors)",
        ].joined(separator: "; ")
        return try file(name, request, headers: [.contentSecurityPolicy: policy, .cacheControl: "no-store"])
    }

    /// One file under the public directory. Names are plain (letters, digits, `.-_`, no `..`), so a
    /// request can never leave the directory.
    func file(_ name: String, _ request: Request, headers extra: HTTPFields) throws -> Response {
        let leaf = name.split(separator: "/").last.map(String.init) ?? ""
        guard !leaf.hasPrefix("."), !name.contains(".."),
            leaf.unicodeScalars.allSatisfy({ CharacterSet.alphanumerics.contains($0) || "._-".unicodeScalars.contains($0) }),
            let type = Self.contentTypes[String(leaf.split(separator: ".").last ?? "")],
            let bytes = FileManager.default.contents(atPath: services.config.publicDirectory + "/" + name)
        else {
            throw AppError.notFound("not_found", "No such file.")
        }
        let tag = "\"" + Hex.sha256(bytes).prefix(24) + "\""
        var headers: HTTPFields = [
            .contentType: type, .eTag: tag, .cacheControl: "no-cache", .referrerPolicy: "no-referrer", .xContentTypeOptions: "nosniff",
        ]
        for field in extra { headers[field.name] = field.value }
        if request.headers[.ifNoneMatch] == tag { return Response(status: .notModified, headers: headers) }
        return Response(status: .ok, headers: headers, body: .init(byteBuffer: ByteBuffer(bytes: bytes)))
    }
}

extension HTTPField.Name {
    static let referrerPolicy = HTTPField.Name("Referrer-Policy")!
    static let xContentTypeOptions = HTTPField.Name("X-Content-Type-Options")!
}
