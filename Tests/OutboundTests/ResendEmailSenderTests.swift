import Delivery
import Foundation
import NIOConcurrencyHelpers
import Testing

@testable import Outbound

func sampleMessage(subject: String = "Your invoice", fromName: String? = "Acme, Inc.", toName: String? = "Zoë Müller") -> EmailMessage {
    EmailMessage(
        from: EmailAddress.make(address: "docs@acme.example.com", displayName: fromName)!,
        to: EmailAddress.make(address: "zoe@example.org", displayName: toName)!, subject: subject,
        html: "<p>Hello, your document: <a href=\"https://docs.example.com/share/cks_abc123\">open it</a></p>",
        text: "Hello, your document: https://docs.example.com/share/cks_abc123")
}

/// The request body a loopback server received on its only connection.
func receivedBody(_ server: LoopbackServer) throws -> [String: Any] {
    let bytes = server.bytes.withLockedValue { $0 }
    let end = try #require(bytes.indices.dropLast(3).first { bytes[$0..<$0 + 4] == [13, 10, 13, 10] })
    return try #require(try JSONSerialization.jsonObject(with: Data(bytes[(end + 4)...])) as? [String: Any])
}

func header(_ name: String, in head: String) -> String? {
    head.split(separator: "\r\n").first { $0.lowercased().hasPrefix(name.lowercased() + ":") }
        .map { String($0.dropFirst(name.count + 1)).trimmingCharacters(in: .whitespaces) }
}

func jsonAnswer(_ status: String, _ body: String) -> LoopbackServer.Respond {
    { _, writer in
        try await writer.send(
            "HTTP/1.1 \(status)\nContent-Type: application/json\nContent-Length: \(body.utf8.count)\nConnection: close", body: Array(body.utf8))
    }
}

@Suite("Resend email sender")
struct ResendEmailSenderTests {
    @Test("posts the message to /emails as Resend documents it and returns the id")
    func sends() async throws {
        let id = try await LoopbackServer.run(respond: jsonAnswer("200 OK", #"{"id":"49a3999c-0ce1-4ea6-ab68-afcd6dc2e794"}"#)) { port, server in
            let sender = try ResendEmailSender(apiKey: "re_test_123", baseURL: "http://127.0.0.1:\(port)/")
            let id = try await sender.send(sampleMessage())
            let head = try #require(server.heads.withLockedValue { $0.first })
            #expect(head.hasPrefix("POST /emails HTTP/1.1"))
            #expect(header("Authorization", in: head) == "Bearer re_test_123")
            #expect(header("Content-Type", in: head) == "application/json")
            let key = try #require(header("Idempotency-Key", in: head))
            #expect(UUID(uuidString: key) != nil)
            let body = try receivedBody(server)
            #expect(body["from"] as? String == #""Acme, Inc." <docs@acme.example.com>"#)
            #expect(body["to"] as? [String] == ["Zoë Müller <zoe@example.org>"])
            #expect(body["subject"] as? String == "Your invoice")
            #expect((body["html"] as? String)?.contains(#"href="https://docs.example.com/share/cks_abc123""#) == true)
            #expect(body["text"] as? String == "Hello, your document: https://docs.example.com/share/cks_abc123")
            #expect(server.requests.withLockedValue { $0 } == 1)
            return id
        }
        #expect(id == "49a3999c-0ce1-4ea6-ab68-afcd6dc2e794")
    }

    @Test("a 422 is Resend refusing: rejected with its message, not retried")
    func rejected() async throws {
        let answer = #"{"statusCode":422,"name":"validation_error","message":"Invalid `to` field."}"#
        try await LoopbackServer.run(respond: jsonAnswer("422 Unprocessable Entity", answer)) { port, server in
            let sender = try ResendEmailSender(apiKey: "re_test_123", baseURL: "http://127.0.0.1:\(port)", backoff: [.zero, .zero])
            let error = await failure { try await sender.send(sampleMessage()) }
            #expect(error as? EmailSendError == .rejected("Invalid `to` field."))
            #expect(server.requests.withLockedValue { $0 } == 1)
        }
    }

    @Test("a 401 is rejected too, and the error never carries the API key")
    func badKey() async throws {
        let answer = #"{"statusCode":401,"name":"missing_api_key","message":"API key is invalid"}"#
        try await LoopbackServer.run(respond: jsonAnswer("401 Unauthorized", answer)) { port, _ in
            let sender = try ResendEmailSender(apiKey: "re_secret_987", baseURL: "http://127.0.0.1:\(port)")
            let error = try #require(await failure { try await sender.send(sampleMessage()) })
            #expect(error as? EmailSendError == .rejected("API key is invalid"))
            #expect(!String(describing: error).contains("re_secret_987"))
        }
    }

    @Test("500 twice then 200: sent on the third attempt, with the same Idempotency-Key each time")
    func retries() async throws {
        let calls = NIOLockedValueBox(0)
        let respond: LoopbackServer.Respond = { head, writer in
            let call = calls.withLockedValue { count in
                count += 1
                return count
            }
            if call < 3 {
                try await jsonAnswer("500 Internal Server Error", #"{"statusCode":500,"name":"internal_server_error","message":"boom"}"#)(
                    head, writer)
            } else {
                try await jsonAnswer("200 OK", #"{"id":"third"}"#)(head, writer)
            }
        }
        try await LoopbackServer.run(respond: respond) { port, server in
            // A deadline far past what three loopback attempts need even on a loaded machine: the test is about
            // the retries, not the deadline.
            let sender = try ResendEmailSender(
                apiKey: "re_test_123", baseURL: "http://127.0.0.1:\(port)", deadline: .seconds(120), backoff: [.milliseconds(10), .milliseconds(10)])
            #expect(try await sender.send(sampleMessage()) == "third")
            let keys = server.heads.withLockedValue { $0 }.map { header("Idempotency-Key", in: $0) }
            #expect(keys.count == 3)
            #expect(Set(keys).count == 1)
        }
    }

    @Test("5xx on every attempt: unavailable after three")
    func givesUp() async throws {
        try await LoopbackServer.run(respond: jsonAnswer("503 Service Unavailable", "{}")) { port, server in
            let sender = try ResendEmailSender(
                apiKey: "re_test_123", baseURL: "http://127.0.0.1:\(port)", deadline: .seconds(120), backoff: [.zero, .zero])
            let error = await failure { try await sender.send(sampleMessage()) }
            #expect(error as? EmailSendError == .unavailable("Resend answered 503: HTTP 503"))
            #expect(server.requests.withLockedValue { $0 } == 3)
        }
    }

    @Test("connection refused: unavailable")
    func refused() async throws {
        let port = try await LoopbackServer.closedPort()
        let sender = try ResendEmailSender(apiKey: "re_test_123", baseURL: "http://127.0.0.1:\(port)", backoff: [.zero, .zero])
        let error = try #require(await failure { try await sender.send(sampleMessage()) })
        guard case .unavailable(let reason) = error as? EmailSendError else {
            Issue.record("expected unavailable, got \(error)")
            return
        }
        #expect(reason.contains("connect failed"))
    }

    @Test(
        "a bad key or base URL is refused at startup",
        arguments: [("", "https://api.resend.com"), ("re_x", "ftp://x"), ("re x", "https://api.resend.com")])
    func badConfiguration(key: String, base: String) {
        #expect(throws: EmailProviderConfigurationError.self) { try ResendEmailSender(apiKey: key, baseURL: base) }
    }
}
