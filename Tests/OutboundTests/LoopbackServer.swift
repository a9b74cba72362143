import Foundation
import NIOConcurrencyHelpers
import NIOCore
import NIOPosix
import Testing

/// A raw HTTP/1.1 server on 127.0.0.1 (the machine has no other network): reads each request's head
/// (and its Content-Length body, so closing never resets the connection under the client), counts it,
/// and lets the test write whatever bytes it wants back, malformed or endless included.
final class LoopbackServer: Sendable {
    typealias Writer = NIOAsyncChannelOutboundWriter<ByteBuffer>
    typealias Respond = @Sendable (_ head: String, _ writer: Writer) async throws -> Void

    /// Connections accepted, requests read, and their heads.
    let connections = NIOLockedValueBox(0)
    let requests = NIOLockedValueBox(0)
    let heads = NIOLockedValueBox<[String]>([])
    /// Every byte received, HTTP or not (a TLS ClientHello, say).
    let bytes = NIOLockedValueBox<[UInt8]>([])

    /// Starts a server, runs `body` with its port, and stops it.
    static func run<T: Sendable>(
        respond: @escaping Respond, _ body: @Sendable (_ port: Int, _ server: LoopbackServer) async throws -> T
    )
        async throws -> T
    {
        let server = LoopbackServer()
        let listener = try await ServerBootstrap(group: MultiThreadedEventLoopGroup.singleton)
            .serverChannelOption(.socketOption(.so_reuseaddr), value: 1)
            .bind(host: "127.0.0.1", port: 0) { channel in
                channel.eventLoop.makeCompletedFuture { try NIOAsyncChannel<ByteBuffer, ByteBuffer>(wrappingChannelSynchronously: channel) }
            }
        let port = try #require(listener.channel.localAddress?.port)
        return try await withThrowingTaskGroup(of: Void.self) { group in
            group.addTask {
                try await listener.executeThenClose { inbound in
                    try await withThrowingDiscardingTaskGroup { connections in
                        for try await connection in inbound {
                            server.connections.withLockedValue { $0 += 1 }
                            connections.addTask { try? await server.serve(connection, respond: respond) }
                        }
                    }
                }
            }
            do {
                let result = try await body(port, server)
                group.cancelAll()
                return result
            } catch {
                group.cancelAll()
                throw error
            }
        }
    }

    private func serve(_ connection: NIOAsyncChannel<ByteBuffer, ByteBuffer>, respond: Respond) async throws {
        try await connection.executeThenClose { inbound, outbound in
            var received = ByteBuffer()
            for try await var chunk in inbound {
                self.bytes.withLockedValue { $0 += Array(chunk.readableBytesView) }
                received.writeBuffer(&chunk)
                let bytes = Array(received.readableBytesView)
                guard let end = bytes.indices.dropLast(3).first(where: { bytes[$0..<$0 + 4] == [13, 10, 13, 10] }) else { continue }
                let head = String(decoding: bytes[..<end], as: UTF8.self)
                let length =
                    head.split(separator: "\r\n").first { $0.lowercased().hasPrefix("content-length:") }
                    .flatMap { Int($0.split(separator: ":")[1].trimmingCharacters(in: .whitespaces)) } ?? 0
                guard bytes.count >= end + 4 + length else { continue }
                requests.withLockedValue { $0 += 1 }
                heads.withLockedValue { $0.append(head) }
                try await respond(head, outbound)
                return
            }
        }
    }

    /// A port nothing listens on: bound, then closed.
    static func closedPort() async throws -> Int {
        let channel = try await ServerBootstrap(group: MultiThreadedEventLoopGroup.singleton).bind(host: "127.0.0.1", port: 0).get()
        let port = try #require(channel.localAddress?.port)
        try await channel.close()
        return port
    }
}

extension LoopbackServer.Writer {
    /// Writes a response head (and optional body bytes) as raw text.
    func send(_ head: String, body: [UInt8] = []) async throws {
        var buffer = ByteBuffer(string: head.replacingOccurrences(of: "\n", with: "\r\n") + "\r\n\r\n")
        buffer.writeBytes(body)
        try await write(buffer)
    }
}

/// A 1×1 PNG.
let png = [UInt8](
    Data(base64Encoded: "iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mNk+M9QDwADhgGAWjR9awAAAABJRU5ErkJggg==")!)
