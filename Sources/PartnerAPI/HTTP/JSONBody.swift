import Core
import Foundation
import Hummingbird
import NIOCore

/// Reading JSON request bodies and writing JSON responses.
enum JSONBody {
    /// Collects the body up to `limit` bytes and parses it. Over the limit → 413 `payload_too_large`;
    /// empty or not JSON → 400 `invalid_json`.
    static func read(_ request: Request, limit: Int) async throws -> JSONValue {
        let body = try await collect(request, limit: limit)
        guard !body.isEmpty else { throw AppError.invalidJSON("The request body is empty; send a JSON object.") }
        return try JSONValue.parse(body)
    }

    /// Like `read`, for an optional body: nil when the request has none.
    static func readOptional(_ request: Request, limit: Int) async throws -> JSONValue? {
        let body = try await collect(request, limit: limit)
        return body.isEmpty ? nil : try JSONValue.parse(body)
    }

    /// The raw body, refused with `tooLarge` (default 413 `payload_too_large`) past `limit` bytes — by
    /// its Content-Length before reading, or while reading when it has none.
    static func collect(_ request: Request, limit: Int, tooLarge: AppError? = nil) async throws -> Data {
        let refusal = tooLarge ?? .payloadTooLarge(limit: limit)
        if let length = request.headers[.contentLength].flatMap(Int.init), length > limit { throw refusal }
        do {
            return Data(try await request.body.collect(upTo: limit).readableBytesView)
        } catch let error as HTTPError where error.status == .contentTooLarge {
            throw refusal
        }
    }

    static let encoder: JSONEncoder = {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
        return encoder
    }()

    static func response(status: HTTPResponse.Status, _ value: some Encodable) -> Response {
        let data =
            (value as? JSONValue)?.serialized ?? (try? encoder.encode(value))
            ?? Data(#"{"error":{"code":"internal","message":"encoding failed"}}"#.utf8)
        return Response(
            status: status,
            headers: [.contentType: "application/json; charset=utf-8"],
            body: .init(byteBuffer: ByteBuffer(bytes: data))
        )
    }
}
