import Foundation
import Logging
import Renders
import ServiceLifecycle
import Signatures
import Storage
import Webhooks

/// Runs the background workers as a service beside the HTTP server (`craftkit serve`) or alone
/// (`craftkit worker`): `renderWorkers` render workers and `webhookWorkers` webhook deliverers. On
/// graceful shutdown they stop; a job cut off mid-way is picked up again when its lease expires.
public struct BackgroundWorkers: Service {
    let services: AppServices
    let renderWorkers: Int
    let webhookWorkers: Int

    public init(services: AppServices, renderWorkers: Int, webhookWorkers: Int = 1) {
        self.services = services
        self.renderWorkers = renderWorkers
        self.webhookWorkers = webhookWorkers
    }

    public func run() async throws {
        let draining = services.draining
        // The process is draining from the moment shutdown begins (readiness answers 503).
        await withGracefulShutdownHandler {
            await work()
        } onGracefulShutdown: {
            draining.begin()
        }
    }

    private func work() async {
        let process = "\(ProcessInfo.processInfo.hostName)-\(ProcessInfo.processInfo.processIdentifier)"
        let (render, webhook) = (services.renderWorker, services.webhookDeliverer)
        let (renderCount, webhookCount) = (renderWorkers, webhookWorkers)
        let (renderSignal, webhookSignal) = (services.jobSignal, services.webhookSignal)
        let signatureSignal = services.signatureSignal
        // One signature worker per process: invitations and seals are rare, and a seal is short.
        let signatures = SignatureJobs(services: services)
        let listener = services.database.postgresURL.map { JobNotificationListener(url: $0, logger: services.logger) }
        await cancelWhenGracefulShutdown {
            await withTaskGroup(of: Void.self) { group in
                if let listener {
                    group.addTask {
                        await listener.run { kind in
                            if kind == RenderWorker.jobKind {
                                renderSignal.notify()
                            } else if kind == SignatureService.jobKind {
                                signatureSignal.notify()
                            } else {
                                webhookSignal.notify()
                            }
                        }
                    }
                }
                for index in 0..<renderCount {
                    group.addTask { await render.run(owner: "\(process)-render-\(index)") }
                }
                for index in 0..<webhookCount {
                    group.addTask { await webhook.run(owner: "\(process)-webhook-\(index)") }
                }
                group.addTask { await signatures.run(owner: "\(process)-signature") }
                await group.waitForAll()
            }
        }
    }
}
