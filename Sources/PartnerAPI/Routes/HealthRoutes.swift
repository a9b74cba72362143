import Core
import Foundation
import Hummingbird
import NIOCore
import Storage
import Synchronization

/// `GET /health` and `GET /v1/health`: `{status, version, checks}`; 200 when every check passes, 503
/// `degraded` when one fails. No auth, never 4xx. Also the liveness and readiness probes and
/// `GET /openapi.yaml`.
struct HealthRoutes {
    let services: AppServices
    /// The last probe, reused for `healthCacheMillis` (a second): the storage probe writes a blob, and an unauthenticated
    /// caller polling `/health` in a loop must not turn that into a write per request.
    let recent = RecentChecks()

    final class RecentChecks: Sendable {
        let state = Mutex<(at: ContinuousClock.Instant, checks: [String: Bool])?>(nil)
    }

    struct Report: Encodable {
        let status: String
        let version: String
        let checks: [String: String]
    }

    func register(on router: Router<AppRequestContext>, routes: RouteTable) {
        for path in ["/health", "/v1/health"] {
            routes.add(router, .get, path) { _, _ in try await report() }
        }
        // Liveness: the process answers. Readiness: it should get traffic — migrations applied, the
        // database and the blob store reachable, not shutting down (docs/operations.md#health).
        routes.add(router, .get, "/v1/health/live") { _, _ in
            JSONBody.response(status: .ok, Report(status: "ok", version: services.config.version, checks: [:]))
        }
        routes.add(router, .get, "/v1/health/ready") { _, _ in try await readiness() }
        // The API contract, served as the file in the repository.
        routes.add(router, .get, "/openapi.yaml") { _, _ in
            guard let url = Bundle.module.url(forResource: "openapi", withExtension: "yaml"), let bytes = try? Data(contentsOf: url) else {
                throw AppError.notFound("not_found", "openapi.yaml is not bundled with this build.")
            }
            return Response(
                status: .ok, headers: [.contentType: "application/yaml; charset=utf-8"], body: .init(byteBuffer: ByteBuffer(bytes: bytes))
            )
        }
    }

    func report() async throws -> Response {
        let checks = await currentChecks()
        let healthy = checks.values.allSatisfy { $0 }
        return JSONBody.response(
            status: healthy ? .ok : .serviceUnavailable,
            Report(status: healthy ? "ok" : "degraded", version: services.config.version, checks: checks.mapValues { $0 ? "ok" : "error" })
        )
    }

    func readiness() async throws -> Response {
        var checks = await currentChecks()
        checks["migrations"] = (try? await Migrations.currentVersion(of: services.database)) == Migrations.latestVersion
        checks["draining"] = !services.draining.isDraining
        let ready = checks.values.allSatisfy { $0 }
        var report = checks.mapValues { $0 ? "ok" : "error" }
        if services.draining.isDraining { report["draining"] = "draining" }
        return JSONBody.response(
            status: ready ? .ok : .serviceUnavailable,
            Report(status: ready ? "ok" : "degraded", version: services.config.version, checks: report))
    }

    func currentChecks() async -> [String: Bool] {
        let now = ContinuousClock.now
        if let cached = recent.state.withLock({ $0 }), now - cached.at < .milliseconds(services.config.healthCacheMillis) { return cached.checks }
        async let database: Bool = probe { try await services.database.ping() }
        async let storage: Bool = probe { try await services.blobs.check() }
        let checks = ["database": await database, "storage": await storage]
        recent.state.withLock { $0 = (now, checks) }
        return checks
    }

    func probe(_ check: @Sendable () async throws -> Void) async -> Bool {
        do {
            try await check()
            return true
        } catch {
            services.logger.warning("health check failed", metadata: ["error": .string(String(describing: error))])
            return false
        }
    }
}
