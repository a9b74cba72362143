import Core
import Foundation
import Hummingbird
import Storage

/// `GET /v1/project`: the calling project's org and embed settings (read-only; the deployment admin
/// changes them). `GET /v1/stats/renders` and `GET /v1/stats/webhooks`: the console's charts (docs/console.md) as
/// figures of the calling project only — renders per bucket with p50/p95 render time, failure rate by
/// template, webhook delivery success. `window` is `24h` (hourly buckets) or `30d` (daily buckets).
struct StatsRoutes {
    let services: AppServices

    enum Window: String {
        case day = "24h"
        case month = "30d"

        var bucketMillis: Int64 { self == .day ? 3_600_000 : 86_400_000 }
        var buckets: Int { self == .day ? 24 : 30 }

        static func parse(_ request: Request) throws -> Window {
            let raw = request.uri.queryParameters.get("window") ?? "24h"
            guard let window = Window(rawValue: raw) else {
                var issues = ValidationIssues()
                issues.add("Must be \"24h\" or \"30d\"", at: "window")
                throw AppError.invalidRequest(issues)
            }
            return window
        }

        /// The first bucket's start: buckets end with the one holding `now`.
        func start(now: Int64) -> Int64 { (now / bucketMillis - Int64(buckets - 1)) * bucketMillis }
    }

    struct Bucket: Encodable {
        let start: String
        let renders: Int
        let succeeded: Int
        let failed: Int
        let p50Ms: Int64?
        let p95Ms: Int64?
    }

    struct TemplateFailures: Encodable {
        let template: String
        let renders: Int
        let failed: Int
        let failureRate: Double
    }

    struct Totals: Encodable {
        let renders: Int
        let succeeded: Int
        let failed: Int
        let failureRate: Double?
        let p50Ms: Int64?
        let p95Ms: Int64?
    }

    struct RenderStats: Encodable {
        let window: String
        let bucketSeconds: Int64
        let totals: Totals
        let buckets: [Bucket]
        let byTemplate: [TemplateFailures]
    }

    struct WebhookStats: Encodable {
        let window: String
        let deliveries: Int
        let succeeded: Int
        let pending: Int
        let abandoned: Int
        let successRate: Double?
    }

    /// The nearest-rank percentile of sorted values; nil for none.
    static func percentile(_ sorted: [Int64], _ p: Double) -> Int64? {
        guard !sorted.isEmpty else { return nil }
        let rank = Int((p * Double(sorted.count)).rounded(.up))
        return sorted[min(max(rank, 1), sorted.count) - 1]
    }

    static func renderStats(_ points: [SQLConsoleStatistics.RenderPoint], window: Window, now: Int64) -> RenderStats {
        let start = window.start(now: now)
        var perBucket = Array(repeating: [SQLConsoleStatistics.RenderPoint](), count: window.buckets)
        for point in points {
            let index = Int((point.createdAt - start) / window.bucketMillis)
            if (0..<window.buckets).contains(index) { perBucket[index].append(point) }
        }
        func durations(_ points: [SQLConsoleStatistics.RenderPoint]) -> [Int64] {
            points.filter { $0.status == "succeeded" }.compactMap(\.durationMillis).sorted()
        }
        let buckets = perBucket.enumerated().map { index, points in
            let sorted = durations(points)
            return Bucket(
                start: Date(epochMillis: start + Int64(index) * window.bucketMillis).iso8601, renders: points.count,
                succeeded: points.count { $0.status == "succeeded" }, failed: points.count { $0.status == "failed" },
                p50Ms: percentile(sorted, 0.5), p95Ms: percentile(sorted, 0.95))
        }
        let inWindow = perBucket.flatMap { $0 }
        let failed = inWindow.count { $0.status == "failed" }
        let succeeded = inWindow.count { $0.status == "succeeded" }
        let sorted = durations(inWindow)
        let finished = failed + succeeded
        let byTemplate = Dictionary(grouping: inWindow, by: \.templateSlug).map { slug, points in
            let failed = points.count { $0.status == "failed" }
            let finished = points.count { $0.status == "failed" || $0.status == "succeeded" }
            return TemplateFailures(
                template: slug, renders: points.count, failed: failed, failureRate: finished == 0 ? 0 : Double(failed) / Double(finished))
        }.sorted { ($0.renders, $1.template) > ($1.renders, $0.template) }
        return RenderStats(
            window: window.rawValue, bucketSeconds: window.bucketMillis / 1000,
            totals: Totals(
                renders: inWindow.count, succeeded: succeeded, failed: failed,
                failureRate: finished == 0 ? nil : Double(failed) / Double(finished), p50Ms: percentile(sorted, 0.5),
                p95Ms: percentile(sorted, 0.95)),
            buckets: buckets, byTemplate: byTemplate)
    }

    struct ProjectBody: Encodable {
        let projectId: String
        let externalOrgId: String
        let name: String
        let settings: AdminOverviewRoutes.Settings
    }

    func register(on group: RouterGroup<AppRequestContext>, routes: RouteTable, prefix: String) {
        let statistics = SQLConsoleStatistics(database: services.database)
        routes.add(group, .get, "/project", under: prefix) { _, context in
            let project = try context.requireProject()
            guard let profile = try await statistics.project(projectID: project.projectID) else {
                throw AppError.notFound("not_found", "This key's project no longer exists.")
            }
            return JSONBody.response(
                status: .ok,
                ProjectBody(
                    projectId: profile.projectID, externalOrgId: profile.externalOrgID, name: profile.name,
                    settings: AdminOverviewRoutes.Settings(profile.settings)))
        }
        routes.add(group, .get, "/stats/renders", under: prefix) { request, context in
            let project = try context.requireProject()
            let window = try Window.parse(request)
            let now = Date().epochMillis
            let points = try await statistics.renders(projectID: project.projectID, since: window.start(now: now))
            return JSONBody.response(status: .ok, Self.renderStats(points, window: window, now: now))
        }
        routes.add(group, .get, "/stats/webhooks", under: prefix) { request, context in
            let project = try context.requireProject()
            let window = try Window.parse(request)
            let counts = try await statistics.webhookDeliveries(projectID: project.projectID, since: window.start(now: Date().epochMillis))
            let succeeded = counts["succeeded", default: 0]
            let abandoned = counts["abandoned", default: 0]
            return JSONBody.response(
                status: .ok,
                WebhookStats(
                    window: window.rawValue, deliveries: counts.values.reduce(0, +), succeeded: succeeded, pending: counts["pending", default: 0],
                    abandoned: abandoned,
                    successRate: succeeded + abandoned == 0 ? nil : Double(succeeded) / Double(succeeded + abandoned)))
        }
    }
}
