/// A unit of background work in the durable queue (the `jobs` table): a render, later a webhook
/// delivery. The row is written in the same transaction as the thing it works on.
public struct Job: Sendable, Equatable {
    public var id: String
    public var kind: String
    public var subjectID: String
    /// Attempts so far, including the one this claim starts.
    public var attempts: Int

    public init(id: String, kind: String, subjectID: String, attempts: Int) {
        self.id = id
        self.kind = kind
        self.subjectID = subjectID
        self.attempts = attempts
    }
}

/// Leases on queued jobs. A worker claims a job for a lease period and keeps it alive with heartbeats;
/// a job whose lease expires (its worker died) is claimed again by another worker.
public protocol JobQueue: Sendable {
    /// Claims the oldest due job of one of `kinds`, or returns nil.
    func claim(kinds: [String], owner: String, leaseMillis: Int64, now: Int64) async throws -> Job?
    /// Extends the lease; false when the lease was lost (expired and taken by another worker).
    func heartbeat(jobID: String, owner: String, until: Int64) async throws -> Bool
    /// Puts the job back to run at `runAt` (a transient failure).
    func retry(jobID: String, owner: String, runAt: Int64, error: String) async throws
}
