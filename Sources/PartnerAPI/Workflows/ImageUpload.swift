import Core
import EmbedSessions
import Foundation
import Hummingbird

/// An image uploaded with a session token (form image fields and builder image blocks): multipart
/// field `file`, at most 10 MB, PNG/JPEG/WebP/GIF as decided by its bytes, within the session's
/// `maxUploadsBytes`; stored in the blob store and served under `/v1/embed/uploads/`.
struct ImageUpload {
    let services: AppServices
    static let maxUploadBytes = 10 * 1024 * 1024

    /// Stores one uploaded image (PNG, JPEG, WebP or GIF, decided by its bytes) and returns its URL.
    func store(_ request: Request, _ verified: VerifiedSession) async throws -> String {
        let boundary: String
        do {
            boundary = try Multipart.boundary(fromContentType: request.headers[.contentType])
        } catch {
            throw AppError(status: 400, code: "invalid_multipart", message: "Send multipart/form-data with a file field.")
        }
        // The file plus room for the multipart framing.
        let body = try await JSONBody.collect(request, limit: Self.maxUploadBytes + 64 * 1024, tooLarge: Self.tooLarge())
        let parts: [Multipart.Part]
        do {
            parts = try Multipart.parts(of: body, boundary: boundary)
        } catch {
            throw AppError(status: 400, code: "invalid_multipart", message: "The multipart body could not be read.")
        }
        guard let file = parts.first(where: { $0.name == "file" }), !file.body.isEmpty else {
            throw AppError(status: 400, code: "missing_file", message: "The multipart body has no file field.")
        }
        guard file.body.count <= Self.maxUploadBytes else { throw Self.tooLarge() }
        // The bytes decide the type; a declared type that disagrees (or SVG, which can carry script) is refused.
        guard let type = ImageKind.sniff(file.body), file.contentType.map(type.accepts) ?? true else {
            throw AppError(status: 415, code: "invalid_type", message: "Upload a PNG, JPEG, WebP or GIF image.")
        }
        let session = verified.session
        // 128 random bits: the URL is the only thing guarding an upload (image fetchers carry no token),
        // so its name must not be guessable from time the way a UUIDv7 partly is.
        let name = "\(Hex.encode(SecureRandom.bytes(16))).\(type.fileExtension)"
        let key = "embed-uploads/\(session.projectID)/\(session.id)/\(name)"
        let cap = verified.limits.maxUploadsBytes
        guard
            try await services.sessions.recordUpload(session: session, blobKey: key, contentType: type.mime, bytes: file.body.count, limit: cap)
        else {
            throw AppError(status: 413, code: "file_too_large", message: "This session's uploads would exceed its limit of \(cap) bytes.")
        }
        try await services.blobs.put(file.body, key: key)
        return "\(services.config.publicURL)\(PublicPageRoutes.uploadPrefix)\(session.projectID)/\(session.id)/\(name)"
    }

    static func tooLarge() -> AppError {
        AppError(status: 413, code: "file_too_large", message: "Images are limited to \(maxUploadBytes / 1_048_576) MB.")
    }
}

extension ImageKind {
    /// Whether a declared content type agrees with the bytes.
    func accepts(_ declared: String) -> Bool {
        let base = declared.split(separator: ";").first.map { $0.trimmingCharacters(in: .whitespaces) } ?? declared
        return base == mime || (self == .jpeg && base == "image/jpg") || base == "application/octet-stream"
    }
}
