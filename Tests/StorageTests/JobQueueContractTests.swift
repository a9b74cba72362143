import Core
import Foundation
import SQLKit
import Storage
import TestSupport
import Testing

@Suite("Job queue contract")
struct JobQueueContractTests {
    /// Inserts a ready job directly (render jobs are inserted by the render repository).
    func insertJob(_ database: Database, id: String = Identifier.make(), tenant: String = "t", runAt: Int64 = 0) async throws -> String {
        try await database.sql.raw(
            """
            INSERT INTO jobs (id, kind, subject_id, tenant, status, attempts, run_at, created_at)
            VALUES (\(bind: id), 'test', 's', \(bind: tenant), 'ready', 0, \(bind: runAt), 0)
            """
        ).run()
        return id
    }

    /// The tenants of the jobs claimed by `count` claims at `now` (each leased for a minute).
    func claimTenants(_ queue: SQLJobQueue, _ database: Database, count: Int, now: Int64 = 10) async throws -> [String?] {
        var tenants: [String?] = []
        for index in 0..<count {
            guard let job = try await queue.claim(kinds: ["test"], owner: "w\(index)", leaseMillis: 60_000, now: now) else {
                tenants.append(nil)
                continue
            }
            let row = try await database.sql.raw("SELECT tenant FROM jobs WHERE id = \(bind: job.id)").first()
            tenants.append(try row?.decode(column: "tenant", as: String.self))
        }
        return tenants
    }

    @Test("a second tenant's one job is claimed next, not behind the first tenant's burst", arguments: DatabaseLeg.all)
    func burstDoesNotStarveAnother(leg: DatabaseLeg) async throws {
        try await leg.withDatabase { database, _ async throws in
            let queue = SQLJobQueue(database: database)
            for index in 0..<300 { _ = try await insertJob(database, tenant: "burst", runAt: Int64(index % 5)) }
            #expect(try await claimTenants(queue, database, count: 3) == ["burst", "burst", "burst"])
            let single = try await insertJob(database, tenant: "single", runAt: 9)
            let next = try await queue.claim(kinds: ["test"], owner: "w", leaseMillis: 60_000, now: 10)
            #expect(next?.id == single)
        }
    }

    @Test("tenants with work take turns, whatever the order their jobs arrived in", arguments: DatabaseLeg.all)
    func rotation(leg: DatabaseLeg) async throws {
        try await leg.withDatabase { database, _ async throws in
            let queue = SQLJobQueue(database: database)
            for tenant in ["a", "b", "c"] {
                for _ in 0..<10 { _ = try await insertJob(database, tenant: tenant) }
            }
            let claimed = try await claimTenants(queue, database, count: 9, now: 10)
            // Three rounds, each tenant once per round.
            for round in 0..<3 {
                #expect(Set(claimed[(round * 3)..<(round * 3 + 3)]) == ["a", "b", "c"], "\(claimed)")
            }
        }
    }

    @Test("a tenant at its cap of running jobs waits; the others are served; a finished job frees a slot", arguments: DatabaseLeg.all)
    func cap(leg: DatabaseLeg) async throws {
        try await leg.withDatabase { database, _ async throws in
            let queue = SQLJobQueue(database: database, maxRunningPerTenant: 2)
            for _ in 0..<5 { _ = try await insertJob(database, tenant: "big") }
            let first = try #require(try await queue.claim(kinds: ["test"], owner: "a", leaseMillis: 60_000, now: 10))
            #expect(try await queue.claim(kinds: ["test"], owner: "b", leaseMillis: 60_000, now: 10) != nil)
            #expect(try await queue.claim(kinds: ["test"], owner: "c", leaseMillis: 60_000, now: 10) == nil)
            let other = try await insertJob(database, tenant: "other")
            #expect(try await queue.claim(kinds: ["test"], owner: "c", leaseMillis: 60_000, now: 10)?.id == other)
            try await database.transaction { db in
                try await db.raw("UPDATE jobs SET status = 'done', lease_owner = NULL WHERE id = \(bind: first.id)").run()
            }
            #expect(try await queue.claim(kinds: ["test"], owner: "d", leaseMillis: 60_000, now: 10) != nil)
            // An expired lease does not count as running: its job is due again and claimable.
            #expect(try await queue.claim(kinds: ["test"], owner: "e", leaseMillis: 60_000, now: 10) == nil)
            #expect(try await queue.claim(kinds: ["test"], owner: "e", leaseMillis: 60_000, now: 70_000) != nil)
        }
    }

    @Test("concurrent claimers under a cap never lease more of one tenant's jobs than the cap", arguments: DatabaseLeg.all)
    func capUnderConcurrency(leg: DatabaseLeg) async throws {
        try await leg.withDatabase { database, _ async throws in
            let queue = SQLJobQueue(database: database, maxRunningPerTenant: 3)
            for _ in 0..<20 { _ = try await insertJob(database, tenant: "big") }
            let claimed = try await withThrowingTaskGroup(of: Int.self) { group in
                for worker in 0..<8 {
                    group.addTask {
                        try await queue.claim(kinds: ["test"], owner: "w\(worker)", leaseMillis: 60_000, now: 10) == nil ? 0 : 1
                    }
                }
                return try await group.reduce(0, +)
            }
            #expect(claimed == 3)
        }
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
