import Core
import EmbedSessions
import Foundation
import HummingbirdTesting
import PartnerAPI
import Storage
import TestSupport
import Testing

struct FixedClock: WallClock {
    let date: Date
    func now() -> Date { date }
}

@Suite("Embed sessions")
struct EmbedSessionTests {
    let mint = #"{"tenant":{"externalId":"t1","displayName":"Tenant One"},"actor":{"externalId":"u1","displayName":"Ada","email":"ada@example.com"}}"#

    func claims(of token: String) throws -> JSONValue {
        let part = token.split(separator: ".")[1]
        return try JSONValue.parse(try #require(Base64URL.decode(String(part))))
    }

    @Test("minting returns a snake_case session whose EdDSA token verifies with the partner's JWKS key", arguments: DatabaseLeg.all)
    func mints(leg: DatabaseLeg) async throws {
        try await TestApp.run(leg) { client, services in
            let key = try await provisionKey(client)
            let minted = try await client.call(.post, "/v1/embed/sessions", bearer: key, json: mint)
            #expect(minted.status == 200, "\(minted.body)")
            let token = try #require(minted.string("session_token"))
            #expect(minted.string("renew_token")?.hasPrefix("ert_") == true)
            #expect(minted.string("iframe_url")?.contains("/embed/builder?session_token=\(token)") == true)
            let header = try JSONValue.parse(try #require(Base64URL.decode(String(token.split(separator: ".")[0]))))
            #expect(header["alg"] == .string("EdDSA"))
            let jwks = try await client.call(.get, "/v1/embed/jwks.json", bearer: key)
            #expect(jwks.json["keys"]?.arrayFirst?["kid"] == header["kid"])
            let claims = try claims(of: token)
            #expect(claims["sub"] == .string(minted.string("session_id") ?? ""))
            #expect(claims["ck"]?["permissions"]?["save_draft"] == .bool(true))
            #expect(claims["ck"]?["permissions"]?["rollback_version"] == .bool(false))
            #expect(claims["ck"]?["scope"]?["mode"] == .string("edit"))
            if case .number(let exp)? = claims["exp"], let expiresAt = minted.string("expires_at") {
                #expect(Date(epochMillis: Int64(exp) * 1000).iso8601.prefix(19) == expiresAt.prefix(19))
            }
            let verified = try await services.sessions.verify(token)
            #expect(verified.session.id == minted.string("session_id"))
            // A second mint for the same tenant and actor reuses their rows.
            _ = try await client.call(.post, "/v1/embed/sessions", bearer: key, json: mint)
            let tenants = try await services.database.sql.raw("SELECT COUNT(*) AS n FROM embed_tenants").first()
            #expect(try tenants?.decode(column: "n", as: Int64.self) == 1)
        }
    }

    @Test("mode defaults and overrides shape the permissions; view stays read-only")
    func permissions() async throws {
        try await TestApp.run(.sqlite) { client, _ in
            let key = try await provisionKey(client)
            let fill = try await client.call(
                .post, "/v1/embed/sessions", bearer: key,
                json:
                    #"{"tenant":{"externalId":"t","displayName":"T"},"actor":{"externalId":"a"},"scope":{"mode":"fill","templateExternalId":"invoice"},"form":{"prefill":{"a":1}}}"#
            )
            let fillClaims = try claims(of: try #require(fill.string("session_token")))
            #expect(fillClaims["ck"]?["permissions"]?["submit_form"] == .bool(true))
            #expect(fillClaims["ck"]?["form"]?["show_document_after_submit"] == .bool(true))
            #expect(fill.string("iframe_url")?.contains("/embed/form?") == true)
            let view = try await client.call(
                .post, "/v1/embed/sessions", bearer: key,
                json:
                    #"{"tenant":{"externalId":"t","displayName":"T"},"actor":{"externalId":"a"},"scope":{"mode":"view"},"permissions":{"publish":true,"shareDocument":true}}"#
            )
            let viewClaims = try claims(of: try #require(view.string("session_token")))
            #expect(viewClaims["ck"]?["permissions"]?["publish"] == .bool(false))
            #expect(viewClaims["ck"]?["permissions"]?["share_document"] == .bool(true))
        }
    }

    @Test(
        "bad mint bodies are 422 invalid_request with paths",
        arguments: [
            (#"{"actor":{"externalId":"a"}}"#, "tenant"),
            (#"{"tenant":{"externalId":"t","displayName":"T"},"actor":{"externalId":"a","email":"nope"}}"#, "actor.email"),
            (#"{"tenant":{"externalId":"t","displayName":"T"},"actor":{"externalId":"a"},"scope":{"mode":"fill"}}"#, "scope"),
            (#"{"tenant":{"externalId":"t","displayName":"T"},"actor":{"externalId":"a"},"permissions":{"fly":true}}"#, "permissions.fly"),
            (
                #"{"tenant":{"externalId":"t","displayName":"T"},"actor":{"externalId":"a"},"variableCatalog":{},"catalogRef":{"name":"x"}}"#,
                "catalogRef"
            ),
            (#"{"tenant":{"externalId":"t","displayName":"T"},"actor":{"externalId":"a"},"limits":{"maxPublishes":-1}}"#, "limits.maxPublishes"),
            (
                #"{"tenant":{"externalId":"t","displayName":"T"},"actor":{"externalId":"a"},"appearance":{"logoUrl":"javascript:alert(1)"}}"#,
                "appearance.logoUrl"
            ),
        ]
    )
    func badMints(body: String, field: String) async throws {
        try await TestApp.run(.sqlite) { client, _ in
            let key = try await provisionKey(client)
            let result = try await client.call(.post, "/v1/embed/sessions", bearer: key, json: body)
            #expect(result.status == 422, "\(result.body)")
            #expect(result.errorCode == "invalid_request")
            #expect(result.json["error"]?["issues"]?["fieldErrors"]?[field] != nil, "\(result.body)")
        }
    }

    @Test("an unknown catalogRef is 404 catalog_not_found")
    func unknownCatalog() async throws {
        try await TestApp.run(.sqlite) { client, _ in
            let key = try await provisionKey(client)
            let body = #"{"tenant":{"externalId":"t","displayName":"T"},"actor":{"externalId":"a"},"catalogRef":{"name":"crm"}}"#
            #expect(try await client.call(.post, "/v1/embed/sessions", bearer: key, json: body).errorCode == "catalog_not_found")
        }
    }

    @Test("refresh rotates the renew token; reusing a spent one fails and revokes the session", arguments: DatabaseLeg.all)
    func refresh(leg: DatabaseLeg) async throws {
        try await TestApp.run(leg) { client, services in
            let key = try await provisionKey(client)
            let minted = try await client.call(.post, "/v1/embed/sessions", bearer: key, json: mint)
            let first = try #require(minted.string("renew_token"))
            let refreshed = try await client.call(.post, "/v1/embed/sessions/refresh", bearer: key, json: #"{"renewToken":"\#(first)"}"#)
            #expect(refreshed.status == 200)
            #expect(refreshed.string("session_id") == minted.string("session_id"))
            #expect(refreshed.string("renew_token") != first)
            #expect(refreshed.string("session_token") != minted.string("session_token"))
            _ = try await services.sessions.verify(try #require(refreshed.string("session_token")))

            let reused = try await client.call(.post, "/v1/embed/sessions/refresh", bearer: key, json: #"{"renewToken":"\#(first)"}"#)
            #expect(reused.status == 401)
            #expect(reused.flatErrorCode == "refresh_failed")
            // The whole family is dead: the newest token and renew token no longer work.
            await #expect(throws: AppError.self) { try await services.sessions.verify(try #require(refreshed.string("session_token"))) }
            let second = try #require(refreshed.string("renew_token"))
            #expect(
                try await client.call(.post, "/v1/embed/sessions/refresh", bearer: key, json: #"{"renewToken":"\#(second)"}"#).flatErrorCode
                    == "refresh_failed")
        }
    }

    @Test("refresh errors follow the reference's table")
    func refreshErrors() async throws {
        try await TestApp.run(.sqlite) { client, _ in
            let key = try await provisionKey(client)
            let other = try await provisionKey(client, org: "other")
            let renew = try #require(try await client.call(.post, "/v1/embed/sessions", bearer: key, json: mint).string("renew_token"))
            #expect(
                try await client.call(.post, "/v1/embed/sessions/refresh", bearer: other, json: #"{"renewToken":"\#(renew)"}"#).flatErrorCode
                    == "refresh_failed")
            let short = try await client.call(.post, "/v1/embed/sessions/refresh", bearer: key, json: #"{"renewToken":"short"}"#)
            #expect(short.status == 422)
            #expect(short.errorCode == "invalid_request")
            #expect(try await client.call(.post, "/v1/embed/sessions/refresh", bearer: key, json: "{").errorCode == "invalid_json")
            #expect(try await client.call(.post, "/v1/embed/sessions/refresh", json: "{}").flatErrorCode == "missing_authorization")
            // The original project can still refresh: the other project's attempt did not spend it.
            #expect(try await client.call(.post, "/v1/embed/sessions/refresh", bearer: key, json: #"{"renewToken":"\#(renew)"}"#).status == 200)
        }
    }

    @Test("revoked, expired, tampered, foreign-audience and wrong-algorithm tokens are refused")
    func verification() async throws {
        try await TestApp.run(.sqlite) { client, services in
            let key = try await provisionKey(client)
            let minted = try await client.call(.post, "/v1/embed/sessions", bearer: key, json: mint)
            let token = try #require(minted.string("session_token"))
            let sessionID = try #require(minted.string("session_id"))
            let repository = SQLEmbedSessionRepository(database: services.database)
            let later = SessionService(
                repository: repository, secrets: services.secrets, publicURL: services.config.publicURL,
                clock: FixedClock(date: Date().addingTimeInterval(4 * 3600 + 60))
            )
            await #expect(throws: AppError.self) { try await later.verify(token) }
            #expect(await Self.code { try await later.verify(token) } == "session_expired")
            #expect(await later.signedProjectID(of: token) != nil)
            let withinSkew = SessionService(
                repository: repository, secrets: services.secrets, publicURL: services.config.publicURL,
                clock: FixedClock(date: Date().addingTimeInterval(4 * 3600 + 10))
            )
            _ = try await withinSkew.verify(token)
            let elsewhere = SessionService(repository: repository, secrets: services.secrets, publicURL: "https://other.example")
            await #expect(throws: AppError.self) { try await elsewhere.verify(token) }

            let parts = token.split(separator: ".").map(String.init)
            var claims = try claims(of: token)
            if case .object(var members) = claims {
                members["sub"] = .string(Identifier.make())
                claims = .object(members)
            }
            let tampered = parts[0] + "." + Base64URL.encode(try JSONEncoder().encode(claims)) + "." + parts[2]
            let none = Base64URL.encode(Data(#"{"alg":"none","typ":"JWT"}"#.utf8)) + "." + parts[1] + "."
            let hs256 = Base64URL.encode(Data(#"{"alg":"HS256","typ":"JWT","kid":"x"}"#.utf8)) + "." + parts[1] + "." + parts[2]
            let unknownKid = Base64URL.encode(Data(#"{"alg":"EdDSA","typ":"JWT","kid":"nope"}"#.utf8)) + "." + parts[1] + "." + parts[2]
            for bad in [tampered, none, hs256, unknownKid, "garbage", ""] {
                await #expect(throws: AppError.self) { try await services.sessions.verify(bad) }
            }

            let other = try await provisionKey(client, org: "other")
            #expect(try await client.call(.delete, "/v1/embed/sessions/\(sessionID)", bearer: other).errorCode == "session_not_found")
            #expect(try await client.call(.delete, "/v1/embed/sessions/\(sessionID)", bearer: key).status == 200)
            await #expect(throws: AppError.self) { try await services.sessions.verify(token) }
            #expect(await Self.code { try await services.sessions.verify(token) } == "session_revoked")
            #expect(await Self.code { try await services.sessions.verify(tampered) } == "session_invalid")
            #expect(await services.sessions.signedProjectID(of: tampered) == nil)
        }
    }

    static func code(_ body: () async throws -> Any) async -> String? {
        do {
            _ = try await body()
            return nil
        } catch let error as AppError {
            return error.code
        } catch {
            return "\(error)"
        }
    }
}
