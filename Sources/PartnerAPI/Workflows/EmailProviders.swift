import Core
import Delivery
import Logging
import Outbound

/// The email provider the configuration names (docs/operations.md#email-providers): Resend when its API
/// key is set, else SMTP when its URL is, else none.
enum EmailProviders {
    static func configured(_ config: ServerConfig, logger: Logger) -> (any EmailSender)? {
        // Wired to the Outbound providers once they land; until then no provider is configured.
        nil
    }
}
