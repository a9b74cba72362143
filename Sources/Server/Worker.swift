import ArgumentParser
import Foundation
import Logging
import PartnerAPI
import ServiceLifecycle

struct Worker: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Run render workers without the HTTP API (scale-out: any number of these beside the serve nodes)."
    )

    @Option(help: "Number of workers in this process (default: CRAFTKIT_WORKERS, else one per core).")
    var count: Int?

    func run() async throws {
        let config = Runtime.loadConfig()
        let logger = Runtime.makeLogger(config)
        try await Runtime.withServices(config, logger: logger) { services in
            let workers = max(1, count ?? config.workers)
            Runtime.say("Craftkit render workers: \(workers), waiting for jobs (Ctrl-C or SIGTERM to stop).")
            let group = ServiceGroup(
                configuration: .init(
                    services: [.init(service: BackgroundWorkers(services: services, renderWorkers: workers))],
                    gracefulShutdownSignals: [.sigterm, .sigint], logger: logger
                )
            )
            try await group.run()
        }
    }
}
