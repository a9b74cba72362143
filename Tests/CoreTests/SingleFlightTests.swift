import Core
import Synchronization
import Testing

struct SingleFlightTests {
    @Test("concurrent runs of one key share one piece of work; another key and a later run work again")
    func sharesRunsInProgress() async throws {
        let flight = SingleFlight<String, Int>()
        let calls = Mutex(0)
        let gate = AsyncStream<Void>.makeStream()
        let work: @Sendable () async throws -> Int = {
            let call = calls.withLock { count -> Int in
                count += 1
                return count
            }
            for await _ in gate.stream { break }
            return call
        }
        async let first = flight.run("a", work)
        while calls.withLock({ $0 }) == 0 { await Task.yield() }
        async let second = flight.run("a", work)
        while flight.inProgress == 0 { await Task.yield() }
        try await Task.sleep(for: .milliseconds(50))
        gate.continuation.yield()
        #expect(try await [first, second] == [1, 1])
        #expect(calls.withLock { $0 } == 1)
        let later = try await flight.run("a") { 7 }
        #expect(later == 7)
        #expect(flight.inProgress == 0)
    }
}
