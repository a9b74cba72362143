import Core
import Foundation
import SQLKit
import Storage
import TestSupport
import Testing

@Suite("Job queue contract")
struct JobQueueContractTests {
    /// Inserts a ready job directly (render jobs are inserted by the render repository).
    func insertJob(_ database: Database, id: String = Identifier.make(), runAt: Int64 = 0) async throws -> String {
        try await database.sql.raw(
            "INSERT INTO jobs (id, kind, subject_id, status, attempts, run_at, created_at) VALUES (\(bind: id), 'test', 's', 'ready', 0, \(bind: runAt), 0)"
        ).run()
        return id
    }

    @Test("a job is claimed once; an expired lease lets another worker take it", arguments: DatabaseLeg.all)
    func leases(leg: DatabaseLeg) async throws {
        try await leg.withDatabase { database, _ async throws in
            let queue = SQLJobQueue(database: database)
            let id = try await insertJob(database)
            let first = try await queue.claim(kinds: ["test"], owner: "a", leaseMillis: 1_000, now: 100)
            #expect(first?.id == id)
            #expect(first?.attempts == 1)
            #expect(try await queue.claim(kinds: ["test"], owner: "b", leaseMillis: 1_000, now: 500) == nil)
            #expect(try await queue.heartbeat(jobID: id, owner: "a", until: 2_000))
            #expect(try await queue.claim(kinds: ["test"], owner: "b", leaseMillis: 1_000, now: 1_500) == nil)
            let taken = try await queue.claim(kinds: ["test"], owner: "b", leaseMillis: 1_000, now: 2_001)
            #expect(taken?.id == id)
            #expect(taken?.attempts == 2)
            #expect(try await !queue.heartbeat(jobID: id, owner: "a", until: 9_000))
        }
    }

    @Test("jobs of other kinds and jobs not yet due are left alone; retry reschedules", arguments: DatabaseLeg.all)
    func kindsAndRetry(leg: DatabaseLeg) async throws {
        try await leg.withDatabase { database, _ async throws in
            let queue = SQLJobQueue(database: database)
            let id = try await insertJob(database, runAt: 1_000)
            #expect(try await queue.claim(kinds: ["other"], owner: "a", leaseMillis: 1_000, now: 5_000) == nil)
            #expect(try await queue.claim(kinds: ["test"], owner: "a", leaseMillis: 1_000, now: 999) == nil)
            let job = try #require(try await queue.claim(kinds: ["test"], owner: "a", leaseMillis: 1_000, now: 1_000))
            try await queue.retry(jobID: job.id, owner: "a", runAt: 3_000, error: "flaky")
            #expect(try await queue.claim(kinds: ["test"], owner: "a", leaseMillis: 1_000, now: 2_999) == nil)
            #expect(try await queue.claim(kinds: ["test"], owner: "a", leaseMillis: 1_000, now: 3_000)?.id == id)
        }
    }

    @Test("concurrent claimers never take the same job", arguments: DatabaseLeg.all)
    func concurrentClaims(leg: DatabaseLeg) async throws {
        try await leg.withDatabase { database, _ async throws in
            let queue = SQLJobQueue(database: database)
            for _ in 0..<30 { _ = try await insertJob(database) }
            let claimed = try await withThrowingTaskGroup(of: [String].self) { group in
                for worker in 0..<6 {
                    group.addTask {
                        var mine: [String] = []
                        while let job = try await queue.claim(kinds: ["test"], owner: "w\(worker)", leaseMillis: 60_000, now: 10) {
                            mine.append(job.id)
                        }
                        return mine
                    }
                }
                return try await group.reduce(into: []) { $0 += $1 }
            }
            #expect(claimed.count == 30)
            #expect(Set(claimed).count == 30)
        }
    }
}
