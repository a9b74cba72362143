import Delivery
import Foundation
import NIOConcurrencyHelpers
import NIOCore
import NIOPosix
import Testing

@testable import Outbound

/// The checks every delivered message must pass: envelope, one of each address header, no injected
/// header, both parts decoded by Python's email parser, the link in each, 7-bit lines within limits.
func checkDelivered(_ record: [String: Any], subject: String, id: String) throws {
    #expect(record["mailFrom"] as? String == "docs@acme.example.com")
    #expect(record["rcptTos"] as? [String] == ["zoe@example.org"])
    #expect(record["parseError"] == nil)
    #expect((record["defects"] as? [String])?.isEmpty == true)
    #expect(record["eightBit"] as? Bool == false)
    let data = try #require(record["data"] as? String)
    for line in data.components(separatedBy: "\r\n") { #expect(line.utf8.count <= 78, "line too long: \(line)") }
    let headers = try #require(record["headers"] as? [[String]])
    let names = headers.map { $0[0].lowercased() }
    for name in ["from", "to", "subject", "date", "message-id", "mime-version", "content-type"] {
        #expect(names.filter { $0 == name }.count == 1, "header \(name)")
    }
    #expect(!names.contains("bcc"))
    #expect(!names.contains("cc"))
    func value(_ name: String) -> String? { headers.first { $0[0].lowercased() == name }?[1] }
    #expect(value("subject") == subject)
    #expect(value("message-id") == "<\(id)>")
    #expect(id.hasSuffix("@acme.example.com"))
    let from = try #require(record["from"] as? [String: Any])
    #expect(from["address"] as? String == "docs@acme.example.com")
    #expect(from["count"] as? Int == 1)
    let parts = try #require(record["parts"] as? [[String: Any]])
    #expect(parts.map { $0["contentType"] as? String } == ["text/plain", "text/html"])
    #expect(parts.allSatisfy { $0["charset"] as? String == "utf-8" })
    #expect((parts[0]["body"] as? String)?.contains("https://docs.example.com/share/cks_abc123") == true)
    #expect((parts[1]["body"] as? String)?.contains(#"<a href="https://docs.example.com/share/cks_abc123">"#) == true)
}

@Suite("SMTP email sender, against aiosmtpd", .enabled(if: SMTPSink.shouldRun, SMTPSink.skipNote), .serialized)
struct SMTPEmailSenderTests {
    @Test("plaintext relay on loopback with auth_insecure=1: delivered, names and subject encoded, nothing injected")
    func plain() async throws {
        try await SMTPSink.run(user: "relay user", password: "p@ss:w/rd", authInsecure: true) { sink in
            let sender = try SMTPEmailSender(url: "smtp://relay%20user:p%40ss%3Aw%2Frd@127.0.0.1:\(sink.port)?auth_insecure=1")
            let message = sampleMessage(
                subject: "Facture n° 42\r\nBcc: evil@attacker.example", fromName: "Acme, Inc.", toName: "Zoë Müller Bcc: evil@attacker.example")
            let id = try await sender.send(message)
            let records = try sink.messages()
            try #require(records.count == 1)
            try checkDelivered(records[0], subject: "Facture n° 42 Bcc: evil@attacker.example", id: id)
            #expect(records[0]["authenticated"] as? Bool == true)
            #expect(records[0]["login"] as? String == "relay user")
            #expect(records[0]["tls"] as? Bool == false)
            let from = try #require(records[0]["from"] as? [String: Any])
            #expect(from["displayName"] as? String == "Acme, Inc.")
            let to = try #require(records[0]["to"] as? [String: Any])
            #expect(to["displayName"] as? String == "Zoë Müller Bcc: evil@attacker.example")
            #expect(to["address"] as? String == "zoe@example.org")
        }
    }

    @Test("credentials are not sent without TLS unless auth_insecure=1 says so")
    func noCredentialsInClear() async throws {
        try await SMTPSink.run(user: "u", password: "secret", authInsecure: true) { sink in
            let sender = try SMTPEmailSender(url: "smtp://u:secret@127.0.0.1:\(sink.port)")
            let error = await failure { try await sender.send(sampleMessage()) }
            guard case .unavailable(let reason) = error as? EmailSendError else {
                Issue.record("expected unavailable, got \(String(describing: error))")
                return
            }
            #expect(reason.contains("without TLS"))
            #expect(try sink.messages().isEmpty)
        }
    }

    @Test("STARTTLS with the sink's certificate (ca_file), then AUTH: delivered over TLS")
    func startTLS() async throws {
        try await SMTPSink.run(tls: "starttls", user: "mailer", password: "hunter2") { sink in
            let sender = try SMTPEmailSender(url: "smtp://mailer:hunter2@127.0.0.1:\(sink.port)?starttls=require&ca_file=\(sink.certificatePath)")
            let id = try await sender.send(sampleMessage(subject: "Your invoice"))
            let records = try sink.messages()
            try #require(records.count == 1)
            try checkDelivered(records[0], subject: "Your invoice", id: id)
            #expect(records[0]["tls"] as? Bool == true)
            #expect(records[0]["login"] as? String == "mailer")
        }
    }

    @Test("STARTTLS to a certificate the client does not trust: unavailable, nothing sent")
    func untrustedCertificate() async throws {
        try await SMTPSink.run(tls: "starttls", user: "mailer", password: "hunter2") { sink in
            // The system trust store does not know the sink's self-signed certificate.
            let sender = try SMTPEmailSender(url: "smtp://mailer:hunter2@127.0.0.1:\(sink.port)")
            let error = await failure { try await sender.send(sampleMessage()) }
            guard case .unavailable(let reason) = error as? EmailSendError else {
                Issue.record("expected unavailable, got \(String(describing: error))")
                return
            }
            #expect(reason.contains("TLS"))
            #expect(try sink.messages().isEmpty)
        }
    }

    @Test("implicit TLS (smtps://): delivered")
    func implicitTLS() async throws {
        try await SMTPSink.run(tls: "implicit", user: "mailer", password: "hunter2") { sink in
            let sender = try SMTPEmailSender(url: "smtps://mailer:hunter2@127.0.0.1:\(sink.port)?ca_file=\(sink.certificatePath)")
            let id = try await sender.send(sampleMessage(subject: "Your invoice"))
            let records = try sink.messages()
            try #require(records.count == 1)
            try checkDelivered(records[0], subject: "Your invoice", id: id)
            #expect(records[0]["tls"] as? Bool == true)
        }
    }

    @Test("starttls=require against a server without STARTTLS: unavailable, nothing sent")
    func startTLSRequired() async throws {
        try await SMTPSink.run { sink in
            let sender = try SMTPEmailSender(url: "smtp://127.0.0.1:\(sink.port)?starttls=require")
            let error = await failure { try await sender.send(sampleMessage()) }
            #expect(error as? EmailSendError == .unavailable("the SMTP server does not offer STARTTLS, which the configuration requires"))
            #expect(try sink.messages().isEmpty)
        }
    }

    @Test("a recipient the server refuses with 550: rejected with the server's text")
    func rejectedRecipient() async throws {
        try await SMTPSink.run(rejecting: ["zoe@example.org"]) { sink in
            let sender = try SMTPEmailSender(url: "smtp://127.0.0.1:\(sink.port)")
            let error = await failure { try await sender.send(sampleMessage()) }
            guard case .rejected(let reason) = error as? EmailSendError else {
                Issue.record("expected rejected, got \(String(describing: error))")
                return
            }
            #expect(reason.hasPrefix("550 5.1.1 <zoe@example.org>: Recipient address rejected"))
            #expect(try sink.messages().isEmpty)
        }
    }

    @Test("wrong password: rejected")
    func wrongPassword() async throws {
        try await SMTPSink.run(tls: "starttls", user: "mailer", password: "hunter2") { sink in
            let sender = try SMTPEmailSender(url: "smtp://mailer:wrong@127.0.0.1:\(sink.port)?ca_file=\(sink.certificatePath)")
            let error = await failure { try await sender.send(sampleMessage()) }
            guard case .rejected(let reason) = error as? EmailSendError else {
                Issue.record("expected rejected, got \(String(describing: error))")
                return
            }
            #expect(reason.contains("535"))
        }
    }
}

/// A scripted SMTP server for what a real one never does: answers each command line with the bytes
/// `respond` returns (nil: read on without answering).
func withScriptedSMTPServer(
    greeting: String = "220 test ESMTP\r\n", respond: @escaping @Sendable (String) -> [UInt8]?, _ body: (Int) async throws -> Void
) async throws {
    let listener = try await ServerBootstrap(group: MultiThreadedEventLoopGroup.singleton)
        .serverChannelOption(.socketOption(.so_reuseaddr), value: 1)
        .bind(host: "127.0.0.1", port: 0) { channel in
            channel.eventLoop.makeCompletedFuture { try NIOAsyncChannel<ByteBuffer, ByteBuffer>(wrappingChannelSynchronously: channel) }
        }
    let port = try #require(listener.channel.localAddress?.port)
    try await withThrowingTaskGroup(of: Void.self) { group in
        group.addTask {
            try await listener.executeThenClose { inbound in
                for try await connection in inbound {
                    try? await connection.executeThenClose { input, output in
                        try await output.write(ByteBuffer(string: greeting))
                        var pending = ""
                        for try await chunk in input {
                            pending += String(buffer: chunk)
                            while let end = pending.range(of: "\r\n") {
                                let line = String(pending[..<end.lowerBound])
                                pending = String(pending[end.upperBound...])
                                if let answer = respond(line) { try await output.write(ByteBuffer(bytes: answer)) }
                            }
                        }
                    }
                }
            }
        }
        defer { group.cancelAll() }
        try await body(port)
    }
}

@Suite("SMTP protocol edges")
struct SMTPProtocolTests {
    @Test("SMTP URL: defaults, percent-decoded credentials, options, and a description without the password")
    func url() throws {
        let plain = try SMTPEmailSender.Configuration(url: "smtp://us%40er:p%3Ass%2Fw@mail.example.com")
        #expect(plain.host == "mail.example.com")
        #expect(plain.port == 587)
        #expect(plain.security == .startTLSIfOffered)
        #expect(plain.username == "us@er")
        #expect(plain.password == "p:ss/w")
        #expect(!plain.description.contains("p:ss/w"))
        let tls = try SMTPEmailSender.Configuration(url: "smtps://mail.example.com?timeout=3&ca_file=/etc/ca.pem")
        #expect(tls.port == 465)
        #expect(tls.security == .implicitTLS)
        #expect(tls.username == nil)
        #expect(tls.tlsCAFile == "/etc/ca.pem")
        #expect(tls.timeout == .seconds(3))
        let required = try SMTPEmailSender.Configuration(url: "smtp://127.0.0.1:2525?starttls=require&auth_insecure=1")
        #expect(required.security == .startTLSRequired)
        #expect(required.allowsInsecureAuth)
        #expect(required.port == 2525)
        for bad in ["http://mail.example.com", "smtp://", "smtp://h?starttls=maybe", "smtp://h?tls_verify=0", "smtps://h?starttls=off", "smtp://h:0"]
        {
            #expect(throws: EmailProviderConfigurationError.self, "\(bad)") { try SMTPEmailSender.Configuration(url: bad) }
        }
        #expect(throws: EmailProviderConfigurationError.self) { try SMTPEmailSender(url: "smtps://h?ca_file=/nonexistent/ca.pem") }
    }

    @Test("header values: CR/LF and other controls are encoded, never a header line of their own")
    func headerInjection() throws {
        for hostile in ["Invoice\r\nBcc: evil@attacker.example", "Invoice\nBcc: x@y.z", "Invoice\rBcc: x@y.z", "a\u{0}b", "=?UTF-8?B?QmNjOg==?="] {
            for encoded in [MIMEMessage.unstructured(hostile), MIMEMessage.phrase(hostile)] {
                // Only folding (CRLF followed by a space) may appear: a continuation of the same header.
                let lines = encoded.components(separatedBy: "\r\n")
                #expect(lines.dropFirst().allSatisfy { $0.hasPrefix(" ") }, "\(encoded)")
                #expect(!encoded.utf8.contains { $0 < 0x20 && $0 != 13 && $0 != 10 })
                #expect(!lines.contains { $0.lowercased().hasPrefix("bcc") })
                #expect(encoded.replacingOccurrences(of: "\r\n ", with: "").utf8.allSatisfy { $0 >= 0x20 && $0 < 0x7f })
            }
        }
        #expect(MIMEMessage.phrase("Acme") == "Acme")
        #expect(MIMEMessage.phrase("Acme, Inc.") == #""Acme, Inc.""#)
        #expect(MIMEMessage.phrase(#"a\b"#) == #""a\\b""#)
        #expect(MIMEMessage.phrase("Zoë") == "=?UTF-8?B?Wm/Dqw==?=")
        // A long non-ASCII subject is several encoded words of at most 75 characters, folded.
        let long = MIMEMessage.unstructured(String(repeating: "é", count: 120))
        #expect(long.components(separatedBy: "\r\n ").allSatisfy { $0.count <= 75 })
        #expect(long.components(separatedBy: "\r\n ").count > 1)
    }

    @Test("the message: CRLF everywhere, base64 bodies in 76 columns, dot-stuffing")
    func message() throws {
        let mime = MIMEMessage(sampleMessage(subject: "Hi"), date: Date(timeIntervalSince1970: 0))
        #expect(mime.text.contains("\r\nDate: Thu, 01 Jan 1970 00:00:00 +0000\r\n"))
        #expect(mime.text.hasPrefix("From: \"Acme, Inc.\" <docs@acme.example.com>\r\nTo: =?UTF-8?B?Wm/DqyBNw7xsbGVy?= <zoe@example.org>\r\n"))
        #expect(!mime.text.replacingOccurrences(of: "\r\n", with: "").contains("\n"))
        #expect(mime.text.components(separatedBy: "\r\n").allSatisfy { $0.utf8.count <= 78 })
        #expect(SMTPEmailSender.dotStuffed(".a\r\n.\r\nb\r\n..c") == "..a\r\n..\r\nb\r\n...c\r\n")
    }

    @Test("a server that never finishes its greeting: unavailable after the read timeout")
    func silentServer() async throws {
        try await withScriptedSMTPServer(greeting: "220-", respond: { _ in nil }) { port in
            let sender = try SMTPEmailSender(url: "smtp://127.0.0.1:\(port)?timeout=1")
            let error = await failure { try await sender.send(sampleMessage()) }
            #expect(error as? EmailSendError == .unavailable(SMTPConnectionError.timedOut.description))
        }
    }

    @Test("a line longer than the limit is cut off: unavailable, nothing buffered without bound")
    func endlessLine() async throws {
        try await withScriptedSMTPServer(greeting: "220 " + String(repeating: "x", count: 64 * 1024), respond: { _ in nil }) { port in
            let sender = try SMTPEmailSender(url: "smtp://127.0.0.1:\(port)?timeout=60")
            let error = await failure { try await sender.send(sampleMessage()) }
            #expect(error as? EmailSendError == .unavailable(SMTPConnectionError.lineTooLong.description))
        }
    }

    @Test("bytes injected after the STARTTLS 220 fail the session instead of being read after the upgrade")
    func startTLSInjection() async throws {
        let respond: @Sendable (String) -> [UInt8]? = { line in
            if line.hasPrefix("EHLO") { return Array("250-test\r\n250 STARTTLS\r\n".utf8) }
            if line == "STARTTLS" { return Array("220 go ahead\r\n250 injected\r\n".utf8) }
            return Array("250 ok\r\n".utf8)
        }
        try await withScriptedSMTPServer(respond: respond) { port in
            let sender = try SMTPEmailSender(url: "smtp://127.0.0.1:\(port)?timeout=60")
            let error = await failure { try await sender.send(sampleMessage()) }
            #expect(error as? EmailSendError == .unavailable(SMTPConnectionError.dataAfterStartTLS.description))
        }
    }

    @Test("multi-line replies are read whole; a 4xx is unavailable; HELO when EHLO is unknown")
    func replies() async throws {
        let seen = NIOLockedValueBox<[String]>([])
        let respond: @Sendable (String) -> [UInt8]? = { line in
            seen.withLockedValue { $0.append(line) }
            if line.hasPrefix("EHLO") { return Array("502 5.5.1 what\r\n".utf8) }
            if line.hasPrefix("HELO") { return Array("250-hello\r\n250-more\r\n250 done\r\n".utf8) }
            if line.hasPrefix("MAIL") { return Array("451-4.3.0 try\r\n451 4.3.0 later\r\n".utf8) }
            return Array("250 ok\r\n".utf8)
        }
        try await withScriptedSMTPServer(respond: respond) { port in
            let sender = try SMTPEmailSender(url: "smtp://127.0.0.1:\(port)?timeout=60")
            let error = await failure { try await sender.send(sampleMessage()) }
            #expect(error as? EmailSendError == .unavailable("451 4.3.0 try 4.3.0 later"))
        }
        let lines = seen.withLockedValue { $0 }
        #expect(lines.first?.hasPrefix("EHLO [127.0.0.1]") == true)
        #expect(lines.dropFirst().first?.hasPrefix("HELO") == true)
        #expect(lines.contains("MAIL FROM:<docs@acme.example.com>"))
    }
}
