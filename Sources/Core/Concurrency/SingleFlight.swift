import Synchronization

/// Runs one piece of work per key at a time: callers asking for a key whose work is already running wait
/// for that run and share its result (or error), instead of doing the same work again.
public final class SingleFlight<Key: Hashable & Sendable, Value: Sendable>: Sendable {
    private let running = Mutex<[Key: Task<Value, any Error>]>([:])

    public init() {}

    /// `work`'s result for `key`, from a run already in progress when there is one. A new run goes on the
    /// given executor (task executor preferences are not inherited by the unstructured task it runs in).
    public func run(
        _ key: Key, on executor: (any TaskExecutor)? = nil, _ work: @escaping @Sendable () async throws -> Value
    ) async throws -> Value {
        let task = running.withLock { tasks in
            if let task = tasks[key] { return task }
            let task = Task(executorPreference: executor) { try await work() }
            tasks[key] = task
            return task
        }
        defer { running.withLock { tasks in if tasks[key] == task { tasks[key] = nil } } }
        return try await task.value
    }

    /// Keys with a run in progress (for tests).
    public var inProgress: Int { running.withLock { $0.count } }
}
