import AdminProvisioning
import Catalogs
import Core
import Delivery
import EmbedSessions
import Foundation
import Logging
import Outbound
import Render
import Renders
import Signatures
import Storage
import Synchronization
import Templates
import Webhooks

/// Everything the routes use, built once at start-up: the composition root of the server.
public struct AppServices: Sendable {
    public let config: ServerConfig
    public let adminKey: String
    public let database: Database
    public let blobs: any BlobStore
    public let secrets: SecretBox
    public let provisioning: ProvisioningService
    public let keys: APIKeyService
    public let embedPartners: any EmbedPartnerRepository
    public let catalogs: CatalogService
    public let sessions: SessionService
    public let rateLimiter: any RateLimiter
    public let templates: TemplateService
    public let renders: RenderService
    /// Wakes this process's render workers when a render is enqueued.
    public let jobSignal: JobSignal
    /// Wakes this process's webhook deliverers when a render finishes or an event is enqueued.
    public let webhookSignal: JobSignal
    public let renderWorker: RenderWorker
    /// The render core, for previews in the request path (renders go through the queue).
    public let engine: RenderEngine
    /// Bounds the live previews this process renders at once (`ServerConfig.previewConcurrency`).
    public let previews: AsyncLimiter
    /// Share-page image batches being drawn, so concurrent requests for one batch share a drawing.
    let pageBatches = SingleFlight<String, [Int: Data]>()
    /// Set when graceful shutdown begins: `/v1/health/ready` then answers 503 so a load balancer stops
    /// sending requests while in-flight ones finish.
    public let draining = DrainState()
    /// Threads for end users' and anonymous requests, below the partners' API in priority (see
    /// `RequestMiddleware.isEndUserTraffic`).
    public let endUserWork: LowPriorityExecutor
    /// One pool per process (its threads live as long as the process), whatever number of apps it builds.
    static let endUserThreads = LowPriorityExecutor(
        count: max(1, ProcessInfo.processInfo.activeProcessorCount), niceness: 19, name: "ck-end-user")
    public let inbound: InboundTriggerService
    public let webhooks: WebhookService
    public let webhookDeliverer: WebhookDeliverer
    public let logger: Logger
    /// Shares, engagement and email of finished renders.
    public let delivery: DeliveryService
    public let deliveryStore: SQLDeliveryRepository
    /// Pseudonymous viewer ids for engagement events (keyed by the sealing secret).
    public let viewerHash: ViewerHash
    /// The configured email provider; nil when none is (email routes answer 503).
    public let emailSender: (any EmailSender)?
    /// Built-in signing: requests, recipients' acts, the audit trail (docs/signatures.md).
    public let signatures: SignatureService
    public let signatureStore: SQLSignatureRepository
    /// Wakes this process's signature worker when a signature asks for an invitation or a seal.
    public let signatureSignal: JobSignal

    public init(
        config: ServerConfig, adminKey: String, database: Database, blobs: any BlobStore, engine: RenderEngine, logger: Logger,
        workerSettings: RenderWorker.Settings = RenderWorker.Settings(), webhookSettings: WebhookDeliverer.Settings = WebhookDeliverer.Settings(),
        webhookTransport: (any WebhookTransport)? = nil, emailSender: (any EmailSender)? = nil
    ) {
        self.config = config
        // swift-metrics is bootstrapped before anything in this process records (`Telemetry`).
        _ = Telemetry.registry
        self.adminKey = adminKey
        self.database = database
        self.blobs = blobs
        self.logger = logger
        // Sealed with the encryption key, else the admin key; previous keys still open
        // (docs/decisions/0001-secrets-at-rest.md).
        secrets = SecretBox(secret: config.encryptionKey ?? adminKey, previousSecrets: config.previousEncryptionKeys)
        provisioning = ProvisioningService(repository: SQLProvisioningRepository(database: database), secrets: secrets)
        let keyRepository = SQLAPIKeyRepository(database: database)
        // One HTTP process on SQLite: keys can be cached with in-process revocation (see the type).
        keys = APIKeyService(repository: database.engine == .sqlite ? CachedAPIKeyRepository(base: keyRepository) : keyRepository)
        embedPartners = CachedEmbedPartnerRepository(base: SQLEmbedPartnerRepository(database: database))
        catalogs = CatalogService(repository: SQLCatalogRepository(database: database))
        // One HTTP process on SQLite: counters in memory; PostgreSQL nodes share them in the database.
        rateLimiter = database.engine == .sqlite ? InMemoryRateLimiter() : SQLRateLimiter(database: database)
        sessions = SessionService(
            repository: SQLEmbedSessionRepository(database: database), secrets: secrets, publicURL: config.publicURL,
            lifetimeMillis: Int64(config.sessionLifetimeSeconds) * 1000, cachesSessions: database.engine == .sqlite
        )
        let templateRepository = SQLTemplateRepository(database: database)
        let renderRepository = SQLRenderRepository(database: database)
        self.engine = engine
        previews = AsyncLimiter(limit: config.previewConcurrency)
        endUserWork = Self.endUserThreads
        jobSignal = JobSignal()
        webhookSignal = JobSignal()
        let queue = SQLJobQueue(database: database, maxRunningPerTenant: config.maxRunningRendersPerProject)
        // Services emit their jobs and events through a unit of work; render enqueues group-commit on SQLite.
        let work = SQLUnitOfWork(database: database)
        templates = TemplateService(repository: templateRepository, work: work)
        renders = RenderService(
            templates: templateRepository, renders: renderRepository, work: SQLUnitOfWork(database: database, groupCommit: true), signal: jobSignal)
        inbound = InboundTriggerService(
            triggers: SQLInboundTriggerRepository(database: database), templates: templateRepository, renders: renders, secrets: secrets
        )
        renderWorker = RenderWorker(
            queue: queue, renders: renderRepository, work: work, templates: templateRepository, blobs: blobs, engine: engine,
            images: UploadAwareImageLoader(
                uploadsURL: config.publicURL + PublicPageRoutes.uploadPrefix, blobs: blobs,
                fallback: HTTPImageLoader(allowPrivate: config.allowPrivateFetch, logger: logger)
            ),
            attachmentFetcher: HTTPAttachmentFetcher(
                allowPrivate: config.allowPrivateFetch, maxBytes: RenderAttachments.maxFileBytes, logger: logger),
            signal: jobSignal, completions: webhookSignal,
            settings: workerSettings, logger: logger
        )
        let deliveryRepository = SQLDeliveryRepository(database: database)
        deliveryStore = deliveryRepository
        delivery = DeliveryService(shares: deliveryRepository, engagement: deliveryRepository, work: work, secrets: secrets)
        viewerHash = ViewerHash(deploymentSecret: config.encryptionKey ?? adminKey)
        self.emailSender = (emailSender ?? EmailProviders.configured(config, logger: logger)).map { MeteredEmailSender(base: $0) }
        let signatureRepository = SQLSignatureRepository(database: database)
        signatureStore = signatureRepository
        signatures = SignatureService(repository: signatureRepository, work: work, secrets: secrets)
        signatureSignal = JobSignal()
        let webhookRepository = SQLWebhookRepository(database: database)
        let allowPrivate = config.allowPrivateFetch
        webhooks = WebhookService(repository: webhookRepository, secrets: secrets) { FetchGuard.problem(with: $0, allowPrivate: allowPrivate) }
        let presenter = RenderPresenter(config: config)
        webhookDeliverer = WebhookDeliverer(
            queue: queue, repository: webhookRepository,
            transport: webhookTransport ?? HTTPWebhookTransport(allowPrivate: allowPrivate, logger: logger),
            secrets: secrets,
            payload: { delivery in
                let payloads = WebhookPayloads(
                    renders: renderRepository, templates: templateRepository, engagement: deliveryRepository, presenter: presenter,
                    signatures: signatureRepository)
                return try await payloads.body(for: delivery)
            },
            signal: webhookSignal, settings: webhookSettings, logger: logger
        )
    }

    /// Opens the database (running migrations) and the blob store named by the configuration.
    public static func start(config: ServerConfig, adminKey: String, logger: Logger) async throws -> AppServices {
        let database = try Database.open(config.database, logger: logger)
        do {
            try await Migrations.run(on: database, logger: logger)
            let blobs: any BlobStore
            if let s3 = config.s3Storage {
                blobs = S3BlobStore(location: s3)
            } else {
                blobs = try FileBlobStore(directory: config.blobDirectory)
            }
            let engine = try RenderEngine()
            var workerSettings = RenderWorker.Settings()
            workerSettings.leaseMillis = Int64(config.renderLeaseMillis)
            workerSettings.heartbeatEvery = .milliseconds(config.renderLeaseMillis / 3)
            var webhookSettings = WebhookDeliverer.Settings()
            webhookSettings.leaseMillis = Int64(config.webhookLeaseMillis)
            return AppServices(
                config: config, adminKey: adminKey, database: database, blobs: blobs, engine: engine, logger: logger, workerSettings: workerSettings,
                webhookSettings: webhookSettings)
        } catch {
            try? await database.shutdown()
            throw error
        }
    }

    public func shutdown() async throws {
        try await database.shutdown()
    }
}

/// Whether this process is shutting down (see `AppServices.draining`).
public final class DrainState: Sendable {
    private let state = Atomic<Bool>(false)

    public init() {}

    public var isDraining: Bool { state.load(ordering: .relaxed) }

    public func begin() { state.store(true, ordering: .relaxed) }
}
