import Dispatch
import Foundation
import NIOConcurrencyHelpers
import NIOCore
import NIOHTTP1
import NIOPosix
import NIOSSL

/// Turns a host name into addresses. Injectable so tests can answer differently on each call (DNS
/// rebinding) without a DNS server.
public protocol HostResolver: Sendable {
    /// Every address `host` resolves to; empty or a thrown error when it does not resolve.
    func addresses(of host: String) async throws -> [IPAddress]
}

/// getaddrinfo on a background thread: it blocks, and must not block an event loop or the
/// cooperative pool. A cancelled caller returns at once; the lookup finishes on its own and is dropped.
public struct SystemHostResolver: HostResolver {
    public init() {}

    public func addresses(of host: String) async throws -> [IPAddress] {
        let answer = OneShot<[IPAddress]>()
        return try await withTaskCancellationHandler {
            try await withCheckedThrowingContinuation { continuation in
                answer.attach(continuation)
                DispatchQueue.global().async { answer.resume(.success(FetchGuard.lookup(host))) }
            }
        } onCancel: {
            answer.resume(.failure(CancellationError()))
        }
    }
}

/// Why an outbound request failed. Detailed on purpose, for logs and tests; the image loader and the
/// webhook transport show their callers one generic message instead, so responses cannot be used to
/// map the internal network (which addresses exist, which ports are open).
public enum OutboundFailure: Error, Sendable, Equatable, CustomStringConvertible {
    case unsupportedURL
    case hostNotFound
    case blockedAddress(String)
    case connectFailed(String)
    case timedOut
    case tlsUnavailable
    case responseTooLarge(limit: Int)
    case connectionClosed
    case tooManyRedirects
    case badRedirect
    case transport(String)

    public var description: String {
        switch self {
        case .unsupportedURL: return "not an http(s) URL with a host"
        case .hostNotFound: return "the host does not resolve"
        case .blockedAddress(let address): return "refused address \(address)"
        case .connectFailed(let why): return "connect failed: \(why)"
        case .timedOut: return "timed out"
        case .tlsUnavailable: return "TLS could not be set up"
        case .responseTooLarge(let limit): return "response larger than \(limit) bytes"
        case .connectionClosed: return "connection closed before a complete response"
        case .tooManyRedirects: return "too many redirects"
        case .badRedirect: return "redirect without a usable http(s) location"
        case .transport(let why): return why
        }
    }
}

/// A minimal HTTP/1.1 client for requests to URLs that tenants choose. It resolves the host once,
/// checks every address, and connects to the checked address itself: a host name that answers a
/// public address to the check and an internal one to the connect (DNS rebinding) cannot redirect the
/// request. TLS still verifies the certificate against the original host name (and sends it as SNI).
/// Every redirect hop is resolved and checked the same way. The body is read up to a cap and the
/// connection closed as soon as it is passed; one deadline bounds the whole request.
public struct PinnedHTTPClient: Sendable {
    public struct Configuration: Sendable {
        /// Addresses that may be connected to; by default everything `FetchGuard` does not block.
        public var isAllowed: @Sendable (IPAddress) -> Bool
        public var connectTimeout: Duration
        /// Bounds the whole request: resolution, connects, TLS, every redirect hop, the response.
        public var requestTimeout: Duration
        public var maxBodyBytes: Int
        /// 0: a 3xx response is returned as it is.
        public var maxRedirects: Int
        /// Whether the body is wanted: when not, the exchange ends (and the socket closes) at the
        /// response head, so a receiver cannot keep us reading.
        public var readsBody: Bool

        public init(
            allowPrivate: Bool, connectTimeout: Duration = .seconds(3), requestTimeout: Duration = .seconds(5),
            maxBodyBytes: Int = 10 * 1024 * 1024, maxRedirects: Int = 0, readsBody: Bool = true
        ) {
            if allowPrivate {
                isAllowed = { _ in true }
            } else {
                isAllowed = { !FetchGuard.isBlocked($0) }
            }
            self.connectTimeout = connectTimeout
            self.requestTimeout = requestTimeout
            self.maxBodyBytes = maxBodyBytes
            self.maxRedirects = maxRedirects
            self.readsBody = readsBody
        }
    }

    public struct Response: Sendable {
        public var status: Int
        public var headers: HTTPHeaders
        public var body: Data
    }

    public let configuration: Configuration
    let resolver: any HostResolver
    let eventLoopGroup: any EventLoopGroup

    public init(
        configuration: Configuration, resolver: any HostResolver = SystemHostResolver(),
        eventLoopGroup: any EventLoopGroup = MultiThreadedEventLoopGroup.singleton
    ) {
        self.configuration = configuration
        self.resolver = resolver
        self.eventLoopGroup = eventLoopGroup
    }

    /// Created on first https use: loading the system trust roots is costly, and one context serves
    /// every connection. Full verification, hostname included.
    private static let tlsContext: NIOSSLContext? = try? NIOSSLContext(configuration: .makeClientConfiguration())

    /// Sends one request, following redirects up to `maxRedirects`. Throws `OutboundFailure` (or
    /// `CancellationError`); any HTTP status is a response.
    public func send(method: HTTPMethod, url: URL, headers: [(String, String)] = [], body: Data? = nil) async throws -> Response {
        let deadline = NIODeadline.now() + TimeAmount(configuration.requestTimeout)
        var current = url
        var method = method
        var body = body
        var hops = 0
        while true {
            let response = try await exchange(method: method, url: current, headers: headers, body: body, deadline: deadline)
            guard configuration.maxRedirects > 0, [301, 302, 303, 307, 308].contains(response.status) else { return response }
            guard hops < configuration.maxRedirects else { throw OutboundFailure.tooManyRedirects }
            hops += 1
            guard let location = response.headers.first(name: "location"), let next = URL(string: location, relativeTo: current)?.absoluteURL
            else { throw OutboundFailure.badRedirect }
            current = next
            if response.status == 303 || ((response.status == 301 || response.status == 302) && method == .POST) {
                method = .GET
                body = nil
            }
        }
    }

    /// One hop: resolve once, check every address, then try them in order.
    private func exchange(
        method: HTTPMethod, url: URL, headers: [(String, String)], body: Data?, deadline: NIODeadline
    ) async throws
        -> Response
    {
        let target = try Target(url)
        let addresses: [IPAddress]
        if let literal = IPAddress(target.host) {
            addresses = [literal]
        } else {
            addresses = try await resolve(target.host, deadline: deadline)
        }
        guard !addresses.isEmpty else { throw OutboundFailure.hostNotFound }
        // One refused address refuses the host: a name mixing public and internal answers is an attack.
        if let refused = addresses.first(where: { !configuration.isAllowed($0) }) { throw OutboundFailure.blockedAddress(refused.description) }
        var failure = OutboundFailure.hostNotFound
        for address in addresses {
            do {
                return try await exchange(method: method, target: target, address: address, headers: headers, body: body, deadline: deadline)
            } catch OutboundFailure.connectFailed(let why) {
                failure = .connectFailed(why)
            }
        }
        throw failure
    }

    private func resolve(_ host: String, deadline: NIODeadline) async throws -> [IPAddress] {
        let resolver = resolver
        let remaining = deadline - NIODeadline.now()
        return try await withThrowingTaskGroup(of: [IPAddress]?.self) { group in
            group.addTask {
                do {
                    return try await resolver.addresses(of: host)
                } catch is CancellationError {
                    throw CancellationError()
                } catch {
                    throw OutboundFailure.hostNotFound
                }
            }
            group.addTask {
                try await Task.sleep(nanoseconds: UInt64(max(0, remaining.nanoseconds)))
                return nil
            }
            defer { group.cancelAll() }
            guard let first = try await group.next(), let addresses = first else { throw OutboundFailure.timedOut }
            return addresses
        }
    }

    /// Connects to `address` (never to the name again), sends the request with the original Host
    /// header, and collects the response.
    private func exchange(
        method: HTTPMethod, target: Target, address: IPAddress, headers: [(String, String)], body: Data?, deadline: NIODeadline
    ) async throws -> Response {
        let remaining = deadline - NIODeadline.now()
        guard remaining > .zero else { throw OutboundFailure.timedOut }
        let sslContext: NIOSSLContext?
        if target.isTLS {
            guard let context = Self.tlsContext else { throw OutboundFailure.tlsUnavailable }
            sslContext = context
        } else {
            sslContext = nil
        }
        // SNI and certificate name: the host the caller named. For an IP literal NIOSSL checks the
        // certificate against the connected address instead.
        let serverName = IPAddress(target.host) == nil ? target.host : nil
        var requestHeaders = HTTPHeaders()
        requestHeaders.add(name: "Host", value: target.hostHeader)
        for (name, value) in headers where !["host", "content-length", "connection", "transfer-encoding"].contains(name.lowercased()) {
            requestHeaders.add(name: name, value: value)
        }
        // One request per connection: nothing is pooled, so no socket outlives its check.
        requestHeaders.add(name: "Connection", value: "close")
        if body != nil || method == .POST || method == .PUT { requestHeaders.add(name: "Content-Length", value: String(body?.count ?? 0)) }
        let head = HTTPRequestHead(version: .http1_1, method: method, uri: target.requestURI, headers: requestHeaders)
        let requestBody = body.map { ByteBuffer(bytes: $0) }
        let maxBytes = configuration.maxBodyBytes
        let readsBody = configuration.readsBody

        let eventLoop = eventLoopGroup.next()
        let promise = eventLoop.makePromise(of: Response.self)
        let bootstrap = ClientBootstrap(group: eventLoop)
            .connectTimeout(TimeAmount(min(configuration.connectTimeout, Duration.nanoseconds(remaining.nanoseconds))))
            .channelInitializer { channel in
                channel.eventLoop.makeCompletedFuture {
                    let pipeline = channel.pipeline.syncOperations
                    if let sslContext { try pipeline.addHandler(NIOSSLClientHandler(context: sslContext, serverHostname: serverName)) }
                    try pipeline.addHTTPClientHandlers()
                    try pipeline.addHandler(
                        ResponseCollector(promise: promise, request: head, requestBody: requestBody, maxBytes: maxBytes, readsBody: readsBody))
                }
            }
        let channel: any Channel
        do {
            let socketAddress = try SocketAddress(packedIPAddress: ByteBuffer(bytes: address.bytes), port: target.port)
            channel = try await bootstrap.connect(to: socketAddress).get()
        } catch {
            promise.fail(error)  // a promise must not be dropped unfulfilled
            throw OutboundFailure.connectFailed("\(address) port \(target.port): \(error)")
        }
        // However the exchange ends (response, cap passed, deadline, cancellation), the socket closes.
        let timer = eventLoop.scheduleTask(deadline: deadline) { promise.fail(OutboundFailure.timedOut) }
        promise.futureResult.whenComplete { _ in
            timer.cancel()
            channel.close(promise: nil)
        }
        return try await withTaskCancellationHandler {
            do {
                return try await promise.futureResult.get()
            } catch let failure as OutboundFailure {
                throw failure
            } catch is CancellationError {
                throw CancellationError()
            } catch {
                throw OutboundFailure.transport(String(describing: error))
            }
        } onCancel: {
            promise.fail(CancellationError())
        }
    }

    /// The parts of a URL a request needs.
    struct Target {
        let isTLS: Bool
        /// Without IPv6 brackets.
        let host: String
        let port: Int
        let hostHeader: String
        let requestURI: String

        init(_ url: URL) throws {
            guard let scheme = url.scheme?.lowercased(), scheme == "http" || scheme == "https" else { throw OutboundFailure.unsupportedURL }
            guard let named = url.host, !named.isEmpty else { throw OutboundFailure.unsupportedURL }
            let host = named.hasPrefix("[") && named.hasSuffix("]") ? String(named.dropFirst().dropLast()) : named
            isTLS = scheme == "https"
            port = url.port ?? (isTLS ? 443 : 80)
            guard (1...65535).contains(port) else { throw OutboundFailure.unsupportedURL }
            self.host = host
            hostHeader = (host.contains(":") ? "[\(host)]" : host) + (url.port.map { ":\($0)" } ?? "")
            let components = URLComponents(url: url, resolvingAgainstBaseURL: true)
            var uri = components?.percentEncodedPath ?? ""
            if uri.isEmpty { uri = "/" }
            if let query = components?.percentEncodedQuery { uri += "?" + query }
            requestURI = uri
        }
    }
}

/// Writes the request once connected and gathers the response, failing as soon as the body passes
/// the cap (or the announced Content-Length does, before any of it is read).
private final class ResponseCollector: ChannelInboundHandler {
    typealias InboundIn = HTTPClientResponsePart
    typealias OutboundOut = HTTPClientRequestPart

    private let promise: EventLoopPromise<PinnedHTTPClient.Response>
    private let request: HTTPRequestHead
    private let requestBody: ByteBuffer?
    private let maxBytes: Int
    private let readsBody: Bool
    private var head: HTTPResponseHead?
    private var body = ByteBuffer()
    private var finished = false

    init(
        promise: EventLoopPromise<PinnedHTTPClient.Response>, request: HTTPRequestHead, requestBody: ByteBuffer?, maxBytes: Int, readsBody: Bool
    ) {
        self.promise = promise
        self.request = request
        self.requestBody = requestBody
        self.maxBytes = maxBytes
        self.readsBody = readsBody
    }

    func channelActive(context: ChannelHandlerContext) {
        // With TLS, NIOSSL holds these writes until the handshake (and its name check) has passed.
        context.write(wrapOutboundOut(.head(request)), promise: nil)
        if let requestBody { context.write(wrapOutboundOut(.body(.byteBuffer(requestBody))), promise: nil) }
        context.writeAndFlush(wrapOutboundOut(.end(nil)), promise: nil)
        context.fireChannelActive()
    }

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        guard !finished else { return }
        switch unwrapInboundIn(data) {
        case .head(let responseHead):
            if readsBody, let announced = responseHead.headers.first(name: "content-length").flatMap(Int.init), announced > maxBytes {
                return finish(.failure(OutboundFailure.responseTooLarge(limit: maxBytes)))
            }
            head = responseHead
            if !readsBody { finish(.success(.init(status: Int(responseHead.status.code), headers: responseHead.headers, body: Data()))) }
        case .body(var part):
            guard body.readableBytes + part.readableBytes <= maxBytes else {
                return finish(.failure(OutboundFailure.responseTooLarge(limit: maxBytes)))
            }
            body.writeBuffer(&part)
        case .end:
            guard let head else { return finish(.failure(OutboundFailure.connectionClosed)) }
            finish(.success(.init(status: Int(head.status.code), headers: head.headers, body: Data(body.readableBytesView))))
        }
    }

    func channelInactive(context: ChannelHandlerContext) {
        finish(.failure(OutboundFailure.connectionClosed))
        context.fireChannelInactive()
    }

    func errorCaught(context: ChannelHandlerContext, error: any Error) {
        finish(.failure(OutboundFailure.transport(String(describing: error))))
        context.close(promise: nil)
    }

    private func finish(_ result: Result<PinnedHTTPClient.Response, any Error>) {
        guard !finished else { return }
        finished = true
        promise.completeWith(result)
    }
}

/// A continuation resumed exactly once, by whichever comes first: the answer or a cancellation.
final class OneShot<Value: Sendable>: Sendable {
    private enum State {
        case idle
        case waiting(CheckedContinuation<Value, any Error>)
        case resolved(Result<Value, any Error>)
        case done
    }

    private let state = NIOLockedValueBox<State>(.idle)

    func attach(_ continuation: CheckedContinuation<Value, any Error>) {
        let early: Result<Value, any Error>? = state.withLockedValue { state in
            if case .resolved(let result) = state {
                state = .done
                return result
            }
            state = .waiting(continuation)
            return nil
        }
        if let early { continuation.resume(with: early) }
    }

    func resume(_ result: Result<Value, any Error>) {
        let waiting: CheckedContinuation<Value, any Error>? = state.withLockedValue { state in
            switch state {
            case .idle:
                state = .resolved(result)
                return nil
            case .waiting(let continuation):
                state = .done
                return continuation
            case .resolved, .done:
                return nil
            }
        }
        waiting?.resume(with: result)
    }
}
