import Core
import Foundation
import HTTPTypes
import HummingbirdTesting
import PartnerAPI
import Storage
import TestSupport
import Testing

@Suite("Rate limits")
struct RateLimitTests {
    @Test("a key over its per-minute limit gets 429 rate_limited with Retry-After", arguments: DatabaseLeg.all)
    func perKey(leg: DatabaseLeg) async throws {
        try await TestApp.run(leg, environment: ["CRAFTKIT_RATE_LIMIT_PER_KEY": "3"]) { client, _ in
            let key = try await provisionKey(client)
            try await awayFromMinuteBoundary()
            for _ in 0..<3 { #expect(try await client.call(.get, "/v1/keys", bearer: key).status == 200) }
            let limited = try await client.call(.get, "/v1/keys", bearer: key)
            #expect(limited.status == 429)
            #expect(limited.errorCode == "rate_limited")
            let wait = try #require(limited.headers[HTTPField.Name("Retry-After")!].flatMap { Int($0) })
            #expect((1...60).contains(wait))
            // Another key of another project has its own budget.
            #expect(try await client.call(.get, "/v1/keys", bearer: try await provisionKey(client, org: "other")).status == 200)
        }
    }

    @Test("a session over its limit gets 429 too")
    func perSession() async throws {
        try await TestApp.run(.sqlite, environment: ["CRAFTKIT_RATE_LIMIT_PER_SESSION": "1"]) { client, _ in
            let key = try await provisionKey(client)
            let minted = try await client.call(
                .post, "/v1/embed/sessions", bearer: key,
                json: #"{"tenant":{"externalId":"t","displayName":"T"},"actor":{"externalId":"a"},"scope":{"mode":"fill","templateExternalId":"x"}}"#
            )
            let token = try #require(minted.string("session_token"))
            let id = try #require(minted.string("session_id"))
            try await awayFromMinuteBoundary()
            #expect(try await client.call(.post, "/v1/embed/form-submit/\(id)", bearer: token, json: "{}").status != 429)
            #expect(try await client.call(.post, "/v1/embed/form-submit/\(id)", bearer: token, json: "{}").errorCode == "rate_limited")
        }
    }

    @Test("windows reset each minute", arguments: DatabaseLeg.all)
    func windows(leg: DatabaseLeg) async throws {
        try await leg.withDatabase { database, _ async throws in
            let limiter: any RateLimiter = SQLRateLimiter(database: database)
            let start = Date(timeIntervalSince1970: 1_800_000_000)
            #expect(try await limiter.hit(bucket: "b", limit: 2, now: start) == nil)
            #expect(try await limiter.hit(bucket: "b", limit: 2, now: start) == nil)
            #expect(try await limiter.hit(bucket: "b", limit: 2, now: start.addingTimeInterval(1)) == 59)
            #expect(try await limiter.hit(bucket: "b", limit: 2, now: start.addingTimeInterval(60)) == nil)
            let memory = InMemoryRateLimiter()
            #expect(try await memory.hit(bucket: "b", limit: 1, now: start) == nil)
            #expect(try await memory.hit(bucket: "b", limit: 1, now: start) == 60)
        }
    }
}
