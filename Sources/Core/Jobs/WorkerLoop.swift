/// The loop every queue worker runs: take work while there is some, otherwise sleep until woken by
/// `signal` or `idleWait` passes; stop when the task is cancelled.
public enum WorkerLoop {
    /// - Parameters:
    ///   - step: does at most one job; returns false when there was nothing to do.
    ///   - onError: told about a failed step (the loop then idles and tries again).
    public static func run(
        signal: JobSignal, idleWait: Duration, step: () async throws -> Bool, onError: (any Error) -> Void
    ) async {
        while !Task.isCancelled {
            do {
                if try await step() { continue }
            } catch {
                onError(error)
            }
            await signal.wait(timeout: idleWait)
        }
    }
}
