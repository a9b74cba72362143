import AdminProvisioning
import ArgumentParser
import Core
import EmbedSessions
import Foundation
import PartnerAPI
import Render

/// `craftkit bench …`: benchmarks (never part of the test suite).
struct Bench: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Benchmarks. `make bench` runs `bench render` and the peer comparison in Benchmarks/.",
        subcommands: [BenchRender.self, BenchTokens.self]
    )
}

/// `craftkit bench render`: the render engine on Fixtures/render (latency percentiles, PDFs/s, size, RSS).
struct BenchRender: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "render",
        abstract: "Render the fixtures in Fixtures/render: p50/p95/p99 latency, PDFs/s on all cores, output size, RSS."
    )

    @Option(help: "The fixtures directory.")
    var fixtures = "Fixtures/render"

    @Option(help: "Sequential renders per case (the 300-row and 1,000-row cases run a quarter of them).")
    var iterations = 200

    @Option(help: "Renders in flight for the throughput measurement (default: the number of cores).")
    var concurrency = ProcessInfo.processInfo.activeProcessorCount

    @Option(help: "Write the report as JSON to this file (the input of Benchmarks/peers.py).")
    var json: String?

    @Option(help: "Write one PDF per case into this directory.")
    var out: String?

    @Flag(help: "Before each case, wait until the CPUs are idle (for shared machines).")
    var waitIdle = false

    @Option(help: "Render every case tagged (true) or untagged (false), whatever the fixture says (Benchmarks/tagging.py).")
    var tagged: Bool?

    func run() async throws {
        let report = try await RenderBenchmark.run(
            fixturesDirectory: URL(fileURLWithPath: fixtures), iterations: iterations, concurrency: concurrency,
            outputDirectory: out.map { URL(fileURLWithPath: $0) }, waitForIdleCPU: waitIdle, pdf: tagged.map { PDFSettings(tagged: $0) }
        ) { print($0) }
        print(RenderBenchmark.markdown(report))
        if let json {
            let encoder = JSONEncoder()
            encoder.outputFormatting = [.prettyPrinted, .sortedKeys]
            try encoder.encode(report).write(to: URL(fileURLWithPath: json))
        }
    }
}

/// `craftkit bench tokens`: session-token verification in process, on a throwaway SQLite database.
/// "Cold" verifies each token for the first time (the Ed25519 check); "warm" verifies tokens already
/// seen, as the iframe pages' later requests do (expiry, audience and revocation are still checked).
struct BenchTokens: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "tokens", abstract: "Session-token verifications per second (first sight and repeated) on all cores."
    )

    @Option(help: "Sessions to mint (each token is verified cold once).")
    var sessions = 2_000

    @Option(help: "Seconds of warm verification.")
    var seconds = 3.0

    @Option(help: "Verifications in flight (default: twice the number of cores).")
    var concurrency = ProcessInfo.processInfo.activeProcessorCount * 2

    func run() async throws {
        var config = Runtime.loadConfig()
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("craftkit-bench-\(UUID().uuidString)").path
        defer { try? FileManager.default.removeItem(atPath: directory) }
        config.dataDirectory = directory
        config.database = .sqlite(path: directory + "/craftkit.sqlite")
        config.blobDirectory = directory + "/blobs"
        config.logLevel = "error"
        let logger = Runtime.makeLogger(config)
        let (sessions, seconds, concurrency) = (sessions, seconds, concurrency)
        try await Runtime.withServices(config, logger: logger) { services in
            let org = try await services.provisioning.provision(try ProvisionRequest(json: .object(["externalOrgId": .string("bench")])))
            guard let partner = try await services.embedPartners.partner(projectID: org.stack.projectID) else { return }
            let request = try SessionRequest(
                json: .object([
                    "tenant": .object(["externalId": .string("t"), "displayName": .string("T")]), "actor": .object(["externalId": .string("a")]),
                ]))
            var tokens: [String] = []
            for _ in 0..<sessions {
                tokens.append(
                    try await services.sessions.mint(projectID: org.stack.projectID, partner: partner, request: request, catalog: nil).token)
            }
            let all = tokens
            let cold = try await Self.measure(concurrency: concurrency) { worker in
                // Worker w takes tokens w, w + concurrency, …: each token is seen exactly once.
                var count = 0
                for index in stride(from: worker, to: all.count, by: concurrency) {
                    _ = try await services.sessions.verify(all[index])
                    count += 1
                }
                return count
            }
            let deadline = ContinuousClock.now + .milliseconds(Int(seconds * 1000))
            let warm = try await Self.measure(concurrency: concurrency) { worker in
                var count = 0
                var index = worker
                while ContinuousClock.now < deadline {
                    _ = try await services.sessions.verify(all[index % all.count])
                    count += 1
                    index += 7
                }
                return count
            }
            print("| token verification, first sight (Ed25519 + session lookup) | \(Int(cold)) /s |")
            print("| token verification, repeated (cached signature; expiry, audience, revocation) | \(Int(warm)) /s |")
        }
    }

    /// Runs `concurrency` workers (each returns how many operations it did); returns operations per second.
    static func measure(concurrency: Int, _ worker: @escaping @Sendable (Int) async throws -> Int) async throws -> Double {
        let started = ContinuousClock.now
        let total = try await withThrowingTaskGroup(of: Int.self) { group in
            for index in 0..<concurrency { group.addTask { try await worker(index) } }
            return try await group.reduce(0, +)
        }
        let elapsed = ContinuousClock.now - started
        return Double(total) / (Double(elapsed.components.seconds) + Double(elapsed.components.attoseconds) / 1e18)
    }
}
