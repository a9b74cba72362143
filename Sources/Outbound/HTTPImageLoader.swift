import Core
import Foundation
import Logging
import Render

/// Fetches `image` variables over http(s) at render and preview time through `PinnedHTTPClient`:
/// private and internal targets refused (unless `allowPrivate`, for tests), at most 3 redirects each
/// re-checked, a 5 s deadline, 10 MB cap, PNG/JPEG/WebP only, and at most `limiter.limit` fetches at
/// once in the process. Whatever fails, the caller reads the same reason: a render error is shown to
/// the tenant, and a distinct one per cause would let them probe which internal hosts and ports exist.
/// The cause goes to the log.
public struct HTTPImageLoader: ImageLoader {
    /// The one reason callers see.
    public static let failureReason = "image could not be loaded"
    /// Fetches in flight in this process, across tenants: a render full of images queues behind
    /// itself instead of opening a socket per image.
    public static let processLimiter = AsyncLimiter(limit: 16)

    public let client: PinnedHTTPClient
    let limiter: AsyncLimiter
    let logger: Logger
    /// Images fetched in the last minute, by URL, as a shared HTTP cache keeps them: the logo every
    /// invoice of a partner carries is fetched once a minute, not once per render. Only small images
    /// (`cacheableBytes`), and never a response that says `no-store`, `no-cache`, `private` or a
    /// `max-age` of 0; a shorter `max-age` shortens the stay.
    let recent: TTLCache<String, Data>?
    public static let cacheableBytes = 512 * 1024

    public init(
        allowPrivate: Bool, maxBytes: Int = 10 * 1024 * 1024, timeout: Duration = .seconds(5), logger: Logger = Logger(label: "craftkit.outbound")
    ) {
        let configuration = PinnedHTTPClient.Configuration(
            allowPrivate: allowPrivate, connectTimeout: .seconds(3), requestTimeout: timeout, maxBodyBytes: maxBytes, maxRedirects: 3)
        // 64 images of at most 512 KB: 32 MB at worst.
        self.init(client: PinnedHTTPClient(configuration: configuration), logger: logger, cache: TTLCache(ttlMillis: 60_000, capacity: 64))
    }

    public init(
        client: PinnedHTTPClient, limiter: AsyncLimiter = HTTPImageLoader.processLimiter, logger: Logger = Logger(label: "craftkit.outbound"),
        cache: TTLCache<String, Data>? = nil
    ) {
        self.client = client
        self.limiter = limiter
        self.logger = logger
        self.recent = cache
    }

    /// How long a response may be kept (ms), or nil when it must not be (RFC 9111 §5.2.2).
    static func freshness(_ cacheControl: String?) -> Int64? {
        guard let cacheControl else { return .max }
        var lifetime: Int64 = .max
        for directive in cacheControl.lowercased().split(separator: ",") {
            let parts = directive.split(separator: "=", maxSplits: 1).map { $0.trimmingCharacters(in: .whitespaces) }
            switch parts.first {
            case "no-store", "no-cache", "private": return nil
            case "max-age", "s-maxage":
                guard parts.count == 2, let seconds = Int64(parts[1].trimmingCharacters(in: CharacterSet(charactersIn: "\""))) else { return nil }
                if seconds <= 0 { return nil }
                lifetime = min(lifetime, seconds * 1000)
            default: continue
            }
        }
        return lifetime
    }

    public func load(_ source: ImageSource) async throws -> Data {
        if let recent, case .url(let text) = source, let cached = recent.get(text) { return cached }
        do {
            guard case .url(let text) = source, let url = URL(string: text) else { throw OutboundFailure.unsupportedURL }
            // Waiting for a slot is bounded like the fetch itself; the fetch's own deadline starts
            // once it holds one.
            let response = try await limiter.run(timeout: client.configuration.requestTimeout, busy: OutboundFailure.timedOut) {
                try await client.send(
                    method: .GET, url: url, headers: [("User-Agent", "craftkit-render/1"), ("Accept", "image/png, image/jpeg, image/webp")])
            }
            guard (200..<300).contains(response.status) else { throw OutboundFailure.transport("the server answered \(response.status)") }
            guard FetchGuard.isSupportedImage(response.body) else { throw OutboundFailure.transport("not a PNG, JPEG or WebP image") }
            if let recent, response.body.count <= Self.cacheableBytes, let lifetime = Self.freshness(response.headers.first(name: "cache-control")) {
                recent.put(response.body, for: text, expiresAt: lifetime == .max ? nil : Date().epochMillis + lifetime)
            }
            return response.body
        } catch is CancellationError {
            throw CancellationError()
        } catch {
            logger.warning(
                "image fetch failed",
                metadata: ["url": .string(FetchGuard.redacted(source.description)), "reason": .string(String(describing: error))])
            throw RenderError.imageUnavailable(source: source.description, reason: Self.failureReason)
        }
    }
}
