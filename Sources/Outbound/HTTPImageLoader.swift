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

    public init(
        allowPrivate: Bool, maxBytes: Int = 10 * 1024 * 1024, timeout: Duration = .seconds(5), logger: Logger = Logger(label: "craftkit.outbound")
    ) {
        let configuration = PinnedHTTPClient.Configuration(
            allowPrivate: allowPrivate, connectTimeout: .seconds(3), requestTimeout: timeout, maxBodyBytes: maxBytes, maxRedirects: 3)
        self.init(client: PinnedHTTPClient(configuration: configuration), logger: logger)
    }

    public init(client: PinnedHTTPClient, limiter: AsyncLimiter = HTTPImageLoader.processLimiter, logger: Logger = Logger(label: "craftkit.outbound"))
    {
        self.client = client
        self.limiter = limiter
        self.logger = logger
    }

    public func load(_ source: ImageSource) async throws -> Data {
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
