import Core
import Foundation
import Logging
import Metrics

/// Sends a request to a receiver and returns its HTTP status. The URLSession implementation (with the
/// SSRF guard) lives in Storage; tests can inject their own.
public protocol WebhookTransport: Sendable {
    func post(url: String, headers: [String: String], body: Data) async throws -> Int
}

/// Delivers webhook events from the durable queue (docs/decisions/0009-webhook-signatures.md): signed,
/// up to `maxAttempts` attempts with exponential backoff and jitter, then `abandoned`. Every attempt is
/// recorded in the delivery log.
public struct WebhookDeliverer: Sendable {
    public struct Settings: Sendable {
        public var maxAttempts = 6
        /// Delay before attempt n+1 is `baseDelayMillis * 4^(n-1)`, capped, ±20 % jitter.
        public var baseDelayMillis: Int64 = 5_000
        public var maxDelayMillis: Int64 = 3_600_000
        public var leaseMillis: Int64 = 60_000
        public var idleWait: Duration = .seconds(1)

        public init() {}
    }

    public static let jobKind = "webhook"

    let queue: any JobQueue
    let repository: any WebhookRepository
    let transport: any WebhookTransport
    let secrets: SecretBox
    /// The event body for a delivery (built by the layer that knows renders and public URLs).
    let payload: @Sendable (WebhookDelivery) async throws -> Data
    let signal: JobSignal
    let clock: any WallClock
    let settings: Settings
    let logger: Logger

    public init(
        queue: any JobQueue, repository: any WebhookRepository, transport: any WebhookTransport, secrets: SecretBox,
        payload: @escaping @Sendable (WebhookDelivery) async throws -> Data, signal: JobSignal, clock: any WallClock = SystemClock(),
        settings: Settings = Settings(), logger: Logger
    ) {
        self.queue = queue
        self.repository = repository
        self.transport = transport
        self.secrets = secrets
        self.payload = payload
        self.signal = signal
        self.clock = clock
        self.settings = settings
        self.logger = logger
    }

    public func run(owner: String) async {
        await WorkerLoop.run(signal: signal, idleWait: settings.idleWait) {
            try await runOnce(owner: owner)
        } onError: { error in
            logger.error("webhook worker could not claim a job", metadata: ["error": .string(String(describing: error))])
        }
    }

    /// Claims and attempts at most one delivery. Returns false when there was nothing due.
    @discardableResult
    public func runOnce(owner: String) async throws -> Bool {
        guard let job = try await queue.claim(kinds: [Self.jobKind], owner: owner, leaseMillis: settings.leaseMillis, now: clock.now().epochMillis)
        else { return false }
        guard let delivery = try await repository.delivery(id: job.subjectID), delivery.status == .pending,
            let endpoint = try await repository.find(id: delivery.endpointID)
        else {
            try await repository.recordAttempt(
                deliveryID: job.subjectID, jobID: job.id, status: .abandoned, statusCode: nil, error: "endpoint deleted", now: clock.now().epochMillis
            )
            return true
        }
        let (status, code, error) = await attempt(delivery, endpoint: endpoint)
        let now = clock.now().epochMillis
        let outcome = status == .succeeded ? "delivered" : job.attempts >= settings.maxAttempts ? "abandoned" : "retried"
        Counter(label: "craftkit_webhook_deliveries_total", dimensions: [("outcome", outcome)]).increment()
        if status == .succeeded || job.attempts >= settings.maxAttempts {
            try await repository.recordAttempt(
                deliveryID: delivery.id, jobID: job.id, status: status == .succeeded ? .succeeded : .abandoned, statusCode: code, error: error,
                now: now
            )
        } else {
            try await repository.recordAttempt(deliveryID: delivery.id, jobID: nil, status: .pending, statusCode: code, error: error, now: now)
            try await queue.retry(jobID: job.id, owner: owner, runAt: now + delay(afterAttempt: job.attempts), error: error ?? "HTTP \(code ?? 0)")
        }
        logger.info(
            "webhook attempt",
            metadata: [
                "delivery_id": .string(delivery.id), "project_id": .string(delivery.projectID), "attempt": .stringConvertible(job.attempts),
                "status_code": .stringConvertible(code ?? 0), "outcome": .string(status == .succeeded ? "delivered" : "failed"),
            ]
        )
        return true
    }

    /// One POST. Succeeded on any 2xx.
    func attempt(_ delivery: WebhookDelivery, endpoint: WebhookEndpoint) async -> (DeliveryStatus, Int?, String?) {
        do {
            let body = try await payload(delivery)
            let timestamp = Int64(clock.now().timeIntervalSince1970)
            let context = WebhookEndpoint.sealContext(id: endpoint.id)
            let secret = try secrets.open(endpoint.sealedSecret, context: context)
            var headers = [
                "Content-Type": "application/json", "User-Agent": "Craftkit-Webhook/1.0", "x-craftkit-event-id": delivery.eventID,
                "x-craftkit-event-type": delivery.eventType, "x-craftkit-event": delivery.eventType, "x-craftkit-timestamp": String(timestamp),
                "x-craftkit-delivery-id": delivery.id, "x-craftkit-signature": WebhookSignature.sign(secret: secret, body: body),
                // Standard Webhooks: the delivery id is stable across retries, so receivers can drop replays.
                "webhook-id": delivery.id, "webhook-timestamp": String(timestamp),
                "webhook-signature": WebhookSignature.standardSignature(secret: secret, id: delivery.id, timestamp: timestamp, body: body),
            ]
            if let previous = endpoint.sealedPreviousSecret, let expires = endpoint.previousSecretExpiresAt, expires > clock.now().epochMillis {
                let previousSecret = try secrets.open(previous, context: context)
                headers["x-craftkit-signature-previous"] = WebhookSignature.sign(secret: previousSecret, body: body)
                headers["webhook-signature", default: ""] +=
                    " " + WebhookSignature.standardSignature(secret: previousSecret, id: delivery.id, timestamp: timestamp, body: body)
            }
            let code = try await transport.post(url: endpoint.url, headers: headers, body: body)
            return ((200..<300).contains(code) ? .succeeded : .pending, code, (200..<300).contains(code) ? nil : "receiver answered \(code)")
        } catch {
            return (.pending, nil, String(describing: error))
        }
    }

    /// Exponential backoff with ±20 % jitter.
    func delay(afterAttempt attempt: Int) -> Int64 {
        var delay = settings.baseDelayMillis
        for _ in 1..<max(1, attempt) { delay = min(settings.maxDelayMillis, delay * 4) }
        let jitter = Int64.random(in: -(delay / 5)...(delay / 5))
        return max(0, delay + jitter)
    }
}
