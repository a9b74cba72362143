import Core
import Foundation
import HTTPTypes
import Hummingbird
import NIOCore
import Signatures

/// The signing page's JSON endpoints (docs/signatures.md#the-signing-pages-endpoints): the token in the path is the
/// recipient's only credential. It is never logged (the access log has the route pattern), never sent
/// on (`Referrer-Policy: no-referrer`); an unknown token is 404 and a token of a request that ended is
/// 410 `gone` on every route.
struct SignPageRoutes {
    let services: AppServices

    struct RequestPart: Encodable {
        let id: String
        let name: String
        let status: String
        let expiresAt: Timestamp
    }

    struct RecipientPart: Encodable {
        let index: Int
        let firstName: String
        @Nullable var lastName: String?
        let email: String
        let designation: String
        let status: String
        let canSign: Bool
    }

    struct PagePart: Encodable {
        let width: Double
        let height: Double
    }

    struct DocumentPart: Encodable {
        let pageCount: Int
        let pages: [PagePart]
    }

    struct FieldPart: Encodable {
        let index: Int
        let page: Int
        let x: Double
        let y: Double
        let width: Double
        let height: Double
        let type: String
        let required: Bool
    }

    struct ConsentPart: Encodable {
        let text: String
        let version: String
    }

    struct SigningBody: Encodable {
        let request: RequestPart
        let recipient: RecipientPart
        let document: DocumentPart
        let fields: [FieldPart]
        let consent: ConsentPart
    }

    struct StatusBody: Encodable {
        let status: String
    }

    func register(on router: Router<AppRequestContext>, routes: RouteTable) {
        routes.add(router, .get, "/sign/:token/request") { request, context in
            let (detail, index) = try await open(context)
            let viewed = try await services.signatures.recordView(
                requestID: detail.request.id, recipient: index, client: client(request, context), now: Date().epochMillis)
            return respond(.ok, Self.body(viewed, recipient: index))
        }
        routes.add(router, .get, "/sign/:token/pages/:page") { _, context in
            let (detail, _) = try await open(context)
            let render = try await services.renders.get(projectID: detail.request.projectID, id: detail.request.renderID)
            guard let number = context.parameters.get("page").flatMap(Int.init), number >= 1, number <= (render.pageCount ?? 0) else {
                throw AppError.notFound("not_found", "No such page.")
            }
            let png = try await SharePages(services: services).image(
                of: render, page: number, dpi: SharePageRoutes.pageDPI, batch: SharePageRoutes.pageBatch)
            var headers = SharePageRoutes.privateHeaders
            headers[.contentType] = "image/png"
            headers[.cacheControl] = "private, max-age=300"
            return Response(status: .ok, headers: headers, body: .init(byteBuffer: ByteBuffer(bytes: png)))
        }
        routes.add(router, .post, "/sign/:token/sign") { request, context in
            // The body is checked first: a malformed one is 400 whatever the token's state.
            let input = try SignInput(json: try await JSONBody.read(request, limit: services.config.maxBodyBytes))
            let (detail, index) = try await open(context)
            let signed = try await services.signatures.sign(
                requestID: detail.request.id, recipient: index, input: input, client: client(request, context), now: Date().epochMillis)
            services.signatureSignal.notify()
            services.webhookSignal.notify()
            return respond(.ok, StatusBody(status: signed.recipients[index].status.rawValue))
        }
        routes.add(router, .post, "/sign/:token/decline") { request, context in
            let input = try ReasonInput(json: try await JSONBody.readOptional(request, limit: 16 * 1024))
            let (detail, index) = try await open(context)
            let declined = try await services.signatures.decline(
                requestID: detail.request.id, recipient: index, reason: input.reason, client: client(request, context), now: Date().epochMillis)
            services.webhookSignal.notify()
            return respond(.ok, StatusBody(status: declined.recipients[index].status.rawValue))
        }
    }

    /// The open request and the recipient the token names; 404 unknown, 410 ended.
    func open(_ context: AppRequestContext) async throws -> (SignatureRequestDetail, Int) {
        switch try await services.signatures.access(token: context.parameters.get("token") ?? "", now: Date().epochMillis) {
        case .open(let detail, let recipient): return (detail, recipient)
        case .ended(let detail, _):
            throw AppError(status: 410, code: "gone", message: "This signature request has ended (\(detail.request.status.rawValue)).")
        case .unknown: throw AppError.notFound("not_found", "This signing link is not valid.")
        }
    }

    func client(_ request: Request, _ context: AppRequestContext) -> SignatureService.ClientFacts {
        SignatureService.ClientFacts(ipHash: services.viewerHash(context.clientAddress), userAgent: request.headers[.userAgent])
    }

    func respond(_ status: HTTPResponse.Status, _ value: some Encodable) -> Response {
        var response = JSONBody.response(status: status, value)
        for field in SharePageRoutes.privateHeaders { response.headers[field.name] = field.value }
        return response
    }

    static func body(_ detail: SignatureRequestDetail, recipient index: Int) -> SigningBody {
        let request = detail.request
        let recipient = detail.recipients[index]
        return SigningBody(
            request: RequestPart(id: request.id, name: request.name, status: request.status.rawValue, expiresAt: Timestamp(request.expiresAt)),
            recipient: RecipientPart(
                index: index, firstName: recipient.firstName, lastName: recipient.lastName, email: recipient.email,
                designation: recipient.designation, status: recipient.status.rawValue, canSign: detail.canSign(recipient)),
            document: DocumentPart(pageCount: request.pageSizes.count, pages: request.pageSizes.map { PagePart(width: $0.width, height: $0.height) }),
            fields: detail.fields.filter { $0.recipientIndex == index }.map {
                FieldPart(
                    index: $0.index, page: $0.page, x: $0.x, y: $0.y, width: $0.width, height: $0.height, type: $0.type.rawValue,
                    required: $0.required)
            },
            consent: ConsentPart(text: SignatureService.consentText, version: SignatureService.consentVersion))
    }
}
