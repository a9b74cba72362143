import Foundation
import Logging
import ServiceLifecycle
import Templates

/// Runs `count` render workers as a service beside the HTTP server (`craftkit serve`) or alone
/// (`craftkit worker`). On graceful shutdown the workers finish the job in hand and stop; a job cut off
/// harder than that is picked up again when its lease expires.
public struct RenderWorkerService: Service {
    let worker: RenderWorker
    let count: Int
    let name: String

    public init(worker: RenderWorker, count: Int, name: String = ProcessInfo.processInfo.hostName) {
        self.worker = worker
        self.count = count
        self.name = name
    }

    public func run() async throws {
        guard count > 0 else { return }
        let process = "\(name)-\(ProcessInfo.processInfo.processIdentifier)"
        let worker = worker
        let count = count
        await cancelWhenGracefulShutdown {
            await withTaskGroup(of: Void.self) { group in
                for index in 0..<count {
                    group.addTask { await worker.run(owner: "\(process)-\(index)") }
                }
                await group.waitForAll()
            }
        }
    }
}
