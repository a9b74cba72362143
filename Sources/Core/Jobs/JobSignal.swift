import Synchronization

/// Wakes idle workers of this process the moment a job is enqueued, so the embedded default has no
/// polling delay. Workers still wake on a timeout to pick up expired leases and jobs enqueued by other
/// processes.
public final class JobSignal: Sendable {
    private struct State {
        var pending = 0
        var nextID = 0
        var waiters: [(id: Int, continuation: CheckedContinuation<Void, Never>)] = []
        /// Waits resumed by `notify` whose timeout has not been handled yet.
        var notified: Set<Int> = []
        /// Waits that timed out before their continuation was parked: it must not park.
        var abandoned: Set<Int> = []
    }

    private let state = Mutex(State())

    public init() {}

    /// Wakes one waiting worker, or lets the next `wait` return at once.
    public func notify() {
        let waiter = state.withLock { state -> CheckedContinuation<Void, Never>? in
            guard !state.waiters.isEmpty else {
                state.pending += 1
                return nil
            }
            let waiter = state.waiters.removeFirst()
            state.notified.insert(waiter.id)
            return waiter.continuation
        }
        waiter?.resume()
    }

    /// Returns after a `notify` or after `timeout`, whichever comes first.
    public func wait(timeout: Duration) async {
        let id = state.withLock { state -> Int? in
            guard state.pending == 0 else {
                state.pending -= 1
                return nil
            }
            state.nextID += 1
            return state.nextID
        }
        guard let id else { return }
        await withTaskGroup(of: Void.self) { group in
            group.addTask { await self.park(id) }
            group.addTask { try? await Task.sleep(for: timeout) }
            await group.next()
            group.cancelAll()
            let parked = state.withLock { state -> CheckedContinuation<Void, Never>? in
                if state.notified.remove(id) != nil { return nil }
                if let index = state.waiters.firstIndex(where: { $0.id == id }) {
                    return state.waiters.remove(at: index).continuation
                }
                state.abandoned.insert(id)
                return nil
            }
            parked?.resume()
        }
    }

    private func park(_ id: Int) async {
        await withCheckedContinuation { continuation in
            let resumeNow = state.withLock { state in
                if state.abandoned.remove(id) != nil { return true }
                state.waiters.append((id, continuation))
                return false
            }
            if resumeNow { continuation.resume() }
        }
    }
}
