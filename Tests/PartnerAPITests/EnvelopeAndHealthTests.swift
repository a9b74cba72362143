import Core
import Foundation
import HTTPTypes
import HummingbirdTesting
import PartnerAPI
import TestSupport
import Testing

@Suite("Error envelope, request ids and health")
struct EnvelopeAndHealthTests {
    @Test("an unknown route is 404 not_found in the envelope")
    func unknownRoute() async throws {
        try await TestApp.run(.sqlite) { client, _ in
            let result = try await client.call(.get, "/v1/nothing-here")
            #expect(result.status == 404)
            #expect(result.errorCode == "not_found")
            #expect(result.string("error", "message") != nil)
        }
    }

    @Test("a wrong method is 405 with an Allow header")
    func wrongMethod() async throws {
        try await TestApp.run(.sqlite) { client, _ in
            let result = try await client.call(.delete, "/v1/admin/provision")
            #expect(result.status == 405)
            #expect(result.errorCode == "method_not_allowed")
            #expect(result.headers[HTTPField.Name("Allow")!] == "PATCH, POST")
            // A literal segment wins over a parameter, as in the router: /sessions/refresh is not /sessions/:id.
            let refresh = try await client.call(.delete, "/v1/embed/sessions/refresh")
            #expect(refresh.status == 405)
            #expect(refresh.headers[HTTPField.Name("Allow")!] == "POST")
            let session = try await client.call(.get, "/v1/embed/sessions/\(Identifier.make())")
            #expect(session.headers[HTTPField.Name("Allow")!] == "DELETE")
        }
    }

    @Test("x-request-id is echoed when sent and generated when not")
    func requestID() async throws {
        try await TestApp.run(.sqlite) { client, _ in
            let name = HTTPField.Name("x-request-id")!
            let echoed = try await client.call(.get, "/health", headers: [name: "req-123"])
            #expect(echoed.headers[name] == "req-123")
            let generated = try await client.call(.get, "/v1/nothing")
            #expect(generated.headers[name].map(Identifier.isValid) == true)
            let forged = try await client.call(.get, "/health", headers: [name: "a b\tc"])
            #expect(forged.headers[name] != "a b\tc")
        }
    }

    @Test("health is 200 with every check ok on both paths", arguments: ["/health", "/v1/health"])
    func healthy(path: String) async throws {
        try await TestApp.run(.sqlite, environment: ["CRAFTKIT_VERSION": "abc1234"]) { client, _ in
            let result = try await client.call(.get, path)
            #expect(result.status == 200)
            #expect(result.string("status") == "ok")
            #expect(result.string("version") == "abc1234")
            #expect(result.json["checks"] == .object(["database": .string("ok"), "storage": .string("ok")]))
        }
    }

    @Test("health is 503 degraded when the database is down", arguments: DatabaseLeg.all)
    func brokenDatabase(leg: DatabaseLeg) async throws {
        try await TestApp.run(leg) { client, services in
            try await services.database.shutdown()
            let result = try await client.call(.get, "/v1/health")
            #expect(result.status == 503)
            #expect(result.string("status") == "degraded")
            #expect(result.json["checks"]?["database"] == .string("error"))
            #expect(result.json["checks"]?["storage"] == .string("ok"))
        }
    }
}
