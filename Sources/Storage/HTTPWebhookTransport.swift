import Core
import Foundation
import Webhooks

#if canImport(FoundationNetworking)
    import FoundationNetworking
#endif

/// Posts webhook events with URLSession: 10 s timeout, no redirects followed, and the same SSRF guard
/// as image fetches (private and internal targets refused unless `allowPrivate`).
public final class HTTPWebhookTransport: NSObject, WebhookTransport, URLSessionTaskDelegate, @unchecked Sendable {
    // @unchecked: URLSession is thread-safe and the stored properties are immutable after init.
    let allowPrivate: Bool
    private var session: URLSession!

    public init(allowPrivate: Bool, timeout: TimeInterval = 10) {
        self.allowPrivate = allowPrivate
        super.init()
        let configuration = URLSessionConfiguration.ephemeral
        configuration.timeoutIntervalForRequest = timeout
        configuration.timeoutIntervalForResource = timeout
        session = URLSession(configuration: configuration, delegate: self, delegateQueue: nil)
    }

    public func post(url: String, headers: [String: String], body: Data) async throws -> Int {
        guard let target = URL(string: url) else { throw AppError(status: 400, code: "invalid_url", message: "Invalid webhook URL.") }
        if let problem = FetchGuard.problem(with: target, allowPrivate: allowPrivate) {
            throw AppError(status: 400, code: "invalid_url", message: "Webhook URL refused: \(problem)")
        }
        var request = URLRequest(url: target)
        request.httpMethod = "POST"
        request.httpBody = body
        for (name, value) in headers { request.setValue(value, forHTTPHeaderField: name) }
        let (_, response) = try await session.data(for: request)
        return (response as? HTTPURLResponse)?.statusCode ?? 0
    }

    /// Redirects are not followed: a receiver answers for itself.
    public func urlSession(
        _ session: URLSession, task: URLSessionTask, willPerformHTTPRedirection response: HTTPURLResponse, newRequest request: URLRequest,
        completionHandler: @escaping @Sendable (URLRequest?) -> Void
    ) {
        completionHandler(nil)
    }
}
