import Delivery
import Foundation
import Logging

/// Sends through Resend's HTTP API (docs/operations.md#email-providers): `POST {base}/emails` with a
/// bearer key and a JSON body; a 200 answers `{"id": …}`, an error `{"statusCode", "name", "message"}`.
///
/// A 4xx answer (bad key, unverified sender domain, invalid recipient) is Resend refusing: `.rejected`
/// with its message. 429, 5xx and network failures are tried up to three times in all, inside one
/// bounded deadline, then `.unavailable`. Every attempt carries the same `Idempotency-Key`, so an
/// attempt that did reach Resend but whose answer was lost cannot send the email twice.
///
/// The endpoint is the operator's, not a tenant's: private addresses are allowed (a stand-in on
/// loopback in tests, a proxy on the LAN). The API key goes only into the Authorization header; it
/// is never logged nor part of an error.
public struct ResendEmailSender: EmailSender {
    public static let defaultBaseURL = "https://api.resend.com"

    public var provider: String { "resend" }
    let apiKey: String
    let endpoint: URL
    let clientConfiguration: PinnedHTTPClient.Configuration
    /// Pauses before the second and third attempts.
    let backoff: [Duration]
    /// Bounds one `send`, every attempt and pause included.
    let deadline: Duration
    let logger: Logger

    /// Throws `EmailProviderConfigurationError` for an empty key or a base URL that is not http(s).
    public init(
        apiKey: String, baseURL: String = ResendEmailSender.defaultBaseURL, deadline: Duration = .seconds(10),
        backoff: [Duration] = [.milliseconds(300), .seconds(1)], logger: Logger = Logger(label: "craftkit.email")
    ) throws {
        guard !apiKey.isEmpty, !apiKey.utf8.contains(where: { $0 < 0x21 || $0 > 0x7e }) else {
            throw EmailProviderConfigurationError("the Resend API key is empty or contains spaces or control characters")
        }
        var base = baseURL
        while base.hasSuffix("/") { base.removeLast() }
        guard let url = URL(string: base + "/emails"), let scheme = url.scheme?.lowercased(), scheme == "https" || scheme == "http",
            url.host?.isEmpty == false
        else { throw EmailProviderConfigurationError("the Resend base URL must be an http(s) URL") }
        self.apiKey = apiKey
        self.endpoint = url
        self.deadline = deadline
        self.backoff = backoff
        self.logger = logger
        // Each attempt gets what is left of the deadline (see `send`); the body is a small JSON object.
        clientConfiguration = .init(
            allowPrivate: true, connectTimeout: .seconds(3), requestTimeout: deadline, maxBodyBytes: 64 * 1024, maxRedirects: 0,
            readsBody: true)
    }

    struct Request: Encodable {
        var from: String
        var to: [String]
        var subject: String
        var html: String
        var text: String
    }

    /// Returns Resend's email id.
    public func send(_ message: EmailMessage) async throws -> String {
        let body = try JSONEncoder().encode(
            Request(
                from: Self.mailbox(message.from), to: [Self.mailbox(message.to)], subject: message.subject, html: message.html,
                text: message.text))
        let headers = [
            ("Authorization", "Bearer \(apiKey)"), ("Content-Type", "application/json"), ("Accept", "application/json"),
            ("Idempotency-Key", UUID().uuidString.lowercased()), ("User-Agent", "craftkit-server"),
        ]
        let clock = ContinuousClock()
        let end = clock.now + deadline
        var attempt = 0
        var lastFailure = "no attempt made"
        while true {
            attempt += 1
            var configuration = clientConfiguration
            configuration.requestTimeout = end - clock.now
            let client = PinnedHTTPClient(configuration: configuration)
            do {
                let response = try await client.send(method: .POST, url: endpoint, headers: headers, body: body)
                switch response.status {
                case 200...299:
                    guard let id = Self.field("id", in: response.body), !id.isEmpty else {
                        throw EmailSendError.unavailable("Resend answered \(response.status) without an email id")
                    }
                    return id
                case 429, 500...599:
                    lastFailure = "Resend answered \(response.status): \(Self.reason(response.status, response.body))"
                default:
                    let reason = Self.reason(response.status, response.body)
                    logger.warning("Resend refused an email", metadata: ["status": "\(response.status)", "reason": "\(reason)"])
                    throw EmailSendError.rejected(reason)
                }
            } catch let error as OutboundFailure {
                lastFailure = error.description
            }
            // Another attempt only if it, after its pause, still has a second of the deadline left.
            guard attempt < 3, attempt - 1 < backoff.count, end - clock.now > backoff[attempt - 1] + .seconds(1) else { break }
            logger.notice("Resend attempt failed, retrying", metadata: ["attempt": "\(attempt)", "reason": "\(lastFailure)"])
            try await Task.sleep(for: backoff[attempt - 1])
        }
        logger.warning("Resend could not be reached", metadata: ["attempts": "\(attempt)", "reason": "\(lastFailure)"])
        throw EmailSendError.unavailable(lastFailure)
    }

    /// `Name <addr>`, or `"Name, Inc." <addr>` when the name has characters an address list gives a
    /// meaning to. JSON carries any Unicode, so no encoded words here.
    static func mailbox(_ address: EmailAddress) -> String {
        guard let name = address.displayName, !name.isEmpty else { return address.address }
        let specials = Set("()<>[]:;@\\,.\"")
        return (name.contains(where: { specials.contains($0) }) ? MIMEMessage.quoted(name) : name) + " <\(address.address)>"
    }

    /// Resend's `message` (else `name`, else the status), at most 300 characters.
    static func reason(_ status: Int, _ body: Data) -> String {
        let text = field("message", in: body) ?? field("name", in: body) ?? "HTTP \(status)"
        return text.count > 300 ? String(text.prefix(300)) + "…" : text
    }

    static func field(_ name: String, in body: Data) -> String? {
        (try? JSONSerialization.jsonObject(with: body)).flatMap { ($0 as? [String: Any])?[name] as? String }
    }
}
