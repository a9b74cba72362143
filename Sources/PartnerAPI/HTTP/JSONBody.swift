import Core
import Foundation
import Hummingbird
import NIOCore

/// Reading JSON request bodies and writing JSON responses.
enum JSONBody {
    /// Collects the body up to `limit` bytes and parses it. Over the limit → 413 `payload_too_large`;
    /// empty or not JSON → 400 `invalid_json`.
    static func read(_ request: Request, limit: Int) async throws -> JSONValue {
        if let length = request.headers[.contentLength].flatMap(Int.init), length > limit {
            throw AppError.payloadTooLarge(limit: limit)
        }
        let buffer: ByteBuffer
        do {
            buffer = try await request.body.collect(upTo: limit)
        } catch let error as HTTPError where error.status == .contentTooLarge {
            throw AppError.payloadTooLarge(limit: limit)
        }
        guard buffer.readableBytes > 0 else { throw AppError.invalidJSON("The request body is empty; send a JSON object.") }
        return try JSONValue.parse(Data(buffer.readableBytesView))
    }

    static let encoder: JSONEncoder = {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
        return encoder
    }()

    static func response(status: HTTPResponse.Status, _ value: some Encodable) -> Response {
        let data = (try? encoder.encode(value)) ?? Data(#"{"error":{"code":"internal_error","message":"encoding failed"}}"#.utf8)
        return Response(
            status: status,
            headers: [.contentType: "application/json; charset=utf-8"],
            body: .init(byteBuffer: ByteBuffer(bytes: data))
        )
    }
}
