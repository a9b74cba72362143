import Foundation
import Testing
import Webhooks

@Suite("Webhook signatures")
struct WebhookSignatureTests {
    @Test("the signature is hex HMAC-SHA256 over timestamp.body (RFC 4231 key and data)")
    func knownAnswer() {
        // HMAC-SHA256("key", "The quick brown fox jumps over the lazy dog") from the Wikipedia HMAC article.
        let body = Data("quick brown fox jumps over the lazy dog".utf8)
        #expect(
            WebhookSignature.signBody(secret: "key", body: Data("The ".utf8) + body)
                == "f7bc83f430538424b13298e6aa6fb143ef4d59a14946175997479dbc2d1a3cd8")
        #expect(
            WebhookSignature.sign(secret: "key", timestamp: 1, body: Data("x".utf8))
                == WebhookSignature.signBody(secret: "key", body: Data("1.x".utf8)))
    }

    @Test("inbound verification accepts the right hex signature only")
    func verify() {
        let body = Data(#"{"a":1}"#.utf8)
        let signature = WebhookSignature.signBody(secret: "s3cret", body: body)
        #expect(WebhookSignature.verifyBody(secret: "s3cret", body: body, signature: signature))
        #expect(WebhookSignature.verifyBody(secret: "s3cret", body: body, signature: signature.uppercased()))
        #expect(!WebhookSignature.verifyBody(secret: "other", body: body, signature: signature))
        #expect(!WebhookSignature.verifyBody(secret: "s3cret", body: body, signature: "zz"))
    }

    @Test("secrets are whsec_ plus 43 base64url characters and all differ")
    func secrets() {
        let secrets = (0..<100).map { _ in WebhookSignature.generateSecret() }
        #expect(Set(secrets).count == 100)
        #expect(secrets.allSatisfy { $0.hasPrefix("whsec_") && $0.count == 49 })
    }
}
