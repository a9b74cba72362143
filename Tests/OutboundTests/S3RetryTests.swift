import Core
import Foundation
import NIOConcurrencyHelpers
import Outbound
import Testing

/// The S3 store's retries, against a loopback stub that answers 503 SlowDown (or worse) first.
@Suite("S3 blob store retries")
struct S3RetryTests {
    static let slowDown = Array("<Error><Code>SlowDown</Code><Message>Please reduce your request rate.</Message></Error>".utf8)

    func store(port: Int, maxAttempts: Int = 4, sessionToken: String? = nil) -> S3BlobStore {
        let location = S3Location(
            bucket: "bucket", prefix: "pre", endpoint: URL(string: "http://127.0.0.1:\(port)")!, region: "us-east-1", pathStyle: true,
            accessKeyID: "AKID", secretAccessKey: "SECRET", sessionToken: sessionToken)
        return S3BlobStore(
            location: location,
            tuning: .init(maxAttempts: maxAttempts, baseBackoff: .milliseconds(5), maxBackoff: .milliseconds(20), requestTimeout: .seconds(20)))
    }

    @Test("a PUT answered 503 SlowDown twice is retried and succeeds on the third attempt, signed each time")
    func retriesOn503() async throws {
        let answered = NIOLockedValueBox(0)
        try await LoopbackServer.run(respond: { _, writer in
            let attempt = answered.withLockedValue { count in
                count += 1
                return count
            }
            if attempt <= 2 {
                try await writer.send(
                    "HTTP/1.1 503 Slow Down\nContent-Type: application/xml\nContent-Length: \(Self.slowDown.count)\nConnection: close",
                    body: Self.slowDown)
            } else {
                try await writer.send("HTTP/1.1 200 OK\nETag: \"abc\"\nContent-Length: 0\nConnection: close")
            }
        }) { port, server in
            try await store(port: port, sessionToken: "session-token").put(Data("hello".utf8), key: "a/b.pdf")
            let heads = server.heads.withLockedValue { $0 }
            #expect(heads.count == 3)
            for head in heads {
                #expect(head.hasPrefix("PUT /bucket/pre/a/b.pdf HTTP/1.1"))
                #expect(head.lowercased().contains("authorization: aws4-hmac-sha256 credential=akid/"))
                #expect(head.contains("x-amz-security-token: session-token"))
                // The payload is hashed, not UNSIGNED-PAYLOAD.
                #expect(head.contains("x-amz-content-sha256: 2cf24dba5fb0a30e26e83b2ac5b9e29e1b161e5c1fa7425e73043362938b9824"))
            }
        }
    }

    @Test("retries are bounded: after maxAttempts 500s the store reports unavailable")
    func givesUp() async throws {
        try await LoopbackServer.run(respond: { _, writer in
            try await writer.send("HTTP/1.1 500 Internal Server Error\nContent-Length: 0\nConnection: close")
        }) { port, server in
            await #expect(throws: BlobStoreError.self) { try await store(port: port, maxAttempts: 3).get(key: "k") }
            #expect(server.requests.withLockedValue { $0 } == 3)
        }
    }

    @Test("a connection refused is retried, then reported")
    func connectionErrors() async throws {
        let port = try await LoopbackServer.closedPort()
        await #expect(throws: BlobStoreError.self) { try await store(port: port, maxAttempts: 3).delete(key: "k") }
    }

    @Test("a 403 is not retried")
    func noRetryOnDenied() async throws {
        try await LoopbackServer.run(respond: { _, writer in
            let body = Array("<Error><Code>AccessDenied</Code></Error>".utf8)
            try await writer.send("HTTP/1.1 403 Forbidden\nContent-Length: \(body.count)\nConnection: close", body: body)
        }) { port, server in
            let error = await #expect(throws: BlobStoreError.self) { try await store(port: port).put(Data("x".utf8), key: "k") }
            #expect(String(describing: error).contains("AccessDenied"))
            #expect(server.requests.withLockedValue { $0 } == 1)
        }
    }

    @Test("virtual-hosted addressing puts the bucket in the host; presigned URLs follow the style")
    func addressing() throws {
        let virtual = S3BlobStore(
            location: S3Location(
                bucket: "my-bucket", prefix: "p", endpoint: URL(string: "https://s3.eu-west-1.amazonaws.com")!, region: "eu-west-1",
                pathStyle: false, accessKeyID: "AKID", secretAccessKey: "SECRET"))
        let url = try #require(virtual.presignedURL(key: "renders/x.pdf", expires: .seconds(300)))
        #expect(url.absoluteString.hasPrefix("https://my-bucket.s3.eu-west-1.amazonaws.com/p/renders/x.pdf?X-Amz-Algorithm=AWS4-HMAC-SHA256&"))
        #expect(url.absoluteString.contains("X-Amz-Expires=300&"))
        #expect(url.absoluteString.contains("%2Feu-west-1%2Fs3%2Faws4_request"))
        #expect(virtual.presignedURL(key: "../escape", expires: .seconds(300)) == nil)

        let pathStyle = store(port: 9000)
        let local = try #require(pathStyle.presignedURL(key: "k.pdf", expires: .seconds(60)))
        #expect(local.absoluteString.hasPrefix("http://127.0.0.1:9000/bucket/pre/k.pdf?"))
    }
}
