import Core
import Foundation
import Testing
import Webhooks

@Suite("Webhook signatures")
struct WebhookSignatureTests {
    @Test("x-craftkit-signature is the hex HMAC-SHA256 of the raw body under the secret as shown")
    func knownAnswer() {
        // HMAC-SHA256("key", "The quick brown fox jumps over the lazy dog"), the well-known test value.
        #expect(
            HMACHex.sign(secret: "key", body: Data("The quick brown fox jumps over the lazy dog".utf8))
                == "f7bc83f430538424b13298e6aa6fb143ef4d59a14946175997479dbc2d1a3cd8"
        )
        #expect(WebhookSignature.sign(secret: "whsec_key", body: Data("x".utf8)) == HMACHex.sign(secret: "whsec_key", body: Data("x".utf8)))
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

    @Test("secrets are whsec_ plus the standard base64 of 32 random bytes, and all differ")
    func secrets() {
        let secrets = (0..<100).map { _ in WebhookSignature.generateSecret() }
        #expect(Set(secrets).count == 100)
        #expect(secrets.allSatisfy { $0.hasPrefix("whsec_") && Data(base64Encoded: String($0.dropFirst(6)))?.count == 32 })
    }

    @Test("the Standard Webhooks signature matches the specification's published example")
    func standardWebhooksExample() {
        // The example of the Standard Webhooks specification (and its libraries' test suites).
        let secret = "whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw"
        let body = Data(#"{"test": 2432232314}"#.utf8)
        #expect(
            WebhookSignature.standardSignature(secret: secret, id: "msg_p5jXN8AQM9LWM0D4loKWxJek", timestamp: 1_614_265_330, body: body)
                == "v1,g0hM9SsE+OTPJTGt/tmIKtSyZlE3uFJELVlNIOLJ1OE=")
    }
}
