import Core
import Foundation
import Logging
import Webhooks

/// What a failed delivery records: the delivery log is shown to the tenant, so it must not tell a
/// refused address from a closed port or a timeout. The cause goes to the server log.
public struct WebhookDeliveryFailed: Error, Sendable, Equatable, CustomStringConvertible {
    public init() {}
    public var description: String { "the endpoint could not be reached" }
}

/// Posts webhook events through `PinnedHTTPClient`: the same address rules as image fetches (private
/// and internal targets refused unless `allowPrivate`), a 10 s deadline, and no redirects followed (a
/// receiver answers for itself; the 3xx status is the result). Only the status is read.
public struct HTTPWebhookTransport: WebhookTransport {
    /// Deliveries in flight in this process.
    public static let processLimiter = AsyncLimiter(limit: 16)

    public let client: PinnedHTTPClient
    let limiter: AsyncLimiter
    let logger: Logger

    public init(allowPrivate: Bool, timeout: Duration = .seconds(10), logger: Logger = Logger(label: "craftkit.outbound")) {
        let configuration = PinnedHTTPClient.Configuration(
            allowPrivate: allowPrivate, connectTimeout: .seconds(5), requestTimeout: timeout, maxRedirects: 0, readsBody: false)
        self.init(client: PinnedHTTPClient(configuration: configuration), logger: logger)
    }

    public init(
        client: PinnedHTTPClient, limiter: AsyncLimiter = HTTPWebhookTransport.processLimiter, logger: Logger = Logger(label: "craftkit.outbound")
    ) {
        self.client = client
        self.limiter = limiter
        self.logger = logger
    }

    public func post(url: String, headers: [String: String], body: Data) async throws -> Int {
        do {
            guard let target = URL(string: url) else { throw OutboundFailure.unsupportedURL }
            let response = try await limiter.run(timeout: client.configuration.requestTimeout, busy: OutboundFailure.timedOut) {
                try await client.send(method: .POST, url: target, headers: headers.map { ($0.key, $0.value) }, body: body)
            }
            return response.status
        } catch is CancellationError {
            throw CancellationError()
        } catch {
            logger.warning(
                "webhook delivery failed", metadata: ["url": .string(FetchGuard.redacted(url)), "reason": .string(String(describing: error))])
            throw WebhookDeliveryFailed()
        }
    }
}
