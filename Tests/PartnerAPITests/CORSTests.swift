import Core
import HTTPTypes
import HummingbirdTesting
import PartnerAPI
import TestSupport
import Testing

@Suite("CORS for the embed API")
struct CORSTests {
    let origin = HTTPField.Name("Origin")!
    let requestMethod = HTTPField.Name("Access-Control-Request-Method")!
    let allowOrigin = HTTPField.Name("Access-Control-Allow-Origin")!

    @Test("a preflight from an allowed origin is answered with that exact origin; others are refused", arguments: DatabaseLeg.all)
    func preflight(leg: DatabaseLeg) async throws {
        try await TestApp.run(leg) { client, _ in
            let provisioned = try await client.call(
                .post, "/v1/admin/provision", bearer: TestApp.adminKey, json: #"{"externalOrgId":"acme","allowedOrigins":["https://app.acme.com"]}"#
            )
            let key = try #require(provisioned.string("apiKey"))
            let allowed = try await client.call(.options, "/v1/embed/sessions", headers: [origin: "https://app.acme.com", requestMethod: "POST"])
            #expect(allowed.status == 204)
            #expect(allowed.headers[allowOrigin] == "https://app.acme.com")
            #expect(allowed.headers[.vary] == "Origin")
            let refused = try await client.call(.options, "/v1/embed/sessions", headers: [origin: "https://evil.example", requestMethod: "POST"])
            #expect(refused.status == 403)
            #expect(refused.headers[allowOrigin] == nil)
            let wildcardTrick = try await client.call(
                .options, "/v1/embed/sessions", headers: [origin: "https://app_acme.com", requestMethod: "POST"])
            #expect(wildcardTrick.status == 403)
            let actual = try await client.call(.get, "/v1/embed/jwks.json", bearer: key, headers: [origin: "https://app.acme.com"])
            #expect(actual.status == 200)
            #expect(actual.headers[allowOrigin] == "https://app.acme.com")
            #expect(
                try await client.call(.get, "/v1/embed/jwks.json", bearer: key, headers: [origin: "https://evil.example"]).headers[allowOrigin] == nil
            )
        }
    }
}
