import Core
import Foundation
import HummingbirdTesting
import PartnerAPI
import TestSupport
import Testing

@Suite("Revoked and retired credentials")
struct CredentialRevocationTests {
    let mint = #"{"tenant":{"externalId":"t1","displayName":"Tenant One"},"actor":{"externalId":"u1"}}"#

    @Test(
        "20 concurrent refreshes with one renew token: one wins, the others get refresh_failed, and the session is revoked",
        arguments: DatabaseLeg.all)
    func concurrentRefresh(leg: DatabaseLeg) async throws {
        try await TestApp.run(leg) { client, services in
            let key = try await provisionKey(client)
            let minted = try await client.call(.post, "/v1/embed/sessions", bearer: key, json: mint)
            let renew = try #require(minted.string("renew_token"))
            let results = try await withThrowingTaskGroup(of: TestResult.self) { group in
                for _ in 0..<20 {
                    group.addTask { try await client.call(.post, "/v1/embed/sessions/refresh", bearer: key, json: #"{"renewToken":"\#(renew)"}"#) }
                }
                return try await group.reduce(into: []) { $0.append($1) }
            }
            let winners = results.filter { $0.status == 200 }
            #expect(winners.count == 1, "\(results.map(\.status))")
            #expect(results.filter { $0.flatErrorCode == "refresh_failed" }.count == 19)
            let token = try #require(winners.first?.string("session_token"))
            await #expect(throws: AppError.self, "a renew token used twice revokes the session") { try await services.sessions.verify(token) }
        }
    }

    @Test("a retired signing key stops verifying its tokens within two seconds, even tokens verified before")
    func retiredSigningKey() async throws {
        try await TestApp.run(.sqlite) { client, services in
            let key = try await provisionKey(client)
            let token = try #require(try await client.call(.post, "/v1/embed/sessions", bearer: key, json: mint).string("session_token"))
            _ = try await services.sessions.verify(token)
            try await services.database.sql.raw("UPDATE signing_keys SET retired_at = 1").run()
            try await Task.sleep(for: .milliseconds(2_100))
            await #expect(throws: AppError.self) { try await services.sessions.verify(token) }
            #expect(try await client.call(.get, "/v1/embed/session", bearer: token).status == 401)
        }
    }
}
