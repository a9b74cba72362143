import Core
import Foundation
import Logging
import SQLKit
import Storage
import Synchronization
import TestSupport
import Testing

@Suite("PostgreSQL job notifications")
struct JobNotificationTests {
    @Test("a job enqueued in a transaction wakes listeners when it commits", arguments: DatabaseLeg.all.filter { $0 == .postgres })
    func notifies(leg: DatabaseLeg) async throws {
        try await leg.withDatabase { database, _ async throws in
            let url = try #require(database.postgresURL)
            let received = Mutex<[String]>([])
            let listener = JobNotificationListener(url: url, logger: Logger(label: "test"))
            let task = Task { await listener.run { kind in received.withLock { $0.append(kind) } } }
            defer { task.cancel() }
            // Keep enqueueing until the listener (which connects asynchronously) has heard one.
            let deadline = ContinuousClock.now + .seconds(30)
            while received.withLock({ $0.isEmpty }), ContinuousClock.now < deadline {
                try await database.transaction { db in
                    try await db.raw(
                        "INSERT INTO jobs (id, kind, subject_id, status, attempts, run_at, created_at) VALUES (\(bind: Identifier.make()), 'test', 's', 'done', 0, 0, 0)"
                    ).run()
                    try await db.raw("SELECT pg_notify('craftkit_jobs', 'render')").run()
                }
                try await Task.sleep(for: .milliseconds(50))
            }
            #expect(received.withLock { $0.first } == "render")
        }
    }
}
