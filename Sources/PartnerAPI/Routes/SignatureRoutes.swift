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
            // The invitations go out from this process's signature worker at once (others hear NOTIFY).
            if !created.replay { services.signatureSignal.notify() }
            services.webhookSignal.notify()
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
            services.webhookSignal.notify()
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
            if cursor.utf8.count <= 64, let millis = Self.rfc3339Millis(cursor) {
                before = millis
            } else {
                issues.add("Must be an ISO 8601 date-time (a nextCursor)", at: "cursor")
            }
        }
        if !issues.isEmpty { throw AppError.invalidRequest(issues) }
        return (limit, renderID?.lowercased(), before)
    }

    /// An RFC 3339 date-time (`format: date-time`: any offset up to ±23:59, any fraction, a leap second)
    /// as epoch milliseconds, or nil.
    static func rfc3339Millis(_ text: String) -> Int64? {
        let bytes = Array(text.utf8)
        func number(_ range: Range<Int>) -> Int? {
            guard range.upperBound <= bytes.count, bytes[range].allSatisfy({ $0 >= 0x30 && $0 <= 0x39 }) else { return nil }
            return bytes[range].reduce(0) { $0 * 10 + Int($1 - 0x30) }
        }
        guard bytes.count >= 20, bytes[4] == 0x2D, bytes[7] == 0x2D, [0x54, 0x74, 0x20].contains(bytes[10]), bytes[13] == 0x3A, bytes[16] == 0x3A,
            let year = number(0..<4), let month = number(5..<7), let day = number(8..<10), let hour = number(11..<13),
            let minute = number(14..<16), let second = number(17..<19), (1...12).contains(month), hour < 24, minute < 60, second <= 60
        else { return nil }
        var index = 19
        var fraction = 0.0
        if bytes[index] == 0x2E {
            let start = index + 1
            index = start
            while index < bytes.count, bytes[index] >= 0x30, bytes[index] <= 0x39 { index += 1 }
            guard index > start, let value = Double("0." + String(decoding: bytes[start..<index], as: UTF8.self)) else { return nil }
            fraction = value
        }
        guard index < bytes.count else { return nil }
        var offset = 0
        if bytes[index] == 0x5A || bytes[index] == 0x7A {
            guard index + 1 == bytes.count else { return nil }
        } else {
            guard bytes[index] == 0x2B || bytes[index] == 0x2D, index + 6 == bytes.count, bytes[index + 3] == 0x3A,
                let hours = number((index + 1)..<(index + 3)), let minutes = number((index + 4)..<(index + 6)), hours < 24, minutes < 60
            else { return nil }
            offset = (hours * 60 + minutes) * 60 * (bytes[index] == 0x2D ? -1 : 1)
        }
        var calendar = Calendar(identifier: .gregorian)
        calendar.timeZone = TimeZone(identifier: "UTC")!
        let components = DateComponents(year: year, month: month, day: day, hour: hour, minute: minute, second: 0)
        guard components.isValidDate(in: calendar), let date = calendar.date(from: components) else { return nil }
        let seconds = date.timeIntervalSince1970 + Double(min(second, 59)) + fraction - Double(offset)
        return Int64((seconds * 1000).rounded(.down))
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
