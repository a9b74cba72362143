import Core
import Hummingbird
import Logging

/// Builds the HTTP application: middleware, then one route group per file under `Routes/`.
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
            authFailuresPerMinute: services.config.authFailuresPerMinute))
    router.add(middleware: CORSMiddleware(services: services))

    HealthRoutes(services: services).register(on: router, routes: routes)
    InboundRoutes(services: services).registerTrigger(on: router, routes: routes)
    EmbedFormRoutes(services: services).register(on: router, routes: routes)
    BuilderSessionRoutes(services: services).register(on: router, routes: routes)
    EmbedSessionRoutes(services: services).register(on: router, routes: routes)
    PublicPageRoutes(services: services).register(on: router, routes: routes)

    let admin = router.group("/v1/admin").add(middleware: AdminAuthMiddleware(adminKey: services.adminKey))
    AdminRoutes(services: services).register(on: admin, routes: routes, prefix: "/v1/admin")

    let project = router.group("/v1").add(
        middleware: ProjectAuthMiddleware(keys: services.keys, rateLimiter: services.rateLimiter, perMinute: services.config.rateLimitPerKey))
    KeyRoutes(services: services).register(on: project, routes: routes, prefix: "/v1")
    EmbedPartnerRoutes(services: services).register(on: project, routes: routes, prefix: "/v1")
    TemplateRoutes(services: services).register(on: project, routes: routes, prefix: "/v1")
    RenderRoutes(services: services).register(on: project, routes: routes, prefix: "/v1")
    WebhookRoutes(services: services).register(on: project, routes: routes, prefix: "/v1")
    InboundRoutes(services: services).register(on: project, routes: routes, prefix: "/v1")
    BuilderTemplateRoutes(services: services).register(on: router, project: project, routes: routes, prefix: "/v1")
    return (router, routes)
}
