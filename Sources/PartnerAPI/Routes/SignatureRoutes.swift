import Core
import Foundation
import Hummingbird
import NIOCore
import Signatures

/// Signature requests for the project key (docs/signatures.md#the-api, docs/signatures.md): create and send,
/// list, poll, cancel, and the sealed PDF and completion certificate through the authenticated API only.
struct SignatureRoutes {
    let services: AppServices

    struct RecipientBody: Encodable {
        let id: String
        let firstName: String
        var lastName: String?
        let email: String
        let designation: String
        var order: Int?
        let status: String
        var signedAt: Timestamp?
        var declinedAt: Timestamp?
    }

    struct RequestBody: Encodable {
        let id: String
        let renderId: String
        let name: String
        let status: String
        let recipients: [RecipientBody]
        @Nullable var expirationHours: Int?
        @Nullable var signedDownloadUrl: String?
        @Nullable var certificateUrl: String?
        @Nullable var errorMessage: String?
        let createdAt: Timestamp
        @Nullable var completedAt: Timestamp?
    }

    struct ListBody: Encodable {
        let signatures: [RequestBody]
        @Nullable var nextCursor: String?
        let hasMore: Bool
    }

    func register(on group: RouterGroup<AppRequestContext>, routes: RouteTable, prefix: String) {
        routes.add(group, .post, "/signatures", under: prefix) { request, context in
            let project = try context.requireProject()
            let body = try await JSONBody.read(request, limit: 256 * 1024)
            let created = try await SignatureCreation(services: services).create(
                projectID: project.projectID, body: body, idempotencyKey: request.headers[.idempotencyKey])
            return JSONBody.response(status: created.replay ? .ok : .created, Self.body(created.detail, services: services))
        }
        routes.add(group, .get, "/signatures", under: prefix) { request, context in
            let project = try context.requireProject()
            let query = try Self.listQuery(request)
            let page = try await services.signatures.list(
                projectID: project.projectID, renderID: query.renderID, before: query.before, limit: query.limit + 1, now: Date().epochMillis)
            let shown = Array(page.prefix(query.limit))
            let hasMore = page.count > query.limit
            return JSONBody.response(
                status: .ok,
                ListBody(
                    signatures: shown.map { Self.body($0, services: services) },
                    nextCursor: hasMore ? shown.last.map { Date(epochMillis: $0.request.createdAt).iso8601 } : nil, hasMore: hasMore))
        }
        routes.add(group, .get, "/signatures/:id", under: prefix) { _, context in
            let detail = try await find(context)
            return JSONBody.response(status: .ok, Self.body(detail, services: services))
        }
        routes.add(group, .post, "/signatures/:id/cancel", under: prefix) { request, context in
            let project = try context.requireProject()
            let input = try ReasonInput(json: try await JSONBody.readOptional(request, limit: 16 * 1024))
            let detail = try await services.signatures.cancel(
                projectID: project.projectID, id: context.parameters.get("id") ?? "", reason: input.reason, now: Date().epochMillis)
            return JSONBody.response(status: .ok, Self.body(detail, services: services))
        }
        routes.add(group, .get, "/signatures/:id/download", under: prefix) { _, context in
            let detail = try await find(context)
            guard let key = detail.request.signedBlobKey else {
                throw AppError.conflict("conflict", "Signed document is not available yet (status: \(detail.request.status.rawValue)).")
            }
            return try await pdf(key: key, filename: "\(detail.request.id)-signed.pdf")
        }
        routes.add(group, .get, "/signatures/:id/certificate", under: prefix) { _, context in
            let detail = try await find(context)
            guard let key = detail.request.certificateBlobKey else {
                throw AppError.conflict("conflict", "Completion certificate is not available yet (status: \(detail.request.status.rawValue)).")
            }
            return try await pdf(key: key, filename: "\(detail.request.id)-certificate.pdf")
        }
    }

    func find(_ context: AppRequestContext) async throws -> SignatureRequestDetail {
        let project = try context.requireProject()
        return try await services.signatures.get(projectID: project.projectID, id: context.parameters.get("id") ?? "", now: Date().epochMillis)
    }

    func pdf(key: String, filename: String) async throws -> Response {
        guard let bytes = try await services.blobs.get(key: key) else {
            throw AppError(status: 500, code: "internal", message: "The signed document is missing from storage.")
        }
        return Response(
            status: .ok,
            headers: [
                .contentType: "application/pdf", .contentDisposition: "attachment; filename=\"\(filename)\"", .cacheControl: "private, no-store",
            ],
            body: .init(byteBuffer: ByteBuffer(bytes: bytes)))
    }

    /// `limit` 1–100 (default 50), `renderId` a UUID, `cursor` an ISO date-time (rows strictly before it).
    static func listQuery(_ request: Request) throws -> (limit: Int, renderID: String?, before: Int64?) {
        var issues = ValidationIssues()
        let parameters = request.uri.queryParameters
        var limit = 50
        if let text = parameters.get("limit") {
            if let value = Int(text), (1...100).contains(value) { limit = value } else { issues.add("Must be an integer from 1 to 100", at: "limit") }
        }
        let renderID = parameters.get("renderId")
        if let renderID, UUID(uuidString: renderID) == nil { issues.add("Must be a UUID", at: "renderId") }
        var before: Int64?
        if let cursor = parameters.get("cursor") {
            if cursor.utf8.count <= 40, let date = Formats.dateTime(cursor) {
                before = Int64((date.timeIntervalSince1970 * 1000).rounded())
            } else {
                issues.add("Must be an ISO 8601 date-time (a nextCursor)", at: "cursor")
            }
        }
        if !issues.isEmpty { throw AppError.invalidRequest(issues) }
        return (limit, renderID?.lowercased(), before)
    }

    static func body(_ detail: SignatureRequestDetail, services: AppServices) -> RequestBody {
        let request = detail.request
        let base = "\(services.config.publicURL)/v1/signatures/\(request.id)"
        return RequestBody(
            id: request.id, renderId: request.renderID, name: request.name, status: request.status.rawValue,
            recipients: detail.recipients.map { recipient in
                RecipientBody(
                    id: recipient.id, firstName: recipient.firstName, lastName: recipient.lastName, email: recipient.email,
                    designation: recipient.designation, order: recipient.order, status: recipient.status.rawValue,
                    signedAt: recipient.signedAt.timestamp, declinedAt: recipient.declinedAt.timestamp)
            },
            expirationHours: request.expirationHours, signedDownloadUrl: request.signedBlobKey == nil ? nil : "\(base)/download",
            certificateUrl: request.certificateBlobKey == nil ? nil : "\(base)/certificate", errorMessage: request.errorMessage,
            createdAt: Timestamp(request.createdAt), completedAt: request.completedAt.timestamp)
    }
}
