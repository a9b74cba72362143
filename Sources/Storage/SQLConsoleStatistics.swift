import Core
import Foundation
import SQLKit

/// The console's read-only figures (docs/console.md), one SQL text for SQLite and PostgreSQL. The
/// project figures are scoped by `project_id` like every other project query
/// (docs/decisions/0012-tenancy-and-scoping.md); the org list is the operator's, across tenants, and
/// holds counts only, never document data.
public struct SQLConsoleStatistics: Sendable {
    let database: Database

    public init(database: Database) { self.database = database }

    /// One render as the charts need it.
    public struct RenderPoint: Sendable, Equatable {
        public let createdAt: Int64
        public let status: String
        public let durationMillis: Int64?
        public let templateSlug: String
    }

    /// Renders of one project created at or after `since`, oldest first (at most `limit`).
    public func renders(projectID: String, since: Int64, limit: Int = 200_000) async throws -> [RenderPoint] {
        try await database.sql.raw(
            """
            SELECT created_at, status, duration_ms, template_slug FROM renders
            WHERE project_id = \(bind: projectID) AND created_at >= \(bind: since)
            ORDER BY created_at, id LIMIT \(bind: limit)
            """
        ).all().map { row in
            RenderPoint(
                createdAt: try row.decode(column: "created_at", as: Int64.self), status: try row.decode(column: "status", as: String.self),
                durationMillis: try row.decode(column: "duration_ms", as: Int64?.self),
                templateSlug: try row.decode(column: "template_slug", as: String.self))
        }
    }

    /// Webhook deliveries of one project created at or after `since`, counted by status.
    public func webhookDeliveries(projectID: String, since: Int64) async throws -> [String: Int] {
        let rows = try await database.sql.raw(
            """
            SELECT status, COUNT(*) AS n FROM webhook_deliveries
            WHERE project_id = \(bind: projectID) AND created_at >= \(bind: since) GROUP BY status
            """
        ).all()
        var counts: [String: Int] = [:]
        for row in rows { counts[try row.decode(column: "status", as: String.self)] = Int(try row.decode(column: "n", as: Int64.self)) }
        return counts
    }

    /// A failed render, by ids only (no data, no error text: those may hold a tenant's document data).
    public struct Failure: Sendable, Equatable {
        public let renderID: String
        public let projectID: String
        public let templateSlug: String
        public let failedAt: Int64
    }

    /// The newest failed renders across every tenant, for the operator.
    public func recentFailures(limit: Int = 20) async throws -> [Failure] {
        try await database.sql.raw(
            """
            SELECT id, project_id, template_slug, COALESCE(completed_at, created_at) AS failed_at FROM renders
            WHERE status = 'failed' ORDER BY failed_at DESC, id DESC LIMIT \(bind: limit)
            """
        ).all().map { row in
            Failure(
                renderID: try row.decode(column: "id", as: String.self), projectID: try row.decode(column: "project_id", as: String.self),
                templateSlug: try row.decode(column: "template_slug", as: String.self), failedAt: try row.decode(column: "failed_at", as: Int64.self))
        }
    }

    /// Workers holding a live lease on a job now (distinct lease owners): the workers busy at this moment.
    public func busyWorkers(now: Int64) async throws -> Int {
        let row = try await database.sql.raw(
            "SELECT COUNT(DISTINCT lease_owner) AS n FROM jobs WHERE status = 'leased' AND lease_expires_at >= \(bind: now)"
        ).first()
        return Int(try row?.decode(column: "n", as: Int64.self) ?? 0)
    }

    /// One org with its usage, for the operator.
    public struct OrgUsage: Sendable, Equatable {
        public let externalOrgID: String
        public let name: String
        public let projectID: String
        public let createdAt: Int64
        public let renders: Int64
        public let storageBytes: Int64
        public let sessions: Int64
        public let settings: EmbedSettings
    }

    /// An org's embed settings as stored: allowed origins and appearance as JSON text.
    public struct EmbedSettings: Sendable, Equatable {
        public let allowedOriginsJSON: String?
        public let emailFrom: String?
        public let appearanceJSON: String?
    }

    /// The org and settings of one project (the partner's own view of them).
    public struct ProjectProfile: Sendable, Equatable {
        public let externalOrgID: String
        public let name: String
        public let projectID: String
        public let settings: EmbedSettings
    }

    public func project(projectID: String) async throws -> ProjectProfile? {
        try await database.sql.raw(
            """
            SELECT o.external_org_id, o.name, p.id AS project_id, e.allowed_origins, e.email_from, e.appearance
            FROM projects p JOIN orgs o ON o.id = p.org_id LEFT JOIN embed_partners e ON e.project_id = p.id
            WHERE p.id = \(bind: projectID)
            """
        ).first().map { row in
            ProjectProfile(
                externalOrgID: try row.decode(column: "external_org_id", as: String.self), name: try row.decode(column: "name", as: String.self),
                projectID: try row.decode(column: "project_id", as: String.self), settings: try Self.settings(row))
        }
    }

    static func settings(_ row: any SQLRow) throws -> EmbedSettings {
        EmbedSettings(
            allowedOriginsJSON: try row.decode(column: "allowed_origins", as: String?.self),
            emailFrom: try row.decode(column: "email_from", as: String?.self), appearanceJSON: try row.decode(column: "appearance", as: String?.self))
    }

    /// Every org, newest first, with its renders, stored bytes (render outputs and uploads) and embed
    /// sessions.
    public func orgs(limit: Int = 1000) async throws -> [OrgUsage] {
        try await database.sql.raw(
            """
            SELECT o.external_org_id, o.name, p.id AS project_id, o.created_at,
                (SELECT COUNT(*) FROM renders r WHERE r.project_id = p.id) AS renders,
                CAST((SELECT COALESCE(SUM(r.byte_count), 0) FROM renders r WHERE r.project_id = p.id)
                    + (SELECT COALESCE(SUM(u.byte_count), 0) FROM embed_uploads u WHERE u.project_id = p.id) AS BIGINT) AS storage_bytes,
                (SELECT COUNT(*) FROM embed_sessions s WHERE s.project_id = p.id) AS sessions,
                e.allowed_origins, e.email_from, e.appearance
            FROM orgs o JOIN projects p ON p.org_id = o.id LEFT JOIN embed_partners e ON e.project_id = p.id
            ORDER BY o.created_at DESC, o.id LIMIT \(bind: limit)
            """
        ).all().map { row in
            OrgUsage(
                externalOrgID: try row.decode(column: "external_org_id", as: String.self), name: try row.decode(column: "name", as: String.self),
                projectID: try row.decode(column: "project_id", as: String.self), createdAt: try row.decode(column: "created_at", as: Int64.self),
                renders: try row.decode(column: "renders", as: Int64.self), storageBytes: try row.decode(column: "storage_bytes", as: Int64.self),
                sessions: try row.decode(column: "sessions", as: Int64.self), settings: try Self.settings(row))
        }
    }
}
