import Core
import Foundation
import Render

#if canImport(FoundationNetworking)
    import FoundationNetworking
#endif

/// Fetches `image` variables over http(s) at render time with DESIGN.md decision 10's guard: http(s)
/// only, no private, loopback, link-local or otherwise internal targets (unless `allowPrivate`, for
/// tests), every redirect checked the same way, a 5 s cap, 10 MB cap, and PNG/JPEG/WebP only.
public final class HTTPImageLoader: ImageLoader, @unchecked Sendable {
    // @unchecked: the URLSession and its delegate are thread-safe; the stored properties are immutable.
    public let allowPrivate: Bool
    public let maxBytes: Int
    private let session: URLSession
    private let guardDelegate: RedirectGuard

    public init(allowPrivate: Bool, maxBytes: Int = 10 * 1024 * 1024, timeout: TimeInterval = 5) {
        self.allowPrivate = allowPrivate
        self.maxBytes = maxBytes
        let configuration = URLSessionConfiguration.ephemeral
        configuration.timeoutIntervalForRequest = timeout
        configuration.timeoutIntervalForResource = timeout
        configuration.httpAdditionalHeaders = ["User-Agent": "craftkit-render/1", "Accept": "image/png, image/jpeg, image/webp"]
        guardDelegate = RedirectGuard(allowPrivate: allowPrivate)
        session = URLSession(configuration: configuration, delegate: guardDelegate, delegateQueue: nil)
    }

    public func load(_ source: ImageSource) async throws -> Data {
        guard case .url(let text) = source, let url = URL(string: text) else {
            throw RenderError.imageUnavailable(source: source.description, reason: "only http(s) URLs can be fetched")
        }
        if let problem = FetchGuard.problem(with: url, allowPrivate: allowPrivate) {
            throw RenderError.imageUnavailable(source: text, reason: problem)
        }
        let data: Data
        let response: URLResponse
        do {
            (data, response) = try await session.data(from: url)
        } catch {
            throw RenderError.imageUnavailable(source: text, reason: "fetch failed: \(error.localizedDescription)")
        }
        guard let http = response as? HTTPURLResponse, (200..<300).contains(http.statusCode) else {
            throw RenderError.imageUnavailable(source: text, reason: "the server answered \((response as? HTTPURLResponse)?.statusCode ?? 0)")
        }
        guard data.count <= maxBytes else {
            throw RenderError.imageUnavailable(source: text, reason: "larger than \(maxBytes / 1_048_576) MB")
        }
        guard FetchGuard.isSupportedImage(data) else {
            throw RenderError.imageUnavailable(source: text, reason: "not a PNG, JPEG or WebP image")
        }
        return data
    }

    final class RedirectGuard: NSObject, URLSessionTaskDelegate, @unchecked Sendable {
        let allowPrivate: Bool
        init(allowPrivate: Bool) { self.allowPrivate = allowPrivate }

        func urlSession(
            _ session: URLSession, task: URLSessionTask, willPerformHTTPRedirection response: HTTPURLResponse, newRequest request: URLRequest,
            completionHandler: @escaping @Sendable (URLRequest?) -> Void
        ) {
            guard let url = request.url, FetchGuard.problem(with: url, allowPrivate: allowPrivate) == nil else {
                completionHandler(nil)
                return
            }
            completionHandler(request)
        }
    }
}

/// The SSRF rules for URLs the server fetches.
public enum FetchGuard {
    /// nil when `url` may be fetched, else why not.
    public static func problem(with url: URL, allowPrivate: Bool) -> String? {
        guard let scheme = url.scheme?.lowercased(), scheme == "http" || scheme == "https" else { return "only http(s) URLs can be fetched" }
        guard let host = url.host, !host.isEmpty else { return "the URL has no host" }
        if allowPrivate { return nil }
        let addresses = resolve(host)
        guard !addresses.isEmpty else { return "the host does not resolve" }
        if addresses.contains(where: isInternal) { return "the host resolves to a private or internal address" }
        return nil
    }

    /// Numeric addresses of a host name (IPv4 as 4 bytes, IPv6 as 16).
    static func resolve(_ host: String) -> [[UInt8]] {
        var hints = addrinfo()
        hints.ai_socktype = Int32(SOCK_STREAM.rawValue)
        var result: UnsafeMutablePointer<addrinfo>?
        let name = host.hasPrefix("[") && host.hasSuffix("]") ? String(host.dropFirst().dropLast()) : host
        guard getaddrinfo(name, nil, &hints, &result) == 0, let first = result else { return [] }
        defer { freeaddrinfo(result) }
        var addresses: [[UInt8]] = []
        var cursor: UnsafeMutablePointer<addrinfo>? = first
        while let info = cursor {
            if info.pointee.ai_family == AF_INET, let raw = info.pointee.ai_addr {
                raw.withMemoryRebound(to: sockaddr_in.self, capacity: 1) { address in
                    addresses.append(withUnsafeBytes(of: address.pointee.sin_addr) { Array($0) })
                }
            } else if info.pointee.ai_family == AF_INET6, let raw = info.pointee.ai_addr {
                raw.withMemoryRebound(to: sockaddr_in6.self, capacity: 1) { address in
                    addresses.append(withUnsafeBytes(of: address.pointee.sin6_addr) { Array($0) })
                }
            }
            cursor = info.pointee.ai_next
        }
        return addresses
    }

    /// Loopback, private, link-local, CGNAT, multicast, unspecified and the IPv6 equivalents.
    static func isInternal(_ address: [UInt8]) -> Bool {
        if address.count == 4 {
            let (a, b) = (address[0], address[1])
            return a == 0 || a == 10 || a == 127 || (a == 100 && (64...127).contains(b)) || (a == 169 && b == 254)
                || (a == 172 && (16...31).contains(b)) || (a == 192 && b == 168) || (a == 192 && b == 0 && address[2] == 0)
                || (a == 198 && (18...19).contains(b)) || a >= 224
        }
        guard address.count == 16 else { return true }
        if address.allSatisfy({ $0 == 0 }) || address == [UInt8](repeating: 0, count: 15) + [1] { return true }
        if address[0...9].allSatisfy({ $0 == 0 }) && address[10] == 0xFF && address[11] == 0xFF {
            return isInternal(Array(address[12...15]))  // IPv4-mapped
        }
        return (address[0] & 0xFE) == 0xFC || (address[0] == 0xFE && (address[1] & 0xC0) == 0x80) || address[0] == 0xFF
    }

    /// PNG, JPEG or WebP: what the render core draws.
    static func isSupportedImage(_ data: Data) -> Bool {
        guard let kind = ImageKind.sniff(data) else { return false }
        return kind != .gif
    }
}
