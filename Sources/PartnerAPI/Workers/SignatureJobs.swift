import Core
import Foundation
import Logging
import Signatures
import Storage
import Synchronization

/// The `signature` jobs of the durable queue (docs/decisions/0016-signatures.md): each one brings its
/// request up to date — sends the invitations due (all at once, or the next in order) and seals once
/// everyone signed. A crash mid-way is retried by the queue; sending and sealing are safe to repeat (an
/// invitation is recorded after the provider accepted it; the seal rewrites the same blobs and
/// completes once). Idle, the loop sweeps expired requests once a minute.
struct SignatureJobs: Sendable {
    static let leaseMillis: Int64 = 120_000
    static let maxAttempts = 5
    static let backoffMillis: [Int64] = [2_000, 10_000, 60_000, 300_000]
    static let sweepEveryMillis: Int64 = 60_000

    let services: AppServices

    var queue: SQLJobQueue { SQLJobQueue(database: services.database) }

    /// Works until the task is cancelled.
    func run(owner: String, idleWait: Duration = .seconds(1)) async {
        let lastSweep = LastSweep()
        await WorkerLoop.run(signal: services.signatureSignal, idleWait: idleWait) {
            if try await runOnce(owner: owner) { return true }
            let now = Date().epochMillis
            if lastSweep.due(now: now, every: Self.sweepEveryMillis) {
                let ended = try await services.signatures.sweep(now: now)
                if ended > 0 { services.webhookSignal.notify() }
                try await remind(now: now)
            }
            return false
        } onError: { error in
            services.logger.error("signature worker failed", metadata: ["error": .string(String(describing: error))])
        }
    }

    /// Claims and processes at most one job. Returns false when there was nothing to do.
    @discardableResult
    func runOnce(owner: String) async throws -> Bool {
        guard
            let job = try await queue.claim(
                kinds: [SignatureService.jobKind], owner: owner, leaseMillis: Self.leaseMillis, now: Date().epochMillis)
        else { return false }
        var metadata: Logger.Metadata = ["signature_request_id": .string(job.subjectID), "attempt": .stringConvertible(job.attempts)]
        do {
            try await process(job.subjectID)
            try await finish(job, dead: false, error: nil)
        } catch {
            metadata["error"] = .string(String(describing: error))
            let permanent = error is SealFailure || error is PDFSignatureError || error is PDFStampError
            if !permanent, job.attempts < Self.maxAttempts {
                let delay = Self.backoffMillis[min(job.attempts - 1, Self.backoffMillis.count - 1)]
                try await queue.retry(jobID: job.id, owner: owner, runAt: Date().epochMillis + delay, error: String(describing: error))
                services.logger.warning("signature job failed, will retry", metadata: metadata)
            } else {
                try await services.signatures.fail(requestID: job.subjectID, message: "Sealing failed: \(error)", now: Date().epochMillis)
                try await finish(job, dead: true, error: String(describing: error))
                services.logger.error("signature job failed", metadata: metadata)
            }
        }
        services.webhookSignal.notify()
        return true
    }

    func process(_ requestID: String) async throws {
        guard let detail = try await services.signatures.find(id: requestID), !detail.request.status.isTerminal else { return }
        try await SignatureInvitations(services: services).sendDue(detail)
        guard detail.allSigned, detail.request.signedBlobKey == nil else { return }
        let sealed = try await SignatureSealing(services: services).seal(detail)
        try await services.signatures.complete(requestID: requestID, sealed: sealed, now: Date().epochMillis)
    }

    /// Sends the reminders due now (requests created with `reminderHours`).
    func remind(now: Int64) async throws {
        for detail in try await services.signatures.withReminders(now: now) {
            try await SignatureInvitations(services: services).sendReminders(detail, now: now)
        }
    }

    func finish(_ job: Job, dead: Bool, error: String?) async throws {
        try await SQLUnitOfWork(database: services.database).run { transaction in
            try await transaction.finishJob(id: job.id, dead: dead, error: error)
        }
    }
}

/// When the loop last swept for expired requests.
final class LastSweep: Sendable {
    private let last = Mutex<Int64>(0)

    func due(now: Int64, every: Int64) -> Bool {
        last.withLock { last in
            guard now - last >= every else { return false }
            last = now
            return true
        }
    }
}
