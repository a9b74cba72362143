import Core
import Foundation
import Testing

@Suite("SecretBox")
struct SecretBoxTests {
    let box = SecretBox(secret: "an-operator-secret-of-some-length")

    @Test("a sealed value opens with the same key and context")
    func roundTrip() throws {
        let sealed = try box.seal("ck_live_secret", context: "api_key:1")
        #expect(try box.open(sealed, context: "api_key:1") == "ck_live_secret")
        #expect(!sealed.contains("ck_live_secret"))
    }

    @Test("every sealed value names its key id and uses a fresh nonce")
    func namesKeyID() throws {
        let first = try box.seal("x", context: "c")
        let second = try box.seal("x", context: "c")
        #expect(SecretBox.keyID(of: first) == box.primary.id)
        #expect(first.hasPrefix("ck1.\(box.primary.id)."))
        #expect(first != second)
    }

    @Test("a value sealed for one row does not open for another")
    func contextIsAuthenticated() throws {
        let sealed = try box.seal("secret", context: "api_key:1")
        #expect(throws: SecretBox.Failure.authenticationFailed) { try box.open(sealed, context: "api_key:2") }
    }

    @Test("a flipped byte is rejected")
    func tamperingIsRejected() throws {
        var sealed = Array(try box.seal("secret", context: "c"))
        let index = sealed.count - 5
        sealed[index] = sealed[index] == "A" ? "B" : "A"
        #expect(throws: SecretBox.Failure.self) { try box.open(String(sealed), context: "c") }
    }

    @Test("another key cannot open it, and says which key is missing")
    func wrongKey() throws {
        let sealed = try box.seal("secret", context: "c")
        let other = SecretBox(secret: "a-completely-different-secret")
        #expect(throws: SecretBox.Failure.unknownKey(box.primary.id)) { try other.open(sealed, context: "c") }
    }

    @Test("during rotation the new box opens values sealed under a previous key")
    func previousKeysStillOpen() throws {
        let old = try box.seal("secret", context: "c")
        let rotated = SecretBox(secret: "the-new-secret-after-rotation", previousSecrets: ["an-operator-secret-of-some-length"])
        #expect(try rotated.open(old, context: "c") == "secret")
        #expect(SecretBox.keyID(of: try rotated.seal("secret", context: "c")) == rotated.primary.id)
    }

    @Test("garbage is malformed, not a crash", arguments: ["", "ck1..", "ck2.abc.def", "ck1.abcd.!!!", "ck1.abcd"])
    func malformed(input: String) {
        #expect(throws: SecretBox.Failure.self) { try box.open(input, context: "c") }
    }
}
