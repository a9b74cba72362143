import Core
import Foundation
import NIOConcurrencyHelpers
import NIOCore
import Render
import Testing

@testable import Outbound

/// Answers a public address to the first lookup and loopback to every later one: what a rebinding
/// attacker's DNS server does between a check and a connect.
final class RebindingResolver: HostResolver {
    let calls = NIOLockedValueBox(0)

    func addresses(of host: String) async throws -> [IPAddress] {
        let call = calls.withLockedValue { count in
            count += 1
            return count
        }
        return [IPAddress(call == 1 ? "203.0.113.7" : "127.0.0.1")!]
    }
}

/// Always the same address, whatever the name.
struct FixedResolver: HostResolver {
    let address: String

    func addresses(of host: String) async throws -> [IPAddress] { [IPAddress(address)!] }
}

/// The guard with one exemption, 127.0.0.1, so a loopback server can play the public first hop while
/// every other internal address stays refused.
func guardExemptingLoopback(_ configuration: PinnedHTTPClient.Configuration) -> PinnedHTTPClient.Configuration {
    var configuration = configuration
    configuration.isAllowed = { $0 == IPAddress("127.0.0.1") || !FetchGuard.isBlocked($0) }
    return configuration
}

func imageLoader(_ configuration: PinnedHTTPClient.Configuration, resolver: any HostResolver = SystemHostResolver()) -> HTTPImageLoader {
    HTTPImageLoader(client: PinnedHTTPClient(configuration: configuration, resolver: resolver), limiter: AsyncLimiter(limit: 16))
}

/// The failure a request ends with, or nil when it succeeded.
func failure(_ request: () async throws -> some Any) async -> (any Error)? {
    do {
        _ = try await request()
        return nil
    } catch {
        return error
    }
}

let servePNG: LoopbackServer.Respond = { _, writer in
    try await writer.send("HTTP/1.1 200 OK\nContent-Type: image/png\nContent-Length: \(png.count)", body: png)
}

@Suite("Pinned outbound HTTP")
struct PinnedHTTPClientTests {
    @Test("an image is fetched from a loopback server when private targets are allowed, with its own Host header")
    func fetchesImage() async throws {
        try await LoopbackServer.run(respond: servePNG) { port, server in
            let loader = imageLoader(.init(allowPrivate: true, connectTimeout: .seconds(60), requestTimeout: .seconds(120), maxRedirects: 3))
            let data = try await loader.load(.url("http://127.0.0.1:\(port)/logo.png?size=2"))
            #expect([UInt8](data) == png)
            let head = try #require(server.heads.withLockedValue { $0.first })
            #expect(head.hasPrefix("GET /logo.png?size=2 HTTP/1.1"))
            #expect(head.contains("Host: 127.0.0.1:\(port)"))
        }
    }

    @Test("a body streamed past the cap without a Content-Length is cut off and the connection closed")
    func bodyCap() async throws {
        let serverGaveUp = NIOLockedValueBox(false)
        let respond: LoopbackServer.Respond = { _, writer in
            do {
                try await writer.send("HTTP/1.1 200 OK\nContent-Type: image/png\nConnection: close", body: png)
                // 64 MB, far more than the cap: finishing means the client read on past it.
                let chunk = [UInt8](repeating: 7, count: 64 * 1024)
                for _ in 0..<1024 { try await writer.write(ByteBuffer(bytes: chunk)) }
            } catch {
                serverGaveUp.withLockedValue { $0 = true }
            }
        }
        try await LoopbackServer.run(respond: respond) { port, _ in
            let client = PinnedHTTPClient(
                configuration: .init(allowPrivate: true, connectTimeout: .seconds(60), requestTimeout: .seconds(120), maxBodyBytes: 256 * 1024))
            let error = await failure { try await client.send(method: .GET, url: URL(string: "http://127.0.0.1:\(port)/big.png")!) }
            #expect(error as? OutboundFailure == .responseTooLarge(limit: 256 * 1024))
            for _ in 0..<3000 where !serverGaveUp.withLockedValue({ $0 }) { try await Task.sleep(for: .milliseconds(10)) }
            #expect(serverGaveUp.withLockedValue { $0 }, "the client kept the connection open")

            let loaderError = await failure {
                try await imageLoader(
                    .init(allowPrivate: true, connectTimeout: .seconds(60), requestTimeout: .seconds(120), maxBodyBytes: 256 * 1024)
                )
                .load(.url("http://127.0.0.1:\(port)/big.png"))
            }
            #expect(loaderError as? RenderError == .imageUnavailable(source: "http://127.0.0.1:\(port)/big.png", reason: "image could not be loaded"))
        }
    }

    @Test("a Content-Length over the cap is refused from the head, before any body arrives")
    func announcedLength() async throws {
        let respond: LoopbackServer.Respond = { _, writer in
            try await writer.send("HTTP/1.1 200 OK\nContent-Type: image/png\nContent-Length: 50000000")
            // No body ever comes: only a refusal from the head ends the request before the deadline (which
            // would read as timedOut, not responseTooLarge).
            try await Task.sleep(for: .seconds(120))
        }
        try await LoopbackServer.run(respond: respond) { port, _ in
            let client = PinnedHTTPClient(configuration: .init(allowPrivate: true, requestTimeout: .seconds(60), maxBodyBytes: 1024 * 1024))
            let error = await failure { try await client.send(method: .GET, url: URL(string: "http://127.0.0.1:\(port)/huge.png")!) }
            #expect(error as? OutboundFailure == .responseTooLarge(limit: 1024 * 1024))
        }
    }

    @Test(
        "a redirect to an internal address is refused when private targets are not allowed",
        arguments: ["http://169.254.169.254/latest/meta-data", "http://10.0.0.1/logo.png", "http://[::1]/logo.png", "http://127.0.0.2/logo.png"]
    )
    func redirectToInternal(location: String) async throws {
        let respond: LoopbackServer.Respond = { _, writer in try await writer.send("HTTP/1.1 302 Found\nLocation: \(location)\nContent-Length: 0") }
        try await LoopbackServer.run(respond: respond) { port, server in
            // The deadline is not what is tested: generous, so a loaded machine (the whole suite runs in
            // parallel on 2 cores) cannot turn the refusal into a timeout.
            let configuration = guardExemptingLoopback(.init(allowPrivate: false, requestTimeout: .seconds(15), maxRedirects: 3))
            let client = PinnedHTTPClient(configuration: configuration)
            let error = await failure { try await client.send(method: .GET, url: URL(string: "http://127.0.0.1:\(port)/logo.png")!) }
            guard case .blockedAddress = error as? OutboundFailure else {
                Issue.record("expected a refused address, got \(String(describing: error))")
                return
            }
            #expect(server.requests.withLockedValue { $0 } == 1)
            let loaderError = await failure { try await imageLoader(configuration).load(.url("http://127.0.0.1:\(port)/logo.png")) }
            #expect(
                loaderError as? RenderError == .imageUnavailable(source: "http://127.0.0.1:\(port)/logo.png", reason: "image could not be loaded"))
        }
    }

    @Test("image redirects are followed three times at most")
    func redirectLimit() async throws {
        let respond: LoopbackServer.Respond = { head, writer in
            let hop = Int(head.split(separator: " ")[1].dropFirst()) ?? 0
            if hop == 2 {
                try await servePNG(head, writer)
            } else {
                try await writer.send("HTTP/1.1 302 Found\nLocation: /\(hop + 1)\nContent-Length: 0")
            }
        }
        try await LoopbackServer.run(respond: respond) { port, server in
            let loader = imageLoader(.init(allowPrivate: true, connectTimeout: .seconds(60), requestTimeout: .seconds(120), maxRedirects: 3))
            let data = try await loader.load(.url("http://127.0.0.1:\(port)/0"))
            #expect([UInt8](data) == png)
            #expect(server.requests.withLockedValue { $0 } == 3)
        }
        let endless: LoopbackServer.Respond = { _, writer in
            try await writer.send("HTTP/1.1 307 Temporary Redirect\nLocation: /again\nContent-Length: 0")
        }
        try await LoopbackServer.run(respond: endless) { port, server in
            let client = PinnedHTTPClient(
                configuration: .init(allowPrivate: true, connectTimeout: .seconds(60), requestTimeout: .seconds(120), maxRedirects: 3))
            let error = await failure { try await client.send(method: .GET, url: URL(string: "http://127.0.0.1:\(port)/start")!) }
            #expect(error as? OutboundFailure == .tooManyRedirects)
            #expect(server.requests.withLockedValue { $0 } == 4)
        }
    }

    @Test("a host that rebinds to loopback after the check is never reached: the checked address is the one connected to")
    func rebinding() async throws {
        try await LoopbackServer.run(respond: servePNG) { port, server in
            let resolver = RebindingResolver()
            let configuration = PinnedHTTPClient.Configuration(
                allowPrivate: false, connectTimeout: .milliseconds(300), requestTimeout: .seconds(2), maxRedirects: 3)
            let client = PinnedHTTPClient(configuration: configuration, resolver: resolver)
            let error = await failure { try await client.send(method: .GET, url: URL(string: "http://rebind.test:\(port)/logo.png")!) }
            // It got past the guard (203.0.113.7 is public) and failed connecting to that address.
            switch error as? OutboundFailure {
            case .connectFailed?, .timedOut?: break
            default: Issue.record("expected a failed connect to the checked address, got \(String(describing: error))")
            }
            #expect(resolver.calls.withLockedValue { $0 } == 1)
            #expect(server.connections.withLockedValue { $0 } == 0)
            #expect(server.requests.withLockedValue { $0 } == 0)

            let loaderError = await failure {
                try await imageLoader(configuration, resolver: resolver).load(.url("http://rebind.test:\(port)/logo.png"))
            }
            #expect(
                loaderError as? RenderError == .imageUnavailable(source: "http://rebind.test:\(port)/logo.png", reason: "image could not be loaded"))
            #expect(resolver.calls.withLockedValue { $0 } == 2)
            #expect(server.connections.withLockedValue { $0 } == 0)
        }
    }

    @Test("https connects to the pinned address but names the original host in the TLS handshake (SNI)")
    func tlsServerName() async throws {
        let silent: LoopbackServer.Respond = { _, _ in }
        try await LoopbackServer.run(respond: silent) { port, server in
            // Generous: loading the system trust roots for the TLS context can take a while on a busy machine.
            let configuration = PinnedHTTPClient.Configuration(allowPrivate: true, connectTimeout: .seconds(20), requestTimeout: .seconds(20))
            let client = PinnedHTTPClient(configuration: configuration, resolver: FixedResolver(address: "127.0.0.1"))
            let error = await failure { try await client.send(method: .GET, url: URL(string: "https://images.test:\(port)/logo.png")!) }
            #expect(error is OutboundFailure)
            // The ClientHello is in clear: the server name it carries is the URL's, not the address.
            #expect(String(decoding: server.bytes.withLockedValue { $0 }, as: UTF8.self).contains("images.test"))
            #expect(server.requests.withLockedValue { $0 } == 0)
        }
    }

    @Test("a refused address, a closed port and a timeout read the same to the caller, for images and webhooks")
    func genericErrors() async throws {
        let silent: LoopbackServer.Respond = { _, _ in try await Task.sleep(for: .seconds(30)) }
        let closed = try await LoopbackServer.closedPort()
        try await LoopbackServer.run(respond: silent) { port, _ in
            let strict = PinnedHTTPClient.Configuration(allowPrivate: false, requestTimeout: .milliseconds(500))
            let open = PinnedHTTPClient.Configuration(allowPrivate: true, requestTimeout: .milliseconds(500))
            let cases: [(PinnedHTTPClient.Configuration, String)] = [
                (strict, "http://127.0.0.1:\(port)/logo.png"),  // refused address
                (open, "http://127.0.0.1:\(closed)/logo.png"),  // nothing listening
                (open, "http://127.0.0.1:\(port)/logo.png"),  // never answers
            ]
            var imageReasons: [String] = []
            var webhookTexts: [String] = []
            for (configuration, url) in cases {
                let imageError = await failure { try await imageLoader(configuration).load(.url(url)) }
                if case .imageUnavailable(let source, let reason)? = imageError as? RenderError {
                    #expect(source == url)
                    imageReasons.append(reason)
                } else {
                    Issue.record("expected imageUnavailable, got \(String(describing: imageError))")
                }
                var webhookConfiguration = configuration
                webhookConfiguration.readsBody = false
                let transport = HTTPWebhookTransport(client: PinnedHTTPClient(configuration: webhookConfiguration), limiter: AsyncLimiter(limit: 4))
                let webhookError = await failure { try await transport.post(url: url, headers: [:], body: Data("{}".utf8)) }
                #expect(webhookError is WebhookDeliveryFailed)
                webhookTexts.append(webhookError.map { String(describing: $0) } ?? "no error")
            }
            #expect(imageReasons == Array(repeating: "image could not be loaded", count: 3))
            #expect(webhookTexts == Array(repeating: "the endpoint could not be reached", count: 3))
        }
    }

    @Test("a webhook delivery returns a redirect's status instead of following it")
    func webhookRedirect() async throws {
        let respond: LoopbackServer.Respond = { _, writer in try await writer.send("HTTP/1.1 302 Found\nLocation: /elsewhere\nContent-Length: 0") }
        try await LoopbackServer.run(respond: respond) { port, server in
            let transport = HTTPWebhookTransport(allowPrivate: true)
            let status = try await transport.post(
                url: "http://127.0.0.1:\(port)/hook", headers: ["x-craftkit-event": "render.completed"], body: Data("{}".utf8))
            #expect(status == 302)
            #expect(server.requests.withLockedValue { $0 } == 1)
            let head = try #require(server.heads.withLockedValue { $0.first })
            #expect(head.hasPrefix("POST /hook HTTP/1.1"))
            #expect(head.lowercased().contains("x-craftkit-event: render.completed"))
            #expect(head.lowercased().contains("content-length: 2"))
        }
    }

    @Test("concurrent image fetches never open more sockets than the limiter allows")
    func concurrencyBound() async throws {
        // Counted between reading a request and answering it: the client holds its slot until the
        // answer arrives, so this is exactly the number of fetches in flight.
        let inFlight = NIOLockedValueBox(0)
        let mostInFlight = NIOLockedValueBox(0)
        let slow: LoopbackServer.Respond = { head, writer in
            let now = inFlight.withLockedValue { count in
                count += 1
                return count
            }
            mostInFlight.withLockedValue { $0 = max($0, now) }
            try await Task.sleep(for: .milliseconds(150))
            inFlight.withLockedValue { $0 -= 1 }
            try await servePNG(head, writer)
        }
        try await LoopbackServer.run(respond: slow) { port, server in
            // The deadlines are not what is tested: generous, so a loaded machine (the whole suite runs in
            // parallel on 2 cores; CI once saw a fetch wait past the default 5 s) cannot fail it.
            let configuration = PinnedHTTPClient.Configuration(allowPrivate: true, connectTimeout: .seconds(60), requestTimeout: .seconds(120))
            let loader = HTTPImageLoader(client: PinnedHTTPClient(configuration: configuration), limiter: AsyncLimiter(limit: 2))
            let loaded = try await withThrowingTaskGroup(of: Int.self) { group in
                for index in 0..<6 { group.addTask { try await loader.load(.url("http://127.0.0.1:\(port)/\(index).png")).count } }
                return try await group.reduce(0) { $0 + ($1 > 0 ? 1 : 0) }
            }
            #expect(loaded == 6)
            #expect(mostInFlight.withLockedValue { $0 } == 2)
            #expect(server.requests.withLockedValue { $0 } == 6)
        }
    }
}
