import Delivery
import Foundation
import Logging
import NIOCore
import NIOPosix
import NIOSSL

/// An email provider setting that cannot work (a malformed URL, an unreadable CA file): reported at
/// startup rather than at the first send.
public struct EmailProviderConfigurationError: Error, Sendable, Equatable, CustomStringConvertible {
    public let message: String
    public init(_ message: String) { self.message = message }
    public var description: String { message }
}

/// Sends through an SMTP server (a self-hoster's relay), configured by one URL (docs/operations.md#email-providers):
///
///     smtp://user:pass@host:587           STARTTLS when the server offers it
///     smtp://…?starttls=require           fail unless STARTTLS is offered
///     smtps://user:pass@host              TLS from the first byte (port 465)
///     smtp://127.0.0.1:25?auth_insecure=1 a local relay without TLS
///
/// Certificates are verified against the system trust store (or `ca_file`), host name included.
/// Credentials are only sent over TLS unless `auth_insecure=1` says otherwise. A 5xx reply is
/// `.rejected`, a 4xx reply, a timeout or a broken connection `.unavailable`; nothing is retried here
/// (the SMTP server queues and retries itself once it has accepted a message).
public struct SMTPEmailSender: EmailSender {
    public struct Configuration: Sendable, CustomStringConvertible {
        public enum Security: String, Sendable {
            /// STARTTLS if the server offers it, plaintext otherwise.
            case startTLSIfOffered
            /// STARTTLS or no send.
            case startTLSRequired
            /// Plaintext only, even if STARTTLS is offered (`starttls=off`).
            case noTLS
            /// TLS from the first byte (`smtps://`).
            case implicitTLS
        }

        public var host: String
        public var port: Int
        public var security: Security
        public var username: String?
        public var password: String?
        /// A PEM file of the CA certificates to trust instead of the system's.
        public var tlsCAFile: String?
        /// Lets AUTH go over a connection without TLS (a relay on loopback).
        public var allowsInsecureAuth: Bool
        /// Bounds the connect and every wait for a reply.
        public var timeout: Duration

        public init(
            host: String, port: Int, security: Security = .startTLSIfOffered, username: String? = nil, password: String? = nil,
            tlsCAFile: String? = nil, allowsInsecureAuth: Bool = false, timeout: Duration = .seconds(10)
        ) {
            self.host = host
            self.port = port
            self.security = security
            self.username = username
            self.password = password
            self.tlsCAFile = tlsCAFile
            self.allowsInsecureAuth = allowsInsecureAuth
            self.timeout = timeout
        }

        /// `smtp[s]://[user[:password]@]host[:port][?starttls=auto|require|off&auth_insecure=1&ca_file=/path.pem&timeout=10]`.
        /// User and password are percent-decoded; an unknown option is an error, so a typo cannot
        /// quietly weaken the connection.
        public init(url text: String) throws {
            guard let url = URLComponents(string: text), let scheme = url.scheme?.lowercased(), scheme == "smtp" || scheme == "smtps"
            else { throw EmailProviderConfigurationError("the SMTP URL must look like smtp://user:pass@host:port or smtps://…") }
            guard var host = url.host, !host.isEmpty else { throw EmailProviderConfigurationError("the SMTP URL has no host") }
            if host.hasPrefix("["), host.hasSuffix("]") { host = String(host.dropFirst().dropLast()) }
            let port = url.port ?? (scheme == "smtps" ? 465 : 587)
            guard (1...65535).contains(port) else { throw EmailProviderConfigurationError("the SMTP URL's port is out of range") }
            let username = url.percentEncodedUser.map { $0.removingPercentEncoding ?? $0 }
            let password = url.percentEncodedPassword.map { $0.removingPercentEncoding ?? $0 }
            self.init(
                host: host, port: port, security: scheme == "smtps" ? .implicitTLS : .startTLSIfOffered,
                username: username?.isEmpty == true ? nil : username, password: password)
            for item in url.queryItems ?? [] {
                let value = item.value ?? ""
                switch item.name {
                case "starttls":
                    guard scheme == "smtp" else { throw EmailProviderConfigurationError("starttls= applies to smtp:// only") }
                    switch value {
                    case "auto": security = .startTLSIfOffered
                    case "require": security = .startTLSRequired
                    case "off": security = .noTLS
                    default: throw EmailProviderConfigurationError("starttls= must be auto, require or off")
                    }
                case "auth_insecure":
                    guard ["1", "true", "0", "false"].contains(value) else {
                        throw EmailProviderConfigurationError("auth_insecure= must be 1 or 0")
                    }
                    allowsInsecureAuth = value == "1" || value == "true"
                case "ca_file":
                    guard !value.isEmpty else { throw EmailProviderConfigurationError("ca_file= needs a path") }
                    tlsCAFile = value
                case "timeout":
                    guard let seconds = Int(value), (1...300).contains(seconds) else {
                        throw EmailProviderConfigurationError("timeout= must be whole seconds between 1 and 300")
                    }
                    timeout = .seconds(seconds)
                default:
                    throw EmailProviderConfigurationError("unknown SMTP URL option \(item.name)")
                }
            }
        }

        /// For logs: everything but the password.
        public var description: String {
            let scheme = security == .implicitTLS ? "smtps" : "smtp"
            let user = username.map { "\($0)@" } ?? ""
            return "\(scheme)://\(user)\(host.contains(":") ? "[\(host)]" : host):\(port) (\(security.rawValue))"
        }
    }

    public let configuration: Configuration
    public var provider: String { "smtp" }
    let tlsContext: NIOSSLContext?
    let eventLoopGroup: any EventLoopGroup
    let logger: Logger

    /// Throws `EmailProviderConfigurationError` when TLS cannot be set up (an unreadable `tlsCAFile`).
    public init(
        configuration: Configuration, eventLoopGroup: any EventLoopGroup = MultiThreadedEventLoopGroup.singleton,
        logger: Logger = Logger(label: "craftkit.email")
    ) throws {
        self.configuration = configuration
        self.eventLoopGroup = eventLoopGroup
        self.logger = logger
        if configuration.security == .noTLS {
            tlsContext = nil
        } else {
            var tls = TLSConfiguration.makeClientConfiguration()
            tls.minimumTLSVersion = .tlsv12
            if let path = configuration.tlsCAFile {
                do {
                    tls.trustRoots = .certificates(try NIOSSLCertificate.fromPEMFile(path))
                } catch {
                    throw EmailProviderConfigurationError("cannot read the SMTP ca_file \(path): \(error)")
                }
            }
            do {
                tlsContext = try NIOSSLContext(configuration: tls)
            } catch {
                throw EmailProviderConfigurationError("cannot set up TLS for SMTP: \(error)")
            }
        }
    }

    /// From `CRAFTKIT_SMTP_URL`'s value.
    public init(url: String, logger: Logger = Logger(label: "craftkit.email")) throws {
        try self.init(configuration: Configuration(url: url), logger: logger)
    }

    /// Returns the Message-ID it gave the message (without angle brackets).
    public func send(_ message: EmailMessage) async throws -> String {
        // `EmailAddress` admits only plain addr-specs; checked again because they go into commands.
        for address in [message.from.address, message.to.address]
        where address.utf8.contains(where: { $0 <= 0x20 || $0 >= 0x7f || $0 == UInt8(ascii: "<") || $0 == UInt8(ascii: ">") }) {
            throw EmailSendError.rejected("invalid address")
        }
        let mime = MIMEMessage(message)
        let timeout = TimeAmount(configuration.timeout)
        let connection: SMTPConnection
        do {
            connection = try await SMTPConnection.connect(
                host: configuration.host, port: configuration.port,
                implicitTLS: configuration.security == .implicitTLS ? tlsContext.map { ($0, serverHostname) } : nil, timeout: timeout,
                group: eventLoopGroup)
        } catch {
            logger.warning("SMTP connect failed", metadata: ["server": "\(configuration)", "reason": "\(error)"])
            throw EmailSendError.unavailable("could not connect to the SMTP server \(configuration.host):\(configuration.port)")
        }
        // One deadline for the whole conversation on top of the per-reply timeout: a server that
        // answers every command just in time still cannot hold a request for long.
        let deadline = connection.channel.eventLoop.scheduleTask(in: timeout * 3) { connection.close() }
        defer {
            deadline.cancel()
            connection.close()
        }
        do {
            try await withTaskCancellationHandler {
                try await converse(connection, mime: mime, message: message)
            } onCancel: {
                connection.close()
            }
        } catch let error as EmailSendError {
            logger.warning("SMTP send failed", metadata: ["server": "\(configuration)", "reason": "\(error)"])
            throw error
        } catch let error as SMTPConnectionError {
            logger.warning("SMTP send failed", metadata: ["server": "\(configuration)", "reason": "\(error)"])
            throw EmailSendError.unavailable(error.description)
        } catch is CancellationError {
            throw CancellationError()
        } catch {
            logger.warning("SMTP send failed", metadata: ["server": "\(configuration)", "reason": "\(error)"])
            throw EmailSendError.unavailable("the SMTP conversation failed")
        }
        return mime.messageID
    }

    /// SNI and the name the certificate must carry; an IP literal is checked against the address.
    private var serverHostname: String? {
        configuration.host.contains(":") || configuration.host.allSatisfy({ $0.isNumber || $0 == "." }) ? nil : configuration.host
    }

    private func converse(_ connection: SMTPConnection, mime: MIMEMessage, message: EmailMessage) async throws {
        try expect(try await connection.reply(), 220)
        var isTLS = configuration.security == .implicitTLS
        var extensions = try await hello(connection)
        if !isTLS, configuration.security != .noTLS {
            if extensions.keys.contains("STARTTLS"), let tlsContext {
                try expect(try await connection.startTLS(context: tlsContext, serverHostname: serverHostname), 220)
                isTLS = true
                // RFC 3207 §4.2: forget everything learned before TLS and ask again.
                extensions = try await hello(connection)
            } else if configuration.security == .startTLSRequired {
                throw EmailSendError.unavailable("the SMTP server does not offer STARTTLS, which the configuration requires")
            }
        }
        if let username = configuration.username {
            guard isTLS || configuration.allowsInsecureAuth else {
                throw EmailSendError.unavailable(
                    "refusing to send SMTP credentials without TLS (the server offers no STARTTLS; auth_insecure=1 allows it)")
            }
            try await authenticate(connection, username: username, password: configuration.password ?? "", offered: extensions["AUTH"] ?? [])
        }
        try expect(try await connection.command("MAIL FROM:<\(message.from.address)>"), 250)
        try expect(try await connection.command("RCPT TO:<\(message.to.address)>"), 250, 251)
        try expect(try await connection.command("DATA"), 354)
        connection.write(Self.dotStuffed(mime.text) + ".\r\n")
        try expect(try await connection.reply(), 250)
        // The message is accepted; a server that fumbles QUIT changes nothing.
        _ = try? await connection.command("QUIT")
    }

    /// EHLO, or HELO when the server does not know EHLO; the extensions offered, by keyword.
    private func hello(_ connection: SMTPConnection) async throws -> [String: [String]] {
        let name = Self.clientName(connection.channel.localAddress)
        let reply = try await connection.command("EHLO \(name)")
        guard reply.code == 250 else {
            guard (500...504).contains(reply.code) || reply.code == 550 else { throw Self.failure(reply) }
            try expect(try await connection.command("HELO \(name)"), 250)
            return [:]
        }
        var extensions: [String: [String]] = [:]
        for line in reply.lines.dropFirst() {
            let words = line.split(separator: " ").map(String.init)
            guard let keyword = words.first?.uppercased() else { continue }
            extensions[keyword] = words.dropFirst().map { $0.uppercased() }
        }
        return extensions
    }

    /// AUTH PLAIN when offered (credentials in one line), else AUTH LOGIN.
    private func authenticate(_ connection: SMTPConnection, username: String, password: String, offered: [String]) async throws {
        if offered.contains("PLAIN") || !offered.contains("LOGIN") {
            let token = Data("\0\(username)\0\(password)".utf8).base64EncodedString()
            try expectAuth(try await connection.command("AUTH PLAIN \(token)"))
        } else {
            try expect(try await connection.command("AUTH LOGIN"), 334)
            try expect(try await connection.command(Data(username.utf8).base64EncodedString()), 334)
            try expectAuth(try await connection.command(Data(password.utf8).base64EncodedString()))
        }
    }

    private func expectAuth(_ reply: SMTPReply) throws {
        guard reply.code != 235 else { return }
        if (500...599).contains(reply.code) { throw EmailSendError.rejected("SMTP authentication failed: \(reply.summary)") }
        throw Self.failure(reply)
    }

    private func expect(_ reply: SMTPReply, _ codes: Int...) throws {
        guard !codes.contains(reply.code) else { return }
        throw Self.failure(reply)
    }

    /// 5xx: the server refuses for good (`rejected`); 4xx: try again later (`unavailable`); anything
    /// else is a server not following the protocol.
    static func failure(_ reply: SMTPReply) -> EmailSendError {
        switch reply.code {
        case 500...599: .rejected(reply.summary)
        case 400...499: .unavailable(reply.summary)
        default: .unavailable("unexpected SMTP reply \(reply.summary)")
        }
    }

    /// RFC 5321 §4.5.2: a line starting with a dot gets one more, so none ends the data early.
    static func dotStuffed(_ text: String) -> String {
        var stuffed = text.replacingOccurrences(of: "\r\n.", with: "\r\n..")
        if stuffed.hasPrefix(".") { stuffed = "." + stuffed }
        return stuffed.hasSuffix("\r\n") ? stuffed : stuffed + "\r\n"
    }

    /// The EHLO argument: this side's address as an address literal (RFC 5321 §4.1.3), which needs no
    /// host name that might not resolve.
    static func clientName(_ address: SocketAddress?) -> String {
        guard let address, let ip = address.ipAddress else { return "localhost" }
        return address.protocol == .inet6 ? "[IPv6:\(ip)]" : "[\(ip)]"
    }
}
