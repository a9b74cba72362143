import Core
import Foundation
import Logging
import SQLKit

/// Versioned schema migrations, run at start-up and by `craftkit migrate`. Each version is applied once,
/// in its own transaction, and recorded in `schema_migrations`; the SQL is written once for both engines
/// (portable types: TEXT, BIGINT epoch milliseconds, no booleans).
public enum Migrations {
    public struct Migration: Sendable {
        public let version: Int
        public let name: String
        public let statements: [String]
        /// Used instead of `statements` on PostgreSQL, for the rare statement (JSON functions) that
        /// cannot be written once for both engines.
        public var postgresStatements: [String]? = nil
    }

    public static let all: [Migration] = [
        Migration(
            version: 1,
            name: "orgs, projects, api keys, embed partners, signing keys",
            statements: [
                """
                CREATE TABLE orgs (
                    id TEXT PRIMARY KEY,
                    external_org_id TEXT NOT NULL UNIQUE,
                    name TEXT NOT NULL,
                    created_at BIGINT NOT NULL,
                    updated_at BIGINT NOT NULL
                )
                """,
                """
                CREATE TABLE projects (
                    id TEXT PRIMARY KEY,
                    org_id TEXT NOT NULL UNIQUE REFERENCES orgs(id),
                    name TEXT NOT NULL,
                    provisioned_key_id TEXT,
                    created_at BIGINT NOT NULL
                )
                """,
                """
                CREATE TABLE api_keys (
                    id TEXT PRIMARY KEY,
                    project_id TEXT NOT NULL REFERENCES projects(id),
                    name TEXT NOT NULL,
                    prefix TEXT NOT NULL,
                    environment TEXT NOT NULL,
                    key_hash TEXT NOT NULL UNIQUE,
                    sealed_key TEXT,
                    created_at BIGINT NOT NULL,
                    revoked_at BIGINT
                )
                """,
                "CREATE INDEX api_keys_project ON api_keys (project_id, created_at)",
                """
                CREATE TABLE embed_partners (
                    id TEXT PRIMARY KEY,
                    project_id TEXT NOT NULL UNIQUE REFERENCES projects(id),
                    allowed_origins TEXT NOT NULL,
                    email_from TEXT,
                    status TEXT NOT NULL,
                    created_at BIGINT NOT NULL,
                    updated_at BIGINT NOT NULL
                )
                """,
                """
                CREATE TABLE signing_keys (
                    id TEXT PRIMARY KEY,
                    partner_id TEXT NOT NULL REFERENCES embed_partners(id),
                    kid TEXT NOT NULL UNIQUE,
                    public_key TEXT NOT NULL,
                    sealed_private_key TEXT NOT NULL,
                    created_at BIGINT NOT NULL,
                    retired_at BIGINT
                )
                """,
                "CREATE INDEX signing_keys_partner ON signing_keys (partner_id)",
            ]
        ),
        Migration(
            version: 2,
            name: "templates, versions, renders, jobs",
            statements: [
                """
                CREATE TABLE templates (
                    id TEXT PRIMARY KEY,
                    project_id TEXT NOT NULL REFERENCES projects(id),
                    slug TEXT NOT NULL,
                    name TEXT NOT NULL,
                    description TEXT,
                    template_type TEXT NOT NULL,
                    current_version_number BIGINT,
                    created_at BIGINT NOT NULL,
                    updated_at BIGINT NOT NULL,
                    deleted_at BIGINT
                )
                """,
                // A slug is unique among the live templates of a project; deleting frees it.
                "CREATE UNIQUE INDEX templates_live_slug ON templates (project_id, slug) WHERE deleted_at IS NULL",
                "CREATE INDEX templates_project_updated ON templates (project_id, updated_at)",
                """
                CREATE TABLE template_versions (
                    id TEXT PRIMARY KEY,
                    template_id TEXT NOT NULL REFERENCES templates(id),
                    number BIGINT NOT NULL,
                    layout TEXT NOT NULL,
                    manifest TEXT NOT NULL,
                    json_schema TEXT NOT NULL,
                    content_hash TEXT NOT NULL,
                    created_at BIGINT NOT NULL,
                    UNIQUE (template_id, number)
                )
                """,
                """
                CREATE TABLE renders (
                    id TEXT PRIMARY KEY,
                    project_id TEXT NOT NULL REFERENCES projects(id),
                    template_id TEXT NOT NULL REFERENCES templates(id),
                    template_slug TEXT NOT NULL,
                    version_id TEXT NOT NULL REFERENCES template_versions(id),
                    version_number BIGINT NOT NULL,
                    status TEXT NOT NULL,
                    data TEXT NOT NULL,
                    filename TEXT,
                    idempotency_key TEXT,
                    request_hash TEXT NOT NULL,
                    blob_key TEXT,
                    sha256 TEXT,
                    page_count BIGINT,
                    byte_count BIGINT,
                    error_message TEXT,
                    created_at BIGINT NOT NULL,
                    started_at BIGINT,
                    completed_at BIGINT,
                    duration_ms BIGINT
                )
                """,
                "CREATE UNIQUE INDEX renders_idempotency ON renders (project_id, idempotency_key) WHERE idempotency_key IS NOT NULL",
                "CREATE INDEX renders_project_created ON renders (project_id, created_at, id)",
                """
                CREATE TABLE jobs (
                    id TEXT PRIMARY KEY,
                    kind TEXT NOT NULL,
                    subject_id TEXT NOT NULL,
                    status TEXT NOT NULL,
                    attempts BIGINT NOT NULL,
                    run_at BIGINT NOT NULL,
                    lease_owner TEXT,
                    lease_expires_at BIGINT,
                    last_error TEXT,
                    created_at BIGINT NOT NULL
                )
                """,
                "CREATE INDEX jobs_due ON jobs (status, run_at)",
                "CREATE INDEX jobs_subject ON jobs (subject_id)",
            ]
        ),
        Migration(
            version: 3,
            name: "webhook endpoints and deliveries",
            statements: [
                """
                CREATE TABLE webhook_endpoints (
                    id TEXT PRIMARY KEY,
                    project_id TEXT NOT NULL REFERENCES projects(id),
                    url TEXT NOT NULL,
                    events TEXT NOT NULL,
                    description TEXT,
                    sealed_secret TEXT NOT NULL,
                    sealed_previous_secret TEXT,
                    previous_secret_expires_at BIGINT,
                    created_at BIGINT NOT NULL,
                    deleted_at BIGINT
                )
                """,
                "CREATE INDEX webhook_endpoints_project ON webhook_endpoints (project_id)",
                """
                CREATE TABLE webhook_deliveries (
                    id TEXT PRIMARY KEY,
                    endpoint_id TEXT NOT NULL REFERENCES webhook_endpoints(id),
                    project_id TEXT NOT NULL,
                    event_id TEXT NOT NULL,
                    event_type TEXT NOT NULL,
                    subject_id TEXT NOT NULL,
                    status TEXT NOT NULL,
                    attempts BIGINT NOT NULL,
                    last_status_code BIGINT,
                    last_error TEXT,
                    created_at BIGINT NOT NULL,
                    delivered_at BIGINT
                )
                """,
                "CREATE INDEX webhook_deliveries_endpoint ON webhook_deliveries (endpoint_id, created_at)",
            ]
        ),
        Migration(
            version: 4,
            name: "inbound render triggers",
            statements: [
                """
                CREATE TABLE inbound_triggers (
                    id TEXT PRIMARY KEY,
                    project_id TEXT NOT NULL REFERENCES projects(id),
                    template_id TEXT NOT NULL UNIQUE REFERENCES templates(id),
                    token_hash TEXT NOT NULL UNIQUE,
                    token_prefix TEXT NOT NULL,
                    sealed_secret TEXT NOT NULL,
                    enforce_signature BIGINT NOT NULL,
                    created_at BIGINT NOT NULL
                )
                """
            ]
        ),
        Migration(
            version: 5,
            name: "variable catalogs",
            statements: [
                """
                CREATE TABLE catalogs (
                    id TEXT PRIMARY KEY,
                    project_id TEXT NOT NULL REFERENCES projects(id),
                    name TEXT NOT NULL,
                    current_version BIGINT NOT NULL,
                    created_at BIGINT NOT NULL,
                    updated_at BIGINT NOT NULL,
                    UNIQUE (project_id, name)
                )
                """,
                """
                CREATE TABLE catalog_versions (
                    id TEXT PRIMARY KEY,
                    catalog_id TEXT NOT NULL REFERENCES catalogs(id),
                    version BIGINT NOT NULL,
                    payload TEXT NOT NULL,
                    created_at BIGINT NOT NULL,
                    archived_at BIGINT,
                    UNIQUE (catalog_id, version)
                )
                """,
            ]
        ),
        Migration(
            version: 6,
            name: "embed tenants, actors, sessions, renew tokens",
            statements: [
                """
                CREATE TABLE embed_tenants (
                    id TEXT PRIMARY KEY,
                    project_id TEXT NOT NULL REFERENCES projects(id),
                    external_id TEXT NOT NULL,
                    display_name TEXT NOT NULL,
                    branding TEXT,
                    created_at BIGINT NOT NULL,
                    updated_at BIGINT NOT NULL,
                    UNIQUE (project_id, external_id)
                )
                """,
                """
                CREATE TABLE embed_actors (
                    id TEXT PRIMARY KEY,
                    tenant_id TEXT NOT NULL REFERENCES embed_tenants(id),
                    external_id TEXT NOT NULL,
                    display_name TEXT,
                    email TEXT,
                    avatar_url TEXT,
                    created_at BIGINT NOT NULL,
                    updated_at BIGINT NOT NULL,
                    UNIQUE (tenant_id, external_id)
                )
                """,
                """
                CREATE TABLE embed_sessions (
                    id TEXT PRIMARY KEY,
                    project_id TEXT NOT NULL REFERENCES projects(id),
                    partner_id TEXT NOT NULL REFERENCES embed_partners(id),
                    tenant_id TEXT NOT NULL REFERENCES embed_tenants(id),
                    actor_id TEXT NOT NULL REFERENCES embed_actors(id),
                    mode TEXT NOT NULL,
                    claims TEXT NOT NULL,
                    expires_at BIGINT NOT NULL,
                    revoked_at BIGINT,
                    created_at BIGINT NOT NULL
                )
                """,
                """
                CREATE TABLE renew_tokens (
                    token_hash TEXT PRIMARY KEY,
                    session_id TEXT NOT NULL REFERENCES embed_sessions(id),
                    spent_at BIGINT,
                    created_at BIGINT NOT NULL
                )
                """,
            ]
        ),
        Migration(
            version: 7,
            name: "render origins and embed uploads",
            statements: [
                "ALTER TABLE renders ADD COLUMN source TEXT NOT NULL DEFAULT 'api'",
                "ALTER TABLE renders ADD COLUMN session_id TEXT",
                "ALTER TABLE renders ADD COLUMN tenant_id TEXT",
                "ALTER TABLE renders ADD COLUMN dataset_selection TEXT",
                "CREATE INDEX renders_session ON renders (session_id)",
                """
                CREATE TABLE embed_uploads (
                    id TEXT PRIMARY KEY,
                    project_id TEXT NOT NULL REFERENCES projects(id),
                    session_id TEXT NOT NULL REFERENCES embed_sessions(id),
                    blob_key TEXT NOT NULL UNIQUE,
                    content_type TEXT NOT NULL,
                    byte_count BIGINT NOT NULL,
                    created_at BIGINT NOT NULL
                )
                """,
                "CREATE INDEX embed_uploads_session ON embed_uploads (session_id)",
            ]
        ),
        Migration(
            version: 8,
            name: "builder drafts and session counters",
            statements: [
                "ALTER TABLE templates ADD COLUMN draft TEXT",
                "ALTER TABLE templates ADD COLUMN category TEXT",
                "ALTER TABLE embed_sessions ADD COLUMN drafts_saved BIGINT NOT NULL DEFAULT 0",
                "ALTER TABLE embed_sessions ADD COLUMN publishes BIGINT NOT NULL DEFAULT 0",
            ]
        ),
        Migration(
            version: 9,
            name: "rate limit counters",
            statements: ["CREATE TABLE rate_limits (bucket TEXT PRIMARY KEY, window_start BIGINT NOT NULL, hits BIGINT NOT NULL)"]
        ),
        Migration(
            version: 10,
            name: "templates created by embed sessions",
            statements: ["ALTER TABLE templates ADD COLUMN created_by_session TEXT"]
        ),
        Migration(
            version: 11,
            name: "form drafts",
            statements: ["ALTER TABLE embed_sessions ADD COLUMN form_draft TEXT", "ALTER TABLE embed_sessions ADD COLUMN form_draft_saved_at BIGINT"]
        ),
        // The CORS check runs on every cross-origin embed request, also unauthenticated preflights: an
        // exact, indexed lookup instead of a LIKE scan over every partner's origin list.
        Migration(
            version: 12,
            name: "allowed origins index",
            statements: [
                "CREATE TABLE embed_partner_origins (origin TEXT NOT NULL, partner_id TEXT NOT NULL, PRIMARY KEY (origin, partner_id))",
                """
                INSERT INTO embed_partner_origins (origin, partner_id)
                SELECT DISTINCT o.value, e.id FROM embed_partners e, json_each(e.allowed_origins) o
                """,
            ],
            postgresStatements: [
                "CREATE TABLE embed_partner_origins (origin TEXT NOT NULL, partner_id TEXT NOT NULL, PRIMARY KEY (origin, partner_id))",
                """
                INSERT INTO embed_partner_origins (origin, partner_id)
                SELECT DISTINCT o.value, e.id FROM embed_partners e, json_array_elements_text(e.allowed_origins::json) o
                """,
            ]
        ),
        Migration(
            version: 13,
            name: "renders requested with test keys",
            statements: ["ALTER TABLE renders ADD COLUMN test_key BIGINT NOT NULL DEFAULT 0"]
        ),
        Migration(
            version: 14,
            name: "shares, engagement events, org appearance",
            statements: [
                """
                CREATE TABLE shares (
                    id TEXT PRIMARY KEY,
                    project_id TEXT NOT NULL REFERENCES projects(id),
                    render_id TEXT NOT NULL REFERENCES renders(id),
                    channel TEXT NOT NULL,
                    recipient_email TEXT,
                    recipient_name TEXT,
                    message TEXT,
                    expires_at BIGINT,
                    revoked_at BIGINT,
                    revoked_reason TEXT,
                    token_hash TEXT NOT NULL UNIQUE,
                    sealed_token TEXT NOT NULL,
                    email_message_id TEXT,
                    sent_at BIGINT,
                    created_at BIGINT NOT NULL
                )
                """,
                "CREATE INDEX shares_render ON shares (project_id, render_id, created_at)",
                """
                CREATE TABLE engagement_events (
                    id TEXT PRIMARY KEY,
                    project_id TEXT NOT NULL REFERENCES projects(id),
                    render_id TEXT NOT NULL REFERENCES renders(id),
                    template_id TEXT NOT NULL,
                    share_id TEXT,
                    event_type TEXT NOT NULL,
                    actor_kind TEXT NOT NULL,
                    viewer TEXT,
                    user_agent TEXT,
                    metadata TEXT,
                    created_at BIGINT NOT NULL
                )
                """,
                "CREATE INDEX engagement_events_render ON engagement_events (project_id, render_id, created_at)",
                "CREATE INDEX engagement_events_share ON engagement_events (share_id, event_type)",
                // One row per (share or render, type, viewer): the last time an event under that key was
                // recorded. An upsert on it decides "inside the window" atomically on both engines.
                "CREATE TABLE engagement_dedupe (dedupe_key TEXT PRIMARY KEY, recorded_at BIGINT NOT NULL)",
                "ALTER TABLE embed_partners ADD COLUMN appearance TEXT",
            ]
        ),
        Migration(
            version: 15,
            name: "fair queueing: a tenant per job and each tenant's last turn",
            statements: [
                "ALTER TABLE jobs ADD COLUMN tenant TEXT NOT NULL DEFAULT ''",
                "UPDATE jobs SET tenant = COALESCE((SELECT project_id FROM renders WHERE renders.id = jobs.subject_id), '') WHERE kind = 'render'",
                """
                UPDATE jobs SET tenant = COALESCE((SELECT project_id FROM webhook_deliveries d WHERE d.id = jobs.subject_id), '')
                WHERE kind = 'webhook'
                """,
                "CREATE INDEX jobs_tenant_due ON jobs (tenant, status, run_at)",
                // One row per (kinds a worker claims, tenant): the sequence number of that tenant's last
                // turn; the claim serves the tenant whose turn is oldest (docs/operations.md#fair-queueing).
                "CREATE TABLE queue_turns (turn_key TEXT PRIMARY KEY, claimed_at BIGINT NOT NULL)",
            ]
        ),
        Migration(
            version: 16,
            name: "signature requests, recipients, fields, append-only audit trail, signing identities",
            statements: signatureTables + [
                """
                CREATE TRIGGER signature_events_no_update BEFORE UPDATE ON signature_events
                BEGIN SELECT RAISE(ABORT, 'signature_events is append-only'); END
                """,
                """
                CREATE TRIGGER signature_events_no_delete BEFORE DELETE ON signature_events
                BEGIN SELECT RAISE(ABORT, 'signature_events is append-only'); END
                """,
            ],
            postgresStatements: signatureTables + [
                """
                CREATE FUNCTION signature_events_append_only() RETURNS trigger LANGUAGE plpgsql AS $$
                BEGIN RAISE EXCEPTION 'signature_events is append-only'; END $$
                """,
                """
                CREATE TRIGGER signature_events_no_change BEFORE UPDATE OR DELETE ON signature_events
                FOR EACH ROW EXECUTE FUNCTION signature_events_append_only()
                """,
                """
                CREATE TRIGGER signature_events_no_truncate BEFORE TRUNCATE ON signature_events
                FOR EACH STATEMENT EXECUTE FUNCTION signature_events_append_only()
                """,
            ]
        ),
        Migration(
            version: 17,
            name: "signature reminders",
            statements: [
                "ALTER TABLE signature_requests ADD COLUMN reminder_hours BIGINT",
                "ALTER TABLE signature_recipients ADD COLUMN reminded_at BIGINT",
            ]
        ),
        Migration(
            version: 18,
            name: "archival renders: PDF/A level, warnings, embedded files",
            statements: [
                "ALTER TABLE renders ADD COLUMN pdfa TEXT",
                "ALTER TABLE renders ADD COLUMN warnings TEXT",
                "ALTER TABLE renders ADD COLUMN attachment_count BIGINT NOT NULL DEFAULT 0",
                // Content as base64 text: one column type on both engines, and a render's files are few and bounded.
                // A file named by URL has empty content and its url; the worker fetches it.
                """
                CREATE TABLE render_attachments (
                    render_id TEXT NOT NULL REFERENCES renders(id),
                    position BIGINT NOT NULL,
                    filename TEXT NOT NULL,
                    mime_type TEXT NOT NULL,
                    relationship TEXT NOT NULL,
                    description TEXT,
                    content TEXT NOT NULL,
                    url TEXT,
                    PRIMARY KEY (render_id, position)
                )
                """,
            ]
        ),
    ]

    /// The signature tables of migration 16, the same on both engines; only the triggers that keep
    /// `signature_events` append-only are written per engine.
    static let signatureTables: [String] = [
        """
        CREATE TABLE signature_requests (
            id TEXT PRIMARY KEY,
            project_id TEXT NOT NULL REFERENCES projects(id),
            render_id TEXT NOT NULL REFERENCES renders(id),
            name TEXT NOT NULL,
            status TEXT NOT NULL,
            expiration_hours BIGINT NOT NULL,
            expires_at BIGINT NOT NULL,
            idempotency_key TEXT,
            request_hash TEXT NOT NULL,
            error_message TEXT,
            signed_blob_key TEXT,
            certificate_blob_key TEXT,
            sha256_before TEXT NOT NULL,
            sha256_after TEXT,
            page_sizes TEXT NOT NULL,
            created_at BIGINT NOT NULL,
            completed_at BIGINT
        )
        """,
        "CREATE UNIQUE INDEX signature_requests_idempotency ON signature_requests (project_id, idempotency_key) WHERE idempotency_key IS NOT NULL",
        "CREATE INDEX signature_requests_project_created ON signature_requests (project_id, created_at, id)",
        "CREATE INDEX signature_requests_open_expiry ON signature_requests (status, expires_at)",
        """
        CREATE TABLE signature_recipients (
            id TEXT PRIMARY KEY,
            request_id TEXT NOT NULL REFERENCES signature_requests(id),
            idx BIGINT NOT NULL,
            sign_order BIGINT,
            first_name TEXT NOT NULL,
            last_name TEXT,
            email TEXT NOT NULL,
            designation TEXT NOT NULL,
            token_hash TEXT NOT NULL UNIQUE,
            sealed_token TEXT NOT NULL,
            status TEXT NOT NULL,
            invited_at BIGINT,
            viewed_at BIGINT,
            signed_at BIGINT,
            declined_at BIGINT,
            decline_reason TEXT,
            UNIQUE (request_id, idx)
        )
        """,
        """
        CREATE TABLE signature_fields (
            request_id TEXT NOT NULL REFERENCES signature_requests(id),
            idx BIGINT NOT NULL,
            recipient_index BIGINT NOT NULL,
            page BIGINT NOT NULL,
            x DOUBLE PRECISION NOT NULL,
            y DOUBLE PRECISION NOT NULL,
            width DOUBLE PRECISION NOT NULL,
            height DOUBLE PRECISION NOT NULL,
            field_type TEXT NOT NULL,
            required BIGINT NOT NULL,
            value_text TEXT,
            value_image TEXT,
            PRIMARY KEY (request_id, idx)
        )
        """,
        // The audit trail: append-only (triggers below refuse UPDATE and DELETE on both engines),
        // each row chained to the one before by its hash (docs/decisions/0016-signatures.md).
        """
        CREATE TABLE signature_events (
            id TEXT PRIMARY KEY,
            request_id TEXT NOT NULL REFERENCES signature_requests(id),
            project_id TEXT NOT NULL,
            seq BIGINT NOT NULL,
            event_type TEXT NOT NULL,
            recipient_index BIGINT,
            at BIGINT NOT NULL,
            ip_hash TEXT,
            user_agent TEXT,
            detail TEXT NOT NULL,
            prev_hash TEXT NOT NULL,
            hash TEXT NOT NULL,
            UNIQUE (request_id, seq)
        )
        """,
        // The per-project signing identity, created at first use; the private key sealed (decision 0001).
        """
        CREATE TABLE signing_identities (
            project_id TEXT PRIMARY KEY REFERENCES projects(id),
            sealed_private_key TEXT NOT NULL,
            certificate_der TEXT NOT NULL,
            created_at BIGINT NOT NULL
        )
        """,
    ]

    public static var latestVersion: Int { all.map(\.version).max() ?? 0 }

    /// Applies every migration newer than the recorded version. Returns the versions it applied.
    /// Safe to run concurrently from several nodes: each version commits with its row in
    /// `schema_migrations` (primary key), so a second runner fails that version's transaction and
    /// re-reads instead of applying it twice.
    @discardableResult
    public static func run(on database: Database, logger: Logger) async throws -> [Int] {
        try await database.sql.raw(
            "CREATE TABLE IF NOT EXISTS schema_migrations (version BIGINT PRIMARY KEY, name TEXT NOT NULL, applied_at BIGINT NOT NULL)"
        ).run()
        var applied: [Int] = []
        for migration in all.sorted(by: { $0.version < $1.version }) {
            let done =
                try await database.sql.raw("SELECT version FROM schema_migrations WHERE version = \(bind: migration.version)")
                .first() != nil
            if done { continue }
            do {
                try await database.transaction { db in
                    let statements = database.engine == .postgres ? migration.postgresStatements ?? migration.statements : migration.statements
                    for statement in statements { try await db.raw(SQLQueryString(statement)).run() }
                    try await db.raw(
                        "INSERT INTO schema_migrations (version, name, applied_at) VALUES (\(bind: migration.version), \(bind: migration.name), \(bind: Date().epochMillis))"
                    ).run()
                }
            } catch {
                let doneByOther =
                    try await database.sql.raw(
                        "SELECT version FROM schema_migrations WHERE version = \(bind: migration.version)"
                    ).first() != nil
                if doneByOther { continue }
                throw error
            }
            logger.info("applied migration", metadata: ["version": "\(migration.version)", "name": "\(migration.name)"])
            applied.append(migration.version)
        }
        return applied
    }

    /// The highest applied version, 0 on an empty database.
    public static func currentVersion(of database: Database) async throws -> Int {
        try await database.sql.raw(
            "CREATE TABLE IF NOT EXISTS schema_migrations (version BIGINT PRIMARY KEY, name TEXT NOT NULL, applied_at BIGINT NOT NULL)"
        ).run()
        let row = try await database.sql.raw("SELECT MAX(version) AS version FROM schema_migrations").first()
        return try row?.decodeNil(column: "version") == false ? Int(try row!.decode(column: "version", as: Int64.self)) : 0
    }
}
