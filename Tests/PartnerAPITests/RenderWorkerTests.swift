import Core
import Foundation
import HummingbirdTesting
import Logging
import PartnerAPI
import Render
import Renders
import Storage
import Synchronization
import Templates
import TestSupport
import Testing

/// An image host that fails a given number of times before it answers.
final class FlakyImages: ImageLoader {
    let failures: Int
    let calls = Mutex(0)
    static let png = Data(base64Encoded: "iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mP8z8BQDwAEhQGAhKmMIQAAAABJRU5ErkJggg==")!

    init(failures: Int) { self.failures = failures }

    func load(_ source: ImageSource) async throws -> Data {
        let call = calls.withLock { count in
            count += 1
            return count
        }
        if call <= failures { throw RenderError.imageUnavailable(source: source.description, reason: "timed out") }
        return Self.png
    }
}

/// Runs the worker until the render is terminal (or 60 s pass, so a bug cannot hang the suite).
func settleRender(_ worker: RenderWorker, _ client: any TestClientProtocol, key: String, id: String) async throws -> TestResult {
    let deadline = ContinuousClock.now + .seconds(60)
    while ContinuousClock.now < deadline {
        _ = try await worker.runOnce(owner: "w")
        let render = try await client.call(.get, "/v1/renders/\(id)", bearer: key)
        if render.string("status") == "succeeded" || render.string("status") == "failed" { return render }
        try await Task.sleep(for: .milliseconds(20))
    }
    return try await client.call(.get, "/v1/renders/\(id)", bearer: key)
}

@Suite("Render workers")
struct RenderWorkerTests {
    let imageManifest = #"{"variables":[{"key":"logo","label":"Logo","dataType":"image","required":true}],"loops":[]}"#

    func worker(_ services: AppServices, images: any ImageLoader) throws -> RenderWorker {
        RenderWorker(
            queue: SQLJobQueue(database: services.database), renders: SQLRenderRepository(database: services.database),
            work: SQLUnitOfWork(database: services.database),
            templates: SQLTemplateRepository(database: services.database), blobs: services.blobs, engine: try TestApp.sharedEngine(),
            images: images, signal: JobSignal(), settings: TestApp.workerSettings, logger: Logger(label: "test")
        )
    }

    func enqueueImageRender(_ client: any TestClientProtocol) async throws -> (key: String, id: String) {
        let key = try await provisionKey(client)
        _ = try await client.call(.post, "/v1/templates", bearer: key, json: #"{"name":"Badge","manifest":\#(imageManifest)}"#)
        let queued = try await client.call(
            .post, "/v1/templates/badge/render", bearer: key, json: #"{"data":{"logo":"https://images.example/logo.png"}}"#)
        return (key, try #require(queued.string("id")))
    }

    @Test("an image host that fails twice is retried and the render succeeds on the third attempt", arguments: DatabaseLeg.all)
    func transientRetry(leg: DatabaseLeg) async throws {
        try await TestApp.run(leg) { client, services in
            let (key, id) = try await enqueueImageRender(client)
            let images = FlakyImages(failures: 2)
            let render = try await settleRender(try worker(services, images: images), client, key: key, id: id)
            #expect(render.string("status") == "succeeded", "\(render.body)")
            #expect(images.calls.withLock { $0 } == 3)
        }
    }

    @Test("after three failed attempts the render fails with a message a partner can act on")
    func givesUp() async throws {
        try await TestApp.run(.sqlite) { client, services in
            let (key, id) = try await enqueueImageRender(client)
            let render = try await settleRender(try worker(services, images: FlakyImages(failures: 99)), client, key: key, id: id)
            #expect(render.string("status") == "failed")
            #expect(render.string("errorMessage")?.contains("images.example") == true, "\(render.body)")
            #expect(render.json["downloadUrl"] == .null)
        }
    }

    @Test("a job whose worker died is finished by another worker once the lease expires", arguments: DatabaseLeg.all)
    func deadWorker(leg: DatabaseLeg) async throws {
        try await TestApp.run(leg) { client, services in
            let (key, id) = try await enqueueImageRender(client)
            let queue = SQLJobQueue(database: services.database)
            // A worker claims the job and dies without finishing: its lease runs out 10 ms later.
            let claimed = try await queue.claim(kinds: [RenderWorker.jobKind], owner: "dead", leaseMillis: 10, now: Date().epochMillis)
            #expect(claimed != nil)
            try await Task.sleep(for: .milliseconds(30))
            let render = try await settleRender(try worker(services, images: FlakyImages(failures: 0)), client, key: key, id: id)
            #expect(render.string("status") == "succeeded")
            let jobs = try await services.database.sql.raw("SELECT status, attempts FROM jobs").all()
            #expect(jobs.count == 1)
            #expect(try jobs.first?.decode(column: "status", as: String.self) == "done")
            #expect(try jobs.first?.decode(column: "attempts", as: Int64.self) == 2)
        }
    }
}
