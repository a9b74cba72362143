import Foundation
import Metrics
import Prometheus
import Storage

/// The process's metrics: recorded through swift-metrics anywhere in the server, kept in one
/// Prometheus registry and served at `GET /metrics` (docs/operations.md#metrics).
enum Telemetry {
    /// The registry, with swift-metrics bootstrapped onto it the first time it is used. Bootstrapping
    /// is once per process (every `AppServices` of a test process shares it); `AppServices` touches it
    /// before anything records, so no handler is created before the bootstrap.
    static let registry: PrometheusCollectorRegistry = {
        let registry = PrometheusCollectorRegistry()
        var factory = PrometheusMetricsFactory(registry: registry)
        factory.durationHistogramBuckets["craftkit_render_duration_seconds"] = [
            .milliseconds(10), .milliseconds(25), .milliseconds(50), .milliseconds(100), .milliseconds(250), .milliseconds(500),
            .seconds(1), .milliseconds(2500), .seconds(5), .seconds(10), .seconds(30), .seconds(60),
        ]
        factory.valueHistogramBuckets["craftkit_render_pages"] = [1, 2, 5, 10, 20, 50, 100, 200, 500, 1000]
        MetricsSystem.bootstrap(factory)
        return registry
    }()

    /// The methods a label may name; anything else a client invents is `other`, so a caller cannot
    /// grow the registry without bound.
    static let methods: Set<String> = ["GET", "HEAD", "POST", "PUT", "PATCH", "DELETE", "OPTIONS"]

    /// One request: `craftkit_http_request_duration_seconds{route,method,status}` (the route pattern,
    /// never the path: paths carry tokens; an unmatched path is `unmatched`).
    static func request(route: String, method: String, status: Int, elapsed: Duration) {
        let method = methods.contains(method) ? method : "other"
        Metrics.Timer(
            label: "craftkit_http_request_duration_seconds", dimensions: [("route", route), ("method", method), ("status", String(status))]
        ).recordNanoseconds(elapsed.components.seconds * 1_000_000_000 + elapsed.components.attoseconds / 1_000_000_000)
    }

    /// An email handed to the provider, or refused by it: `craftkit_emails_total{provider,outcome}`.
    static func email(provider: String, sent: Bool) {
        Counter(label: "craftkit_emails_total", dimensions: [("provider", provider), ("outcome", sent ? "sent" : "failed")]).increment()
    }

    /// The queue's depth and oldest due job per kind and state, read from the `jobs` table at scrape
    /// time: `craftkit_queue_jobs{kind,state}` and `craftkit_queue_oldest_job_age_seconds{kind,state}`.
    static func recordQueue(_ snapshot: [QueueSnapshot.Row], now: Int64) {
        for kind in QueueSnapshot.kinds {
            for state in QueueSnapshot.states {
                let row = snapshot.first { $0.kind == kind && $0.state == state }
                let dimensions = [("kind", kind), ("state", state)]
                Gauge(label: "craftkit_queue_jobs", dimensions: dimensions).record(row?.count ?? 0)
                let age = row?.oldestRunAt.map { max(0, Double(now - $0) / 1000) } ?? 0
                Gauge(label: "craftkit_queue_oldest_job_age_seconds", dimensions: dimensions).record(age)
            }
        }
    }

    /// The database pool: `craftkit_db_connections{state}` (in use, idle, the pool's size).
    static func recordPool(inUse: Int, size: Int) {
        Gauge(label: "craftkit_db_connections", dimensions: [("state", "in_use")]).record(inUse)
        Gauge(label: "craftkit_db_connections", dimensions: [("state", "max")]).record(size)
    }

    /// The text exposition format (version 0.0.4).
    static func exposition() -> String { registry.emitToString() }
}
