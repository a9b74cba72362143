import Core
import Foundation
import HTTPTypes
import HummingbirdTesting
import PartnerAPI
import TestSupport
import Testing

@Suite("/v1/keys")
struct KeyRouteTests {
    @Test("a project creates, lists and revokes its keys; a revoked key stops working at once", arguments: DatabaseLeg.all)
    func lifecycle(leg: DatabaseLeg) async throws {
        try await TestApp.run(leg) { client, _ in
            let provisioned = try await client.call(.post, "/v1/admin/provision", bearer: TestApp.adminKey, json: #"{"externalOrgId":"acme"}"#)
            let main = try #require(provisioned.string("apiKey"))
            let created = try await client.call(.post, "/v1/keys", bearer: main, json: #"{"name":"CI","environment":"test"}"#)
            #expect(created.status == 201)
            let second = try #require(created.string("key"))
            let secondID = try #require(created.string("id"))
            #expect(second.hasPrefix("ck_test_"))
            #expect(created.string("prefix") == String(second.prefix(13)))

            let listed = try await client.call(.get, "/v1/keys", bearer: second)
            guard case .array(let keys)? = listed.json["data"] else {
                Issue.record("no data")
                return
            }
            #expect(keys.count == 2)
            #expect(keys.allSatisfy { $0["key"] == nil })
            #expect(keys.first?["revokedAt"] == .null)

            let revoked = try await client.call(.delete, "/v1/keys/\(secondID)", bearer: main)
            #expect(revoked.status == 200)
            #expect(revoked.string("revokedAt") != nil)
            let after = try await client.call(.get, "/v1/keys", bearer: second)
            #expect(after.status == 401)
            #expect(after.errorCode == "unauthorized")
        }
    }

    @Test("another project's key id is 404, as is a malformed one")
    func scoped() async throws {
        try await TestApp.run(.sqlite) { client, _ in
            let a = try #require(
                try await client.call(.post, "/v1/admin/provision", bearer: TestApp.adminKey, json: #"{"externalOrgId":"a"}"#).string("apiKey"))
            let b = try #require(
                try await client.call(.post, "/v1/admin/provision", bearer: TestApp.adminKey, json: #"{"externalOrgId":"b"}"#).string("apiKey"))
            let bKeys = try await client.call(.get, "/v1/keys", bearer: b)
            guard case .array(let keys)? = bKeys.json["data"], case .string(let bKeyID)? = keys.first?["id"] else {
                Issue.record("no key")
                return
            }
            for id in [bKeyID, "not-an-id"] {
                let result = try await client.call(.delete, "/v1/keys/\(id)", bearer: a)
                #expect(result.status == 404)
                #expect(result.errorCode == "not_found")
            }
            #expect(try await client.call(.get, "/v1/keys", bearer: b).status == 200)
        }
    }

    @Test("revoking the provisioned key makes the next provision mint a working replacement")
    func provisionedKeyReplacement() async throws {
        try await TestApp.run(.sqlite) { client, _ in
            let first = try await client.call(.post, "/v1/admin/provision", bearer: TestApp.adminKey, json: #"{"externalOrgId":"acme"}"#)
            let key = try #require(first.string("apiKey"))
            let listed = try await client.call(.get, "/v1/keys", bearer: key)
            guard case .array(let keys)? = listed.json["data"], case .string(let id)? = keys.first?["id"] else {
                Issue.record("no key")
                return
            }
            #expect(try await client.call(.delete, "/v1/keys/\(id)", bearer: key).status == 200)
            let again = try await client.call(.post, "/v1/admin/provision", bearer: TestApp.adminKey, json: #"{"externalOrgId":"acme"}"#)
            let replacement = try #require(again.string("apiKey"))
            #expect(replacement != key)
            #expect(try await client.call(.get, "/v1/keys", bearer: replacement).status == 200)
        }
    }

    @Test("bad key requests are 400 with the field named")
    func validation() async throws {
        try await TestApp.run(.sqlite) { client, _ in
            let key = try #require(
                try await client.call(.post, "/v1/admin/provision", bearer: TestApp.adminKey, json: #"{"externalOrgId":"a"}"#).string("apiKey"))
            let result = try await client.call(.post, "/v1/keys", bearer: key, json: #"{"environment":"prod","name":""}"#)
            #expect(result.status == 400)
            #expect(result.json["error"]?["issues"]?["fieldErrors"]?["environment"] != nil)
            #expect(result.json["error"]?["issues"]?["fieldErrors"]?["name"] != nil)
        }
    }
}
