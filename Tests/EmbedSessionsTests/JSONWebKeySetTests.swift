import EmbedSessions
import Foundation
import Testing

@Suite("JWK Set")
struct JSONWebKeySetTests {
    @Test("keys encode as Ed25519 OKP keys for EdDSA")
    func encoding() throws {
        let set = JSONWebKeySet(keys: [.init(kid: "k1", x: "abc")])
        let json = try #require(try JSONSerialization.jsonObject(with: JSONEncoder().encode(set)) as? [String: [[String: String]]])
        #expect(json["keys"]?.first == ["kty": "OKP", "crv": "Ed25519", "use": "sig", "alg": "EdDSA", "kid": "k1", "x": "abc"])
    }
}
