import Core
import Testing

@Suite("API key material")
struct APIKeyMaterialTests {
    @Test("keys are the environment prefix plus 32 base62 characters", arguments: APIKeyMaterial.Environment.allCases)
    func format(environment: APIKeyMaterial.Environment) {
        let key = APIKeyMaterial.generate(environment)
        #expect(key.hasPrefix("ck_\(environment.rawValue)_"))
        let random = key.dropFirst(environment.prefix.count)
        #expect(random.count == 32)
        #expect(random.allSatisfy { $0.isASCII && ($0.isLetter || $0.isNumber) })
        #expect(APIKeyMaterial.environment(of: key) == environment)
    }

    @Test("a thousand keys are all different")
    func unique() {
        let keys = Set((0..<1000).map { _ in APIKeyMaterial.generate(.live) })
        #expect(keys.count == 1000)
    }

    @Test(
        "strings that are not keys are recognised as such",
        arguments: [
            "", "ck_live_", "ck_live_short", "ck_acct_" + String(repeating: "a", count: 32), "ck_live_" + String(repeating: "-", count: 32),
            "Bearer ck_live_" + String(repeating: "a", count: 32),
        ]
    )
    func rejectsNonKeys(input: String) {
        #expect(APIKeyMaterial.environment(of: input) == nil)
    }

    @Test("the hash is lower-case hex SHA-256 and the display prefix keeps five characters")
    func hashAndPrefix() {
        #expect(APIKeyMaterial.hash("abc") == "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad")
        let key = "ck_live_aBcDeFgHiJkLmNoPqRsTuVwXyZ012345"
        #expect(APIKeyMaterial.displayPrefix(key) == "ck_live_aBcDe")
    }

    @Test("constant-time comparison matches equality")
    func constantTime() {
        #expect(ConstantTime.equals("same-secret", "same-secret"))
        #expect(!ConstantTime.equals("same-secret", "same-secreT"))
        #expect(!ConstantTime.equals("short", "a much longer secret"))
        #expect(!ConstantTime.equals("", "x"))
    }

    @Test("signing keys are Ed25519: 32-byte halves and a stable key id")
    func signingKeys() {
        let material = SigningKeyMaterial.generate()
        #expect(Base64URL.decode(material.publicKey)?.count == 32)
        #expect(Base64URL.decode(material.privateKey)?.count == 32)
        #expect(material.keyID.count == 16)
        #expect(SigningKeyMaterial.generate().keyID != material.keyID)
    }
}
