import Core
import Foundation
import Testing
import Webhooks

@Suite("Webhook signatures")
struct WebhookSignatureTests {
    @Test("the signature is hex HMAC-SHA256 over timestamp.body")
    func knownAnswer() {
        // HMAC-SHA256("key", "The quick brown fox jumps over the lazy dog"), the well-known test value.
        #expect(
            HMACHex.sign(secret: "key", body: Data("The quick brown fox jumps over the lazy dog".utf8))
                == "f7bc83f430538424b13298e6aa6fb143ef4d59a14946175997479dbc2d1a3cd8"
        )
        #expect(WebhookSignature.sign(secret: "key", timestamp: 1, body: Data("x".utf8)) == HMACHex.sign(secret: "key", body: Data("1.x".utf8)))
    }

    @Test("verification accepts the right hex signature only")
    func verify() {
        let body = Data(#"{"a":1}"#.utf8)
        let signature = HMACHex.sign(secret: "s3cret", body: body)
        #expect(HMACHex.verify(secret: "s3cret", body: body, signature: signature))
        #expect(HMACHex.verify(secret: "s3cret", body: body, signature: signature.uppercased()))
        #expect(!HMACHex.verify(secret: "other", body: body, signature: signature))
        #expect(!HMACHex.verify(secret: "s3cret", body: body, signature: "zz"))
        #expect(!HMACHex.verify(secret: "s3cret", body: body, signature: String(repeating: "g", count: 64)))
    }

    @Test("secrets are whsec_ plus 43 base64url characters and all differ")
    func secrets() {
        let secrets = (0..<100).map { _ in WebhookSignature.generateSecret() }
        #expect(Set(secrets).count == 100)
        #expect(secrets.allSatisfy { $0.hasPrefix("whsec_") && $0.count == 49 })
    }
}
