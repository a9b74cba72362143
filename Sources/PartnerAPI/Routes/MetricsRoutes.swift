import Core
import Foundation
import Hummingbird
import NIOCore
import Storage

/// `GET /metrics`: the Prometheus text format (docs/operations.md#metrics). Open unless
/// `CRAFTKIT_METRICS_TOKEN` is set; then it takes that token as a Bearer token (compared in constant
/// time). The queue and pool gauges are read when scraped.
struct MetricsRoutes {
    let services: AppServices

    func register(on router: Router<AppRequestContext>, routes: RouteTable) {
        routes.add(router, .get, "/metrics") { request, _ in
            if let expected = services.config.metricsToken {
                let refusal = AppError.unauthorized("unauthorized", "Send the metrics token as Authorization: Bearer <token>.")
                let token = try BearerToken.extract(from: request, missing: refusal, malformed: refusal)
                guard ConstantTime.equals(token, expected) else { throw refusal }
            }
            Telemetry.recordQueue(try await SQLJobQueue(database: services.database).snapshot(), now: Date().epochMillis)
            Telemetry.recordPool(inUse: services.database.transactionsInFlight, size: services.database.maxConnections)
            return Response(
                status: .ok, headers: [.contentType: "text/plain; version=0.0.4; charset=utf-8"],
                body: .init(byteBuffer: ByteBuffer(string: Telemetry.exposition())))
        }
    }
}
