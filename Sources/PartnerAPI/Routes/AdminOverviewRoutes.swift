import Core
import Foundation
import Hummingbird
import Storage

/// `GET /v1/admin/orgs` and `GET /v1/admin/queue`, behind the admin key: what the console's operator
/// view shows (docs/console.md) — every org with its usage, and the job queue's depth and oldest job
/// with the newest failed renders across tenants.
/// Counts and ids only, never document data.
struct AdminOverviewRoutes {
    let services: AppServices

    struct Usage: Encodable {
        let renders: Int64
        let storageBytes: Int64
        let sessions: Int64
    }

    /// An org's embed settings as the API shows them (`emailFrom` and `appearance` only when set).
    struct Settings: Encodable {
        let allowedOrigins: [String]
        let emailFrom: String?
        let appearance: JSONValue?

        init(_ stored: SQLConsoleStatistics.EmbedSettings) {
            allowedOrigins = stored.allowedOriginsJSON.flatMap { try? JSONDecoder().decode([String].self, from: Data($0.utf8)) } ?? []
            emailFrom = stored.emailFrom
            appearance = stored.appearanceJSON.flatMap { try? JSONValue.parse(Data($0.utf8)) }.flatMap { $0 == .null ? nil : $0 }
        }
    }

    struct Org: Encodable {
        let externalOrgId: String
        let name: String
        let projectId: String
        let createdAt: String
        let usage: Usage
        let settings: Settings
    }

    struct OrgList: Encodable { let data: [Org] }

    struct QueueRow: Encodable {
        let kind: String
        let state: String
        let count: Int
        let oldestRunAt: String?
    }

    struct Failure: Encodable {
        let renderId: String
        let projectId: String
        let templateSlug: String
        let failedAt: String
    }

    struct Queue: Encodable {
        let depth: Int
        let oldestWaitingAt: String?
        let jobs: [QueueRow]
        let workersBusy: Int
        let recentFailures: [Failure]
    }

    func register(on group: RouterGroup<AppRequestContext>, routes: RouteTable, prefix: String) {
        routes.add(group, .get, "/orgs", under: prefix) { _, _ in
            let orgs = try await SQLConsoleStatistics(database: services.database).orgs()
            return JSONBody.response(
                status: .ok,
                OrgList(
                    data: orgs.map {
                        Org(
                            externalOrgId: $0.externalOrgID, name: $0.name, projectId: $0.projectID,
                            createdAt: Date(epochMillis: $0.createdAt).iso8601,
                            usage: Usage(renders: $0.renders, storageBytes: $0.storageBytes, sessions: $0.sessions), settings: Settings($0.settings))
                    }))
        }
        routes.add(group, .get, "/queue", under: prefix) { _, _ in
            let rows = try await SQLJobQueue(database: services.database).snapshot().sorted { ($0.kind, $0.state) < ($1.kind, $1.state) }
            let waiting = rows.filter { $0.state == "ready" }
            let statistics = SQLConsoleStatistics(database: services.database)
            let failures = try await statistics.recentFailures()
            let busy = try await statistics.busyWorkers(now: Date().epochMillis)
            return JSONBody.response(
                status: .ok,
                Queue(
                    depth: waiting.reduce(0) { $0 + $1.count },
                    oldestWaitingAt: waiting.compactMap(\.oldestRunAt).min().map { Date(epochMillis: $0).iso8601 },
                    jobs: rows.map {
                        QueueRow(kind: $0.kind, state: $0.state, count: $0.count, oldestRunAt: $0.oldestRunAt.map { Date(epochMillis: $0).iso8601 })
                    },
                    workersBusy: busy,
                    recentFailures: failures.map {
                        Failure(
                            renderId: $0.renderID, projectId: $0.projectID, templateSlug: $0.templateSlug,
                            failedAt: Date(epochMillis: $0.failedAt).iso8601)
                    }))
        }
    }
}
