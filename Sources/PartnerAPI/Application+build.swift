import Core
import Hummingbird
import Logging

/// Builds the HTTP application: middleware, then the route groups, one audience per file under `Routes/`.
public func buildApplication(services: AppServices) -> some ApplicationProtocol {
    Application(
        router: buildRouter(services: services),
        configuration: .init(address: .hostname(services.config.host, port: services.config.port), serverName: "craftkit"),
        services: [BackgroundWorkers(services: services, renderWorkers: services.config.workers)],
        logger: services.logger
    )
}

public func buildRouter(services: AppServices) -> Router<AppRequestContext> {
    buildRoutes(services: services).router
}

/// The router and the table of every route it serves (the OpenAPI test compares that table with
/// `openapi.yaml`).
public func buildRoutes(services: AppServices) -> (router: Router<AppRequestContext>, table: RouteTable) {
    let router = Router(context: AppRequestContext.self)
    let routes = RouteTable()
    router.add(
        middleware: RequestMiddleware(
            routes: routes, logger: services.logger, authFailures: InMemoryRateLimiter(),
            authFailuresPerMinute: services.config.authFailuresPerMinute, endUserWork: services.endUserWork))
    router.add(middleware: CORSMiddleware(services: services))
    // The console's session cookie stands in for a key on /v1/ when no key is sent (docs/console.md).
    router.add(middleware: ConsoleSessionMiddleware(services: services))

    // Public: no credential, or one in the path (the hook token, the upload's unguessable name).
    HealthRoutes(services: services).register(on: router, routes: routes)
    MetricsRoutes(services: services).register(on: router, routes: routes)
    InboundRoutes(services: services).registerTrigger(on: router, routes: routes)
    PublicPageRoutes(services: services).register(on: router, routes: routes)
    SharePageRoutes(services: services).register(on: router, routes: routes)
    SignPageRoutes(services: services).register(on: router, routes: routes)
    SignPageShellRoute(services: services).register(on: router, routes: routes)
    ConsoleRoutes(services: services).register(on: router, routes: routes)

    let admin = router.group("/v1/admin").add(middleware: AdminAuthMiddleware(adminKey: services.adminKey))
    AdminRoutes(services: services).register(on: admin, routes: routes, prefix: "/v1/admin")
    AdminOverviewRoutes(services: services).register(on: admin, routes: routes, prefix: "/v1/admin")

    // Partner API and partner embed: project key (auth → rate limit).
    let projectAuth = ProjectAuthMiddleware(keys: services.keys, rateLimiter: services.rateLimiter, perMinute: services.config.rateLimitPerKey)
    let project = router.group("/v1").add(middleware: projectAuth)
    KeyRoutes(services: services).register(on: project, routes: routes, prefix: "/v1")
    TemplateRoutes(services: services).register(on: project, routes: routes, prefix: "/v1")
    RenderRoutes(services: services).register(on: project, routes: routes, prefix: "/v1")
    ShareRoutes(services: services).register(on: project, routes: routes, prefix: "/v1")
    SignatureRoutes(services: services).register(on: project, routes: routes, prefix: "/v1")
    WebhookRoutes(services: services).register(on: project, routes: routes, prefix: "/v1")
    InboundRoutes(services: services).register(on: project, routes: routes, prefix: "/v1")
    EmbedPartnerRoutes(services: services).register(on: project, routes: routes, prefix: "/v1")
    StatsRoutes(services: services).register(on: project, routes: routes, prefix: "/v1")

    // The iframe pages: session token (auth → rate limit) verified once into a `SessionRequestContext`.
    // The bootstrap's guard answers with the pages' failure codes; the others with `unauthorized`.
    let embed = "/v1/embed"
    let sessionAuth = SessionAuthMiddleware(services: services)
    let session = router.group(RouterPath(embed)).add(middleware: sessionAuth).group(context: SessionRequestContext.self)
    let bootstrap = router.group(RouterPath(embed)).add(middleware: SessionAuthMiddleware(services: services, failureCodes: true))
        .group(context: SessionRequestContext.self)
    // Creating a builder template takes a project key or a session token.
    let creators = router.group(RouterPath(embed)).add(
        middleware: KeyOrSessionAuthMiddleware(project: projectAuth, session: sessionAuth, embedPartners: services.embedPartners))
    EmbedSessionRoutes(services: services).register(bootstrap: bootstrap, on: session, routes: routes, prefix: embed)
    BuilderRoutes(services: services).register(creators: creators, on: session, routes: routes, prefix: embed)
    EmbedFormRoutes(services: services).register(on: session, routes: routes, prefix: embed)
    return (router, routes)
}
