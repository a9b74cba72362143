import Core
import Foundation
import HTTPTypes
import HummingbirdTesting
import PartnerAPI
import SQLKit
import TestSupport
import Testing

/// `GET /v1/stats/renders`, `GET /v1/stats/webhooks` and the operator's `GET /v1/admin/orgs` and
/// `GET /v1/admin/queue` (docs/console.md), on both engines.
@Suite("ConsoleStats")
struct ConsoleStatsTests {
    let data = #"{"data":{"customer":{"name":"Ada Lovelace"},"invoice":{"total":4200},"items":[{"description":"Analytical engine","qty":"2"}]}}"#

    @Test(
        "render stats count this project's renders per hour with p50/p95 and failure rate by template, and nothing of another org",
        arguments: DatabaseLeg.all)
    func renderStats(leg: DatabaseLeg) async throws {
        try await TestApp.run(leg) { client, services in
            let a = try await provisionKey(client, org: "org-a")
            let b = try await provisionKey(client, org: "org-b")
            for key in [a, b] {
                #expect(
                    try await client.call(.post, "/v1/templates", bearer: key, json: #"{"name":"Invoice","manifest":\#(invoiceManifest)}"#).status
                        == 201)
            }
            var ids: [String] = []
            for _ in 0..<4 {
                ids.append(try #require(try await client.call(.post, "/v1/templates/invoice/render", bearer: a, json: data).string("id")))
            }
            _ = try await client.call(.post, "/v1/templates/invoice/render", bearer: b, json: data)
            while try await services.renderWorker.runOnce(owner: "test-worker") {}
            // One of org A's renders failed.
            try await services.database.sql.raw("UPDATE renders SET status = 'failed', duration_ms = NULL WHERE id = \(bind: ids[0])").run()

            let stats = try await client.call(.get, "/v1/stats/renders?window=24h", bearer: a)
            #expect(stats.status == 200)
            #expect(stats.json["totals"]?["renders"] == .number(4))
            #expect(stats.json["totals"]?["succeeded"] == .number(3))
            #expect(stats.json["totals"]?["failed"] == .number(1))
            #expect(stats.json["totals"]?["failureRate"] == .number(0.25))
            guard case .number(let p50)? = stats.json["totals"]?["p50Ms"], case .number(let p95)? = stats.json["totals"]?["p95Ms"] else {
                Issue.record("no percentiles: \(stats.body)")
                return
            }
            #expect(p50 >= 0 && p95 >= p50)
            guard case .array(let buckets)? = stats.json["buckets"], case .array(let templates)? = stats.json["byTemplate"] else {
                Issue.record("no buckets: \(stats.body)")
                return
            }
            #expect(buckets.count == 24)
            #expect(buckets.last?["renders"] == .number(4))
            #expect(templates.count == 1)
            #expect(templates.first?["template"] == .string("invoice"))
            #expect(templates.first?["failed"] == .number(1))

            let month = try await client.call(.get, "/v1/stats/renders?window=30d", bearer: a)
            guard case .array(let days)? = month.json["buckets"] else {
                Issue.record("no buckets: \(month.body)")
                return
            }
            #expect(days.count == 30)
            #expect(month.json["totals"]?["renders"] == .number(4))
            #expect(try await client.call(.get, "/v1/stats/renders?window=24h", bearer: b).json["totals"]?["renders"] == .number(1))
            let bad = try await client.call(.get, "/v1/stats/renders?window=7d", bearer: a)
            #expect(bad.status == 400)
            #expect(bad.errorCode == "invalid_request")
            #expect(try await client.call(.get, "/v1/stats/renders").status == 401)
        }
    }

    @Test(
        "GET /v1/project shows the key's own org and embed settings, and the operator's org list shows the same", arguments: DatabaseLeg.all)
    func projectProfile(leg: DatabaseLeg) async throws {
        try await TestApp.run(leg) { client, _ in
            let provisioned = try await client.call(
                .post, "/v1/admin/provision", bearer: TestApp.adminKey,
                json: #"{"externalOrgId":"org-a","name":"Acme","allowedOrigins":["https://app.acme.example"]}"#)
            let a = try #require(provisioned.string("apiKey"))
            let b = try await provisionKey(client, org: "org-b")
            let profile = try await client.call(.get, "/v1/project", bearer: a)
            #expect(profile.status == 200)
            #expect(profile.string("externalOrgId") == "org-a")
            #expect(profile.string("name") == "Acme")
            #expect(profile.json["settings"]?["allowedOrigins"] == .array([.string("https://app.acme.example")]))
            let other = try await client.call(.get, "/v1/project", bearer: b)
            #expect(other.string("externalOrgId") == "org-b")
            #expect(!other.body.contains("acme"))
            #expect(try await client.call(.get, "/v1/project").status == 401)
            let orgs = try await client.call(.get, "/v1/admin/orgs", bearer: TestApp.adminKey)
            #expect(orgs.body.contains("https://app.acme.example"))
        }
    }

    @Test("webhook stats count this project's deliveries by outcome; none yet is a null success rate", arguments: DatabaseLeg.all)
    func webhookStats(leg: DatabaseLeg) async throws {
        try await TestApp.run(leg) { client, _ in
            let a = try await provisionKey(client, org: "org-a")
            let empty = try await client.call(.get, "/v1/stats/webhooks?window=30d", bearer: a)
            #expect(empty.status == 200)
            #expect(empty.json["deliveries"] == .number(0))
            #expect(empty.json["successRate"] == nil)
            #expect(try await client.call(.get, "/v1/stats/webhooks").status == 401)
        }
    }

    @Test(
        "the operator lists every org with its usage, the queue's depth and failed renders by id only, without their error text",
        arguments: DatabaseLeg.all)
    func operatorOverview(leg: DatabaseLeg) async throws {
        try await TestApp.run(leg) { client, services in
            let a = try await provisionKey(client, org: "org-a")
            _ = try await provisionKey(client, org: "org-b")
            #expect(
                try await client.call(.post, "/v1/templates", bearer: a, json: #"{"name":"Invoice","manifest":\#(invoiceManifest)}"#).status == 201)
            #expect(try await client.call(.post, "/v1/templates/invoice/render", bearer: a, json: data).status == 202)
            let failed = try #require(try await client.call(.post, "/v1/templates/invoice/render", bearer: a, json: data).string("id"))
            try await services.database.sql.raw(
                "UPDATE renders SET status = 'failed', error_message = 'Ada Lovelace owes 4200' WHERE id = \(bind: failed)"
            ).run()

            let orgs = try await client.call(.get, "/v1/admin/orgs", bearer: TestApp.adminKey)
            #expect(orgs.status == 200)
            guard case .array(let list)? = orgs.json["data"] else {
                Issue.record("no data: \(orgs.body)")
                return
            }
            #expect(Set(list.compactMap { if case .string(let id)? = $0["externalOrgId"] { id } else { nil } }) == ["org-a", "org-b"])
            let orgA = list.first { $0["externalOrgId"] == .string("org-a") }
            #expect(orgA?["usage"]?["renders"] == .number(2))
            #expect(list.first { $0["externalOrgId"] == .string("org-b") }?["usage"]?["renders"] == .number(0))

            let queue = try await client.call(.get, "/v1/admin/queue", bearer: TestApp.adminKey)
            #expect(queue.status == 200)
            #expect(queue.json["depth"] == .number(2))
            guard case .array(let failures)? = queue.json["recentFailures"] else {
                Issue.record("no recentFailures: \(queue.body)")
                return
            }
            #expect(failures.map { $0["renderId"] } == [.string(failed)])
            #expect(!queue.body.contains("Ada Lovelace"))
            #expect(queue.json["workersBusy"] == .number(0))
            // A worker holding a live lease on one job: busy, and that job no longer waits.
            try await services.database.sql.raw(
                "UPDATE jobs SET status = 'leased', lease_owner = 'worker-1', lease_expires_at = \(bind: Date().epochMillis + 60_000) WHERE subject_id = \(bind: failed)"
            ).run()
            let leased = try await client.call(.get, "/v1/admin/queue", bearer: TestApp.adminKey)
            #expect(leased.json["workersBusy"] == .number(1))
            #expect(leased.json["depth"] == .number(1))
            #expect(queue.string("oldestWaitingAt") != nil)
            #expect(try await client.call(.get, "/v1/admin/orgs", bearer: a).status == 401)
            #expect(try await client.call(.get, "/v1/admin/queue").status == 401)
        }
    }
}
