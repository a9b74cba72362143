/// At most `limit` holders at a time; the rest wait in order, each for at most its timeout. Bounds
/// work that one caller could otherwise multiply without limit (previews, outbound fetches), so a
/// flood from one session queues behind itself and is turned away instead of starving the process.
public actor AsyncLimiter {
    public let limit: Int
    private var holders = 0
    private var waiters: [(id: UInt64, continuation: CheckedContinuation<Bool, Never>)] = []
    private var nextWaiter: UInt64 = 0

    public init(limit: Int) {
        self.limit = max(1, limit)
    }

    /// Takes a slot, waiting up to `timeout` for one; false when none came free in time.
    public func acquire(timeout: Duration) async -> Bool {
        if holders < limit {
            holders += 1
            return true
        }
        guard timeout > .zero else { return false }
        let id = nextWaiter
        nextWaiter += 1
        return await withCheckedContinuation { continuation in
            waiters.append((id, continuation))
            Task { [weak self] in
                try? await Task.sleep(for: timeout)
                await self?.expire(id)
            }
        }
    }

    /// Gives a slot back: straight to the longest waiter, if any.
    public func release() {
        if waiters.isEmpty {
            holders = max(0, holders - 1)
        } else {
            waiters.removeFirst().continuation.resume(returning: true)
        }
    }

    private func expire(_ id: UInt64) {
        guard let index = waiters.firstIndex(where: { $0.id == id }) else { return }
        waiters.remove(at: index).continuation.resume(returning: false)
    }

    /// Runs `body` holding a slot; throws `busy` when no slot came free within `timeout`.
    public nonisolated func run<T: Sendable>(
        timeout: Duration, busy: @autoclosure () -> any Error, _ body: () async throws -> T
    ) async throws -> T {
        guard await acquire(timeout: timeout) else { throw busy() }
        do {
            let result = try await body()
            await release()
            return result
        } catch {
            await release()
            throw error
        }
    }
}
