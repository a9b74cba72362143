import Synchronization

/// The name of a domain event (`template.published`, `render.succeeded`, …). The module whose service
/// causes an event declares it (`extension EventType { static let … }`), so Core needs no list of them;
/// the webhook fan-out matches the name against its endpoints' subscriptions.
public struct EventType: RawRepresentable, Hashable, Sendable, CustomStringConvertible {
    public var rawValue: String

    public init(rawValue: String) { self.rawValue = rawValue }

    public var description: String { rawValue }
}

/// One open transaction, as a service sees it. Besides handing it to repositories (whose writes then
/// join it), a service emits through it the work its state change causes: jobs and events are written
/// exactly when that change commits, so nothing is enqueued that is not committed and nothing committed
/// is lost. Keeping these calls in the services is what lets the rules ("publishing emits
/// `template.published`") be tested without a database.
public protocol Transaction: Sendable {
    /// Queues a ready job of `kind` for `subjectID`, due at `runAt`. `tenant` (the project) is whose
    /// turn the job waits for: the queue claims across tenants in rotation, within a per-tenant cap.
    func enqueueJob(kind: String, subjectID: String, tenant: String, runAt: Int64) async throws
    /// Marks a claimed job finished: `done`, or `dead` with the error.
    func finishJob(id: String, dead: Bool, error: String?) async throws
    /// Records an event of the project (fanned out to the webhook endpoints subscribed to it).
    func emitEvent(projectID: String, event: EventType, subjectID: String, now: Int64) async throws
}

/// Runs a body in one transaction: committed when it returns, rolled back when it throws.
public protocol UnitOfWork: Sendable {
    func run<T: Sendable>(_ body: @escaping @Sendable (any Transaction) async throws -> T) async throws -> T
}

/// An emitted job or event, as `InMemoryUnitOfWork` records it.
public enum EmittedWork: Sendable, Equatable {
    case job(kind: String, subjectID: String, tenant: String, runAt: Int64)
    case finishedJob(id: String, dead: Bool, error: String?)
    case event(projectID: String, event: EventType, subjectID: String, now: Int64)
}

/// A unit of work for unit tests of the services: what a unit emits is kept only when it commits.
/// Units are not isolated from each other (tests run them one after another). In-memory repositories register an undo for each write (`onRollback`), so a
/// failing unit leaves their state as it was.
public final class InMemoryUnitOfWork: UnitOfWork {
    /// Everything committed units emitted, each unit's entries together and in order.
    public var committed: [[EmittedWork]] { state.withLock { $0.committed } }
    /// How many units rolled back.
    public var rolledBack: Int { state.withLock { $0.rolledBack } }

    private struct State {
        var committed: [[EmittedWork]] = []
        var rolledBack = 0
    }

    private let state = Mutex(State())
    private let failing: @Sendable (EmittedWork) -> Bool

    /// The error an emit throws when `failing` picks it.
    public struct InjectedFailure: Error {}

    /// `failing` picks emits that throw `InjectedFailure` instead (to test that a unit is all or nothing).
    public init(failing: @escaping @Sendable (EmittedWork) -> Bool = { _ in false }) {
        self.failing = failing
    }

    public func run<T: Sendable>(_ body: @escaping @Sendable (any Transaction) async throws -> T) async throws -> T {
        let transaction = InMemoryTransaction(failing: failing)
        do {
            let result = try await body(transaction)
            let emitted = transaction.emitted
            state.withLock { $0.committed.append(emitted) }
            return result
        } catch {
            await transaction.rollBack()
            state.withLock { $0.rolledBack += 1 }
            throw error
        }
    }
}

/// The transaction of `InMemoryUnitOfWork`.
public final class InMemoryTransaction: Transaction {
    private struct State {
        var emitted: [EmittedWork] = []
        var undo: [@Sendable () async -> Void] = []
    }

    private let state = Mutex(State())
    private let failing: @Sendable (EmittedWork) -> Bool

    init(failing: @escaping @Sendable (EmittedWork) -> Bool) {
        self.failing = failing
    }

    var emitted: [EmittedWork] { state.withLock { $0.emitted } }

    /// Registers how to take back a write made in this transaction if it rolls back.
    public func onRollback(_ undo: @escaping @Sendable () async -> Void) {
        state.withLock { $0.undo.append(undo) }
    }

    func rollBack() async {
        let undo = state.withLock { $0.undo }
        for step in undo.reversed() { await step() }
    }

    public func enqueueJob(kind: String, subjectID: String, tenant: String, runAt: Int64) async throws {
        try emit(.job(kind: kind, subjectID: subjectID, tenant: tenant, runAt: runAt))
    }

    public func finishJob(id: String, dead: Bool, error: String?) async throws {
        try emit(.finishedJob(id: id, dead: dead, error: error))
    }

    public func emitEvent(projectID: String, event: EventType, subjectID: String, now: Int64) async throws {
        try emit(.event(projectID: projectID, event: event, subjectID: subjectID, now: now))
    }

    private func emit(_ work: EmittedWork) throws {
        if failing(work) { throw InMemoryUnitOfWork.InjectedFailure() }
        state.withLock { $0.emitted.append(work) }
    }
}
