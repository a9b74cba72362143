import Foundation

/// Everything the server reads from `CRAFTKIT_*` environment variables, with embedded-mode defaults.
/// Parsing is pure (a dictionary in, a value or one clear error out) so it is tested without a process.
public struct ServerConfig: Sendable, Equatable {
    public enum DatabaseLocation: Sendable, Equatable {
        case sqlite(path: String)
        case postgres(url: String)
    }

    public var host: String
    public var port: Int
    public var publicURL: String
    public var dataDirectory: String
    public var database: DatabaseLocation
    /// Directory of the filesystem blob store (unused when `s3Storage` is set).
    public var blobDirectory: String
    /// The S3-compatible bucket blobs live in, when `CRAFTKIT_STORAGE_URL` is an `s3://` URL.
    public var s3Storage: S3Location?
    /// `nil` when not set: `serve` then generates one into the data directory and prints where.
    public var adminKey: String?
    public var encryptionKey: String?
    /// Older encryption secrets that can still open sealed values (during a rotation).
    public var previousEncryptionKeys: [String]
    public var logLevel: String
    public var workers: Int
    /// Renders of one project running at once across every worker of the deployment; 0 = no cap
    /// (docs/operations.md#fair-queueing).
    public var maxRunningRendersPerProject: Int
    /// How long a render worker's claim on a job lasts without a heartbeat (renewed every third of it):
    /// after a worker dies, its renders are taken again by another worker this much later.
    public var renderLeaseMillis: Int
    /// How long a webhook deliverer's claim on a delivery lasts (a delivery takes at most 20 s: 10 s for
    /// a connection slot, 10 s for the request): a dead process's deliveries are retried this much later.
    public var webhookLeaseMillis: Int
    public var maxBodyBytes: Int
    /// Short git sha of the build, or `local`; reported by the health endpoint.
    public var version: String
    /// Base URL under which the blob store's objects are publicly readable
    /// (docs/decisions/0007-download-urls.md): then a render's `downloadUrl` is `{base}/{blobKey}`;
    /// otherwise the authenticated download route.
    public var publicBlobURL: String?
    /// `CRAFTKIT_PUBLIC_BLOB_URL=presigned`: `downloadUrl` is a presigned GET URL of the S3 object,
    /// valid for `presignedURLSeconds`.
    public var presignedDownloads: Bool
    public var presignedURLSeconds: Int
    /// Lets render-time image fetches reach private and loopback addresses (tests only).
    public var allowPrivateFetch: Bool
    /// Requests per minute per API key and per embed session; 0 turns a limit off.
    public var rateLimitPerKey: Int
    public var rateLimitPerSession: Int
    /// How long a session token lives; every refresh pushes it this far out again.
    public var sessionLifetimeSeconds: Int
    /// The static embed pages and SDK (`Public/`).
    public var publicDirectory: String
    /// Live previews rendered at once by this process; more wait up to `previewQueueMillis`, then get
    /// 503 `preview_busy`. A preview taking longer than `previewTimeoutSeconds` is 422 `render_timeout`.
    public var previewConcurrency: Int
    public var previewQueueMillis: Int
    public var previewTimeoutSeconds: Int
    /// Failed authentications per minute from one client address before it is answered 429; 0 = off.
    public var authFailuresPerMinute: Int
    /// How long `/health` reuses its last probe (the storage probe writes a blob).
    public var healthCacheMillis: Int
    /// When set, `GET /metrics` needs `Authorization: Bearer <token>` (docs/operations.md#metrics).
    public var metricsToken: String?
    /// Days an end user's uploaded image stays served under its URL (renders made from it keep it).
    public var uploadRetentionDays: Int
    /// Base of `shareUrl` (`{base}/share/{token}`): a custom share domain, else the public URL.
    public var shareBaseURL: String
    /// Email providers (docs/operations.md#email-providers): Resend when its key is set, else SMTP when
    /// its URL is set, else none (email routes answer 503 `email_not_configured`).
    public var resendAPIKey: String?
    public var resendBaseURL: String
    public var smtpURL: String?
    /// The sender when the org has no `emailFrom`.
    public var emailFrom: String?
    /// PEM files of an operator's signing certificate and private key: when both are set they sign every
    /// project's documents instead of the per-project self-signed identity (docs/signatures.md).
    public var signingCertificatePath: String?
    public var signingKeyPath: String?

    /// A bad value, named with its variable so start-up can stop with one clear line.
    public struct Invalid: Error, Equatable, CustomStringConvertible {
        public let variable: String
        public let problem: String
        public var description: String { "\(variable): \(problem)" }

        public init(variable: String, problem: String) {
            self.variable = variable
            self.problem = problem
        }
    }

    public static let minimumSecretLength = 16
    static let logLevels = ["trace", "debug", "info", "notice", "warning", "error", "critical"]

    public init(environment env: [String: String], processorCount: Int = ProcessInfo.processInfo.activeProcessorCount) throws {
        func value(_ key: String) -> String? {
            guard let raw = env[key]?.trimmingCharacters(in: .whitespaces), !raw.isEmpty else { return nil }
            return raw
        }
        func integer(_ key: String, default fallback: Int, range: ClosedRange<Int>) throws -> Int {
            guard let raw = value(key) else { return fallback }
            guard let number = Int(raw), range.contains(number) else {
                throw Invalid(variable: key, problem: "must be an integer from \(range.lowerBound) to \(range.upperBound), got \"\(raw)\"")
            }
            return number
        }
        func secret(_ key: String) throws -> String? {
            guard let raw = value(key) else { return nil }
            guard raw.count >= Self.minimumSecretLength else {
                throw Invalid(variable: key, problem: "must be at least \(Self.minimumSecretLength) characters")
            }
            return raw
        }

        host = value("CRAFTKIT_HOST") ?? "127.0.0.1"
        port = try integer("CRAFTKIT_PORT", default: 8080, range: 0...65535)
        dataDirectory = value("CRAFTKIT_DATA_DIR") ?? "./data"

        let defaultPublicHost = host == "0.0.0.0" || host == "::" ? "localhost" : host
        publicURL = try Self.parseBaseURL(value("CRAFTKIT_PUBLIC_URL"), variable: "CRAFTKIT_PUBLIC_URL") ?? "http://\(defaultPublicHost):\(port)"

        database = try Self.parseDatabase(value("CRAFTKIT_DATABASE_URL"), dataDirectory: dataDirectory)
        let storageURL = value("CRAFTKIT_STORAGE_URL")
        if let storageURL, storageURL.hasPrefix("s3://") {
            s3Storage = try S3Location.parse(storageURL, credentials: value)
            blobDirectory = dataDirectory + "/blobs"
        } else {
            s3Storage = nil
            blobDirectory = try Self.parseStorage(storageURL, dataDirectory: dataDirectory)
        }

        adminKey = try secret("CRAFTKIT_ADMIN_KEY")
        encryptionKey = try secret("CRAFTKIT_ENCRYPTION_KEY")
        previousEncryptionKeys = (value("CRAFTKIT_PREVIOUS_ENCRYPTION_KEYS") ?? "")
            .split(separator: ",").map { $0.trimmingCharacters(in: .whitespaces) }.filter { !$0.isEmpty }

        logLevel = value("CRAFTKIT_LOG_LEVEL")?.lowercased() ?? "info"
        guard Self.logLevels.contains(logLevel) else {
            throw Invalid(variable: "CRAFTKIT_LOG_LEVEL", problem: "must be one of \(Self.logLevels.joined(separator: ", ")), got \"\(logLevel)\"")
        }
        workers = try integer("CRAFTKIT_WORKERS", default: max(1, processorCount), range: 0...256)
        maxRunningRendersPerProject = try integer("CRAFTKIT_MAX_RUNNING_RENDERS_PER_PROJECT", default: 16, range: 0...100_000)
        renderLeaseMillis = try integer("CRAFTKIT_RENDER_LEASE_MS", default: 30_000, range: 3_000...3_600_000)
        webhookLeaseMillis = try integer("CRAFTKIT_WEBHOOK_LEASE_MS", default: 60_000, range: 30_000...3_600_000)
        maxBodyBytes = try Self.parseByteSize(value("CRAFTKIT_MAX_BODY_BYTES"), variable: "CRAFTKIT_MAX_BODY_BYTES", default: 10 * 1024 * 1024)
        version = value("CRAFTKIT_VERSION") ?? "local"
        presignedDownloads = value("CRAFTKIT_PUBLIC_BLOB_URL")?.lowercased() == "presigned"
        if presignedDownloads && s3Storage == nil {
            throw Invalid(variable: "CRAFTKIT_PUBLIC_BLOB_URL", problem: "presigned needs an s3:// CRAFTKIT_STORAGE_URL")
        }
        publicBlobURL = presignedDownloads ? nil : try Self.parseBaseURL(value("CRAFTKIT_PUBLIC_BLOB_URL"), variable: "CRAFTKIT_PUBLIC_BLOB_URL")
        // S3 accepts presigned URLs valid for up to 7 days.
        presignedURLSeconds = try integer("CRAFTKIT_PRESIGNED_URL_SECONDS", default: 300, range: 1...604_800)
        switch value("CRAFTKIT_ALLOW_PRIVATE_FETCH")?.lowercased() {
        case nil, "0", "false", "no": allowPrivateFetch = false
        case "1", "true", "yes": allowPrivateFetch = true
        case let other?: throw Invalid(variable: "CRAFTKIT_ALLOW_PRIVATE_FETCH", problem: "must be 1 or 0, got \"\(other)\"")
        }
        rateLimitPerKey = try integer("CRAFTKIT_RATE_LIMIT_PER_KEY", default: 6_000, range: 0...10_000_000)
        rateLimitPerSession = try integer("CRAFTKIT_RATE_LIMIT_PER_SESSION", default: 600, range: 0...10_000_000)
        publicDirectory = value("CRAFTKIT_PUBLIC_DIR") ?? "./Public"
        sessionLifetimeSeconds = try integer("CRAFTKIT_SESSION_TTL_SECONDS", default: 4 * 3600, range: 60...7 * 86400)
        previewConcurrency = try integer("CRAFTKIT_PREVIEW_CONCURRENCY", default: max(1, processorCount), range: 1...256)
        previewQueueMillis = try integer("CRAFTKIT_PREVIEW_QUEUE_MS", default: 5_000, range: 0...60_000)
        previewTimeoutSeconds = try integer("CRAFTKIT_PREVIEW_TIMEOUT_SECONDS", default: 15, range: 1...300)
        authFailuresPerMinute = try integer("CRAFTKIT_AUTH_FAILURES_PER_MINUTE", default: 30, range: 0...1_000_000)
        healthCacheMillis = try integer("CRAFTKIT_HEALTH_CACHE_MS", default: 1_000, range: 0...3_600_000)
        metricsToken = value("CRAFTKIT_METRICS_TOKEN").flatMap { $0.isEmpty ? nil : $0 }
        uploadRetentionDays = try integer("CRAFTKIT_UPLOAD_RETENTION_DAYS", default: 30, range: 1...3650)
        shareBaseURL = try Self.parseBaseURL(value("CRAFTKIT_SHARE_BASE_URL"), variable: "CRAFTKIT_SHARE_BASE_URL") ?? publicURL
        resendAPIKey = value("CRAFTKIT_RESEND_API_KEY")
        resendBaseURL = try Self.parseBaseURL(value("CRAFTKIT_RESEND_BASE_URL"), variable: "CRAFTKIT_RESEND_BASE_URL") ?? "https://api.resend.com"
        smtpURL = value("CRAFTKIT_SMTP_URL")
        if let smtp = smtpURL {
            guard let url = URLComponents(string: smtp), ["smtp", "smtps"].contains(url.scheme ?? ""), url.host?.isEmpty == false else {
                throw Invalid(variable: "CRAFTKIT_SMTP_URL", problem: "must look like smtp://user:password@host:587 or smtps://host:465")
            }
        }
        emailFrom = value("CRAFTKIT_EMAIL_FROM")
        if let from = emailFrom, from.contains(where: \.isNewline) || !Formats.isSender(from) {
            throw Invalid(variable: "CRAFTKIT_EMAIL_FROM", problem: "must be an address, optionally with a name: \"Acme <docs@acme.com>\"")
        }
        signingCertificatePath = value("CRAFTKIT_SIGNING_CERT").flatMap { $0.isEmpty ? nil : $0 }
        signingKeyPath = value("CRAFTKIT_SIGNING_KEY").flatMap { $0.isEmpty ? nil : $0 }
        if (signingCertificatePath == nil) != (signingKeyPath == nil) {
            throw Invalid(
                variable: signingCertificatePath == nil ? "CRAFTKIT_SIGNING_CERT" : "CRAFTKIT_SIGNING_KEY",
                problem: "CRAFTKIT_SIGNING_CERT and CRAFTKIT_SIGNING_KEY are set together (PEM file paths)")
        }
    }

    /// The secret sealed values are encrypted under: the encryption key, else the admin key
    /// (docs/decisions/0001-secrets-at-rest.md).
    public var sealingSecret: String? { encryptionKey ?? adminKey }

    /// An absolute http(s) base URL without a trailing slash, or nil when unset.
    static func parseBaseURL(_ raw: String?, variable: String) throws -> String? {
        guard var base = raw else { return nil }
        guard let url = URL(string: base), ["http", "https"].contains(url.scheme ?? ""), url.host != nil else {
            throw Invalid(variable: variable, problem: "must be an absolute http(s) URL, got \"\(base)\"")
        }
        while base.hasSuffix("/") { base.removeLast() }
        return base
    }

    static func parseDatabase(_ raw: String?, dataDirectory: String) throws -> DatabaseLocation {
        guard let raw else { return .sqlite(path: dataDirectory + "/craftkit.sqlite") }
        if raw.hasPrefix("postgres://") || raw.hasPrefix("postgresql://") {
            guard let url = URLComponents(string: raw), url.host?.isEmpty == false, url.user?.isEmpty == false else {
                throw Invalid(variable: "CRAFTKIT_DATABASE_URL", problem: "must look like postgres://user:password@host:5432/database")
            }
            return .postgres(url: raw)
        }
        if raw.hasPrefix("sqlite://") {
            let path = String(raw.dropFirst("sqlite://".count))
            guard !path.isEmpty else { throw Invalid(variable: "CRAFTKIT_DATABASE_URL", problem: "sqlite:// needs a file path") }
            return .sqlite(path: path)
        }
        throw Invalid(variable: "CRAFTKIT_DATABASE_URL", problem: "must start with sqlite:// or postgres://")
    }

    static func parseStorage(_ raw: String?, dataDirectory: String) throws -> String {
        guard let raw else { return dataDirectory + "/blobs" }
        if raw.hasPrefix("file://") {
            let path = String(raw.dropFirst("file://".count))
            guard !path.isEmpty else { throw Invalid(variable: "CRAFTKIT_STORAGE_URL", problem: "file:// needs a directory path") }
            return path
        }
        throw Invalid(variable: "CRAFTKIT_STORAGE_URL", problem: "must be a file:// directory URL or an s3://bucket/prefix URL")
    }

    static func parseByteSize(_ raw: String?, variable: String, default fallback: Int) throws -> Int {
        guard let raw else { return fallback }
        let lower = raw.lowercased()
        let multipliers: [(String, Int)] = [("mib", 1 << 20), ("mb", 1 << 20), ("m", 1 << 20), ("kib", 1 << 10), ("kb", 1 << 10), ("k", 1 << 10)]
        var number = lower
        var multiplier = 1
        if let (suffix, factor) = multipliers.first(where: { lower.hasSuffix($0.0) }) {
            number = String(lower.dropLast(suffix.count))
            multiplier = factor
        }
        guard let count = Int(number.trimmingCharacters(in: .whitespaces)), count > 0, count <= (1 << 30) / multiplier else {
            throw Invalid(variable: variable, problem: "must be a positive size in bytes (suffix k or m allowed) up to 1 GiB, got \"\(raw)\"")
        }
        return count * multiplier
    }
}
