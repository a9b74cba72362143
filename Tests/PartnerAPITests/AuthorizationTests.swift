import Core
import Foundation
import HTTPTypes
import HummingbirdTesting
import PartnerAPI
import TestSupport
import Testing

@Suite("Authorization")
struct AuthorizationTests {
    let admin = TestApp.adminKey

    func provision(_ client: any TestClientProtocol, _ org: String = "acme") async throws -> String {
        let result = try await client.call(.post, "/v1/admin/provision", bearer: admin, json: #"{"externalOrgId":"\#(org)"}"#)
        return try #require(result.string("apiKey"))
    }

    @Test("no Authorization header is 401 missing_authorization", arguments: ["/v1/keys", "/v1/embed/jwks.json", "/v1/admin/provision"])
    func missingHeader(path: String) async throws {
        try await TestApp.run(.sqlite) { client, _ in
            let method: HTTPRequest.Method = path.hasPrefix("/v1/admin") ? .post : .get
            let result = try await client.call(method, path, json: method == .post ? "{}" : nil)
            #expect(result.status == 401)
            if path == "/v1/keys" {
                #expect(result.errorCode == "missing_authorization")
            } else {
                #expect(result.flatErrorCode == "missing_authorization", "\(result.body)")
            }
        }
    }

    @Test(
        "credential refusals on the admin and partner-key embed routes are Craftkit's flat body; session routes keep the envelope",
        arguments: DatabaseLeg.all)
    func flatRefusals(leg: DatabaseLeg) async throws {
        try await TestApp.run(leg) { client, _ in
            let unknown = "ck_live_\(String(repeating: "B", count: 32))"
            let partnerRoutes: [(HTTPRequest.Method, String, String?)] = [
                (.get, "/v1/embed/renders", nil), (.get, "/v1/embed/builder/templates", nil), (.get, "/v1/embed/jwks.json", nil),
                (.post, "/v1/embed/catalogs", "{}"), (.post, "/v1/embed/sessions", "{}"), (.post, "/v1/embed/sessions/refresh", "{}"),
                (.get, "/v1/embed/renders/\(UUID().uuidString.lowercased())/download", nil),
            ]
            for (method, path, body) in partnerRoutes {
                let missing = try await client.call(method, path, json: body)
                #expect(missing.status == 401)
                #expect(missing.flatErrorCode == "missing_authorization", "\(path): \(missing.body)")
                let wrong = try await client.call(method, path, bearer: unknown, json: body)
                #expect(wrong.status == 401)
                #expect(wrong.flatErrorCode == "invalid_credentials", "\(path): \(wrong.body)")
            }
            let admin = try await client.call(.post, "/v1/admin/provision", bearer: unknown, json: #"{"externalOrgId":"x"}"#)
            #expect(admin.flatErrorCode == "unauthorized", "\(admin.body)")
            // Session-token routes and project routes answer the envelope.
            let session = try await client.call(.post, "/v1/embed/form-submit/\(UUID().uuidString.lowercased())", bearer: "garbage", json: "{}")
            #expect(session.status == 401)
            #expect(session.errorCode == "unauthorized")
            #expect(session.flatErrorCode == nil)
            let project = try await client.call(.get, "/v1/renders", bearer: unknown)
            #expect(project.errorCode == "unauthorized")
            #expect(project.flatErrorCode == nil)
        }
    }

    @Test(
        "garbled, Basic or unknown credentials are 401 unauthorized",
        arguments: [
            "Basic dXNlcjpwYXNz", "Bearer", "Bearer ", "garbage", "Bearer ck_live_unknownunknownunknownunknown12",
            "Bearer ck_live_\(String(repeating: "A", count: 32))",
        ]
    )
    func badCredentials(header: String) async throws {
        try await TestApp.run(.sqlite) { client, _ in
            let result = try await client.call(.get, "/v1/keys", headers: [.authorization: header])
            #expect(result.status == 401)
            #expect(result.errorCode == "unauthorized")
        }
    }

    @Test("on /v1/embed/* an unknown key is 401 invalid_credentials")
    func embedCode() async throws {
        try await TestApp.run(.sqlite) { client, _ in
            let result = try await client.call(.get, "/v1/embed/jwks.json", bearer: "ck_live_\(String(repeating: "A", count: 32))")
            #expect(result.status == 401)
            #expect(result.flatErrorCode == "invalid_credentials")
        }
    }

    @Test("a wrong admin key and a project key are 401 on the admin routes")
    func adminRoutes() async throws {
        try await TestApp.run(.sqlite) { client, _ in
            let key = try await provision(client)
            for bearer in ["wrong-admin-key-0123456789", key] {
                let result = try await client.call(.post, "/v1/admin/provision", bearer: bearer, json: #"{"externalOrgId":"x"}"#)
                #expect(result.status == 401)
                #expect(result.flatErrorCode == "unauthorized")
            }
        }
    }

    @Test("the admin key is not a project key")
    func adminKeyOnProjectRoutes() async throws {
        try await TestApp.run(.sqlite) { client, _ in
            let result = try await client.call(.get, "/v1/keys", bearer: admin)
            #expect(result.status == 401)
            #expect(result.errorCode == "unauthorized")
        }
    }

    @Test("a provisioned project reads its partner's public keys as a JWK Set", arguments: DatabaseLeg.all)
    func jwks(leg: DatabaseLeg) async throws {
        try await TestApp.run(leg) { client, _ in
            let provisioned = try await client.call(.post, "/v1/admin/provision", bearer: admin, json: #"{"externalOrgId":"acme"}"#)
            let key = try #require(provisioned.string("apiKey"))
            let result = try await client.call(.get, "/v1/embed/jwks.json", bearer: key)
            #expect(result.status == 200)
            guard case .array(let keys)? = result.json["keys"], let first = keys.first else {
                Issue.record("no keys in \(result.body)")
                return
            }
            #expect(first["kid"] == provisioned.json["embed"]?["signingKeyId"])
            #expect(first["crv"] == .string("Ed25519"))
            #expect(first["d"] == nil)
        }
    }
}
