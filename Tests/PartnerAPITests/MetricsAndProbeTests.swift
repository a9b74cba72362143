import Core
import Foundation
import HTTPTypes
import HummingbirdTesting
import TestSupport
import Testing

@testable import PartnerAPI

@Suite("metrics and probes")
struct MetricsAndProbeTests {
    @Test("/metrics serves request, render, queue and pool series in the Prometheus text format", arguments: DatabaseLeg.all)
    func scrape(leg: DatabaseLeg) async throws {
        try await TestApp.run(leg) { client, services in
            let key = try await provisionKey(client)
            let created = try await client.call(
                .post, "/v1/templates", bearer: key, json: #"{"name":"Metered","manifest":{"variables":[],"loops":[]}}"#)
            #expect(created.status == 201)
            let render = try await client.call(.post, "/v1/templates/metered/render", bearer: key, json: #"{"data":{}}"#)
            #expect(render.status == 202)
            let queued = try await client.call(.get, "/metrics")
            #expect(queued.status == 200)
            #expect(queued.headers[.contentType]?.hasPrefix("text/plain; version=0.0.4") == true)
            #expect(queued.body.contains(#"craftkit_queue_jobs{kind="render",state="ready"} 1.0"#), "\(queued.body)")
            while try await services.renderWorker.runOnce(owner: "w") {}
            let text = try await client.call(.get, "/metrics").body
            #expect(text.contains(#"craftkit_queue_jobs{kind="render",state="ready"} 0.0"#))
            #expect(text.contains(#"craftkit_render_duration_seconds_count{outcome="succeeded"}"#))
            #expect(text.contains("craftkit_render_pages_count"))
            // The route pattern, as the router names it.
            #expect(text.contains(#"slug}/render",method="POST",status="202""#), "\(text)")
            #expect(text.contains(#"craftkit_db_connections{state="max"}"#))
            // Paths carry tokens; the series name only route patterns, and invented methods are `other`.
            _ = try await client.call(.init("BREW")!, "/v1/hooks/ckh_secret-token-in-the-path")
            let after = try await client.call(.get, "/metrics").body
            #expect(!after.contains("ckh_secret"))
            #expect(!after.contains("BREW"))
        }
    }

    @Test("with CRAFTKIT_METRICS_TOKEN set, /metrics needs that token")
    func token() async throws {
        try await TestApp.run(.sqlite, environment: ["CRAFTKIT_METRICS_TOKEN": "scrape-token-0123"]) { client, _ in
            let missing = try await client.call(.get, "/metrics")
            let wrong = try await client.call(.get, "/metrics", bearer: "scrape-token-0124")
            let right = try await client.call(.get, "/metrics", bearer: "scrape-token-0123")
            #expect(missing.status == 401)
            #expect(wrong.status == 401)
            #expect(right.status == 200)
        }
    }

    @Test("liveness answers while the process runs; readiness checks migrations, database, storage and drain", arguments: DatabaseLeg.all)
    func probes(leg: DatabaseLeg) async throws {
        try await TestApp.run(leg) { client, services in
            #expect(try await client.call(.get, "/v1/health/live").status == 200)
            let ready = try await client.call(.get, "/v1/health/ready")
            #expect(ready.status == 200)
            for check in ["database", "storage", "migrations", "draining"] {
                #expect(ready.json["checks"]?[check] == .string("ok"), "\(ready.body)")
            }
            services.draining.begin()
            let draining = try await client.call(.get, "/v1/health/ready")
            #expect(draining.status == 503)
            #expect(draining.json["checks"]?["draining"] == .string("draining"))
            #expect(try await client.call(.get, "/v1/health/live").status == 200)
        }
    }

    @Test("a W3C traceparent gives its trace id to the logs; a malformed one is ignored")
    func traceparent() {
        #expect(RequestMiddleware.traceID("00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01") == "4bf92f3577b34da6a3ce929d0e0e4736")
        for bad in [
            "00-00000000000000000000000000000000-00f067aa0ba902b7-01", "00-4bf92f3577b34da6a3ce929d0e0e4736-0000000000000000-01",
            "ff-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01", "00-4BF92F3577B34DA6A3CE929D0E0E4736-00f067aa0ba902b7-01",
            "00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7", "x\n-injected", "",
        ] {
            #expect(RequestMiddleware.traceID(bad) == nil, "\(bad)")
        }
    }
}
