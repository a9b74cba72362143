import Core
import Delivery
import Logging
import Outbound

/// The email provider the configuration names (docs/operations.md#email-providers): Resend when its API
/// key is set, else SMTP when its URL is, else none (the email route answers 503 `email_not_configured`).
enum EmailProviders {
    static func configured(_ config: ServerConfig, logger: Logger) -> (any EmailSender)? {
        do {
            if let key = config.resendAPIKey {
                return try ResendEmailSender(apiKey: key, baseURL: config.resendBaseURL, logger: logger)
            }
            if let url = config.smtpURL {
                return try SMTPEmailSender(url: url, logger: logger)
            }
        } catch {
            // The URL's shape was checked at start-up; what is left (an option value) is reported here
            // without the URL, which may hold a password.
            logger.error("email provider not usable; email is off", metadata: ["error": .string("\(error)")])
        }
        return nil
    }
}

/// Counts what a provider accepted and refused (`craftkit_emails_total{provider,outcome}`).
struct MeteredEmailSender: EmailSender {
    let base: any EmailSender

    var provider: String { base.provider }

    func send(_ message: EmailMessage) async throws -> String {
        do {
            let id = try await base.send(message)
            Telemetry.email(provider: base.provider, sent: true)
            return id
        } catch {
            Telemetry.email(provider: base.provider, sent: false)
            throw error
        }
    }
}
