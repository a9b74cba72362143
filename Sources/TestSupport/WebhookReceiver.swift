import Foundation
import Hummingbird
import Logging
import NIOCore
import Synchronization

/// A real HTTP receiver on a loopback port for webhook tests: answers 500 to the first `failures`
/// requests, then 200, and records every request. `POST /emails` stands in for Resend's API (a JSON
/// `{"id"}` answer for a bearer-authenticated JSON request, 401/422 otherwise), with the same URL base
/// minus `/hook`.
public final class WebhookReceiver: Sendable {
    public struct Received: Sendable {
        public let headers: [String: String]
        public let body: Data
        public let status: Int
    }

    let failures: Int
    public let received = Mutex<[Received]>([])

    public init(failures: Int) { self.failures = failures }

    /// Starts the receiver, runs `body` with its URL, and stops it.
    public func run<T: Sendable>(_ body: @Sendable (String) async throws -> T) async throws -> T {
        let router = Router()
        router.post("/hook") { request, _ -> Response in
            let bytes = try await request.body.collect(upTo: 1 << 20)
            var headers: [String: String] = [:]
            for field in request.headers { headers[field.name.canonicalName] = field.value }
            let status = self.received.withLock { list -> Int in
                let status = list.count < self.failures ? 500 : 200
                list.append(Received(headers: headers, body: Data(bytes.readableBytesView), status: status))
                return status
            }
            return Response(status: .init(code: status))
        }
        router.post("/emails") { request, _ -> Response in
            let bytes = try await request.body.collect(upTo: 1 << 20)
            var headers: [String: String] = [:]
            for field in request.headers { headers[field.name.canonicalName] = field.value }
            let authorized = headers["authorization"]?.hasPrefix("Bearer re_") == true
            let isJSON = headers["content-type"]?.hasPrefix("application/json") == true
            let count = self.received.withLock { list -> Int in
                list.append(Received(headers: headers, body: Data(bytes.readableBytesView), status: authorized && isJSON ? 200 : 401))
                return list.count
            }
            guard authorized else {
                return Response(
                    status: .unauthorized,
                    body: .init(byteBuffer: ByteBuffer(string: #"{"statusCode":401,"name":"missing_api_key","message":"Missing API key"}"#)))
            }
            guard isJSON else { return Response(status: .unprocessableContent) }
            return Response(
                status: .ok, headers: [.contentType: "application/json"],
                body: .init(byteBuffer: ByteBuffer(string: #"{"id":"re_local_\#(count)"}"#)))
        }
        let port = Mutex<Int?>(nil)
        var logger = Logger(label: "receiver")
        logger.logLevel = .critical
        let app = Application(
            router: router, configuration: .init(address: .hostname("127.0.0.1", port: 0)),
            onServerRunning: { channel in port.withLock { $0 = channel.localAddress?.port } }, logger: logger
        )
        return try await withThrowingTaskGroup(of: T?.self) { group in
            group.addTask {
                try await app.run()
                return nil
            }
            while port.withLock({ $0 }) == nil { try await Task.sleep(for: .milliseconds(10)) }
            let url = "http://127.0.0.1:\(port.withLock { $0 }!)/hook"
            let result = try await body(url)
            group.cancelAll()
            return result
        }
    }
}
