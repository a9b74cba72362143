import Core
import Foundation
import Logging
import Render

/// Fetches the files a render request names by URL (`attachments[].url`) when the render runs, through
/// `PinnedHTTPClient` like images: private and internal targets refused (unless `allowPrivate`), at most
/// 3 redirects each re-checked, a 10 s deadline, `maxBytes` at most (5 MiB: an attachment's cap), and the
/// image fetches' process-wide limit on connections. Failures read the same to the caller (the cause
/// goes to the log), so a render cannot probe which internal hosts exist.
public struct HTTPAttachmentFetcher: EmbeddedFileFetcher {
    let client: PinnedHTTPClient
    let limiter: AsyncLimiter
    let logger: Logger

    public init(
        allowPrivate: Bool, maxBytes: Int = 5 * 1024 * 1024, timeout: Duration = .seconds(10), logger: Logger = Logger(label: "craftkit.outbound")
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

    public func fetch(_ url: String) async throws -> Data {
        do {
            guard let target = URL(string: url) else { throw OutboundFailure.unsupportedURL }
            let response = try await limiter.run(timeout: client.configuration.requestTimeout, busy: OutboundFailure.timedOut) {
                try await client.send(method: .GET, url: target, headers: [("User-Agent", "craftkit-render/1")])
            }
            guard (200..<300).contains(response.status) else { throw OutboundFailure.transport("the server answered \(response.status)") }
            return response.body
        } catch is CancellationError {
            throw CancellationError()
        } catch {
            logger.warning(
                "attachment fetch failed", metadata: ["url": .string(FetchGuard.redacted(url)), "reason": .string(String(describing: error))])
            throw OutboundFailure.transport("attachment could not be fetched")
        }
    }
}
