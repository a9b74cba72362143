import ArgumentParser
import Foundation
import Render

/// `craftkit bench …`: benchmarks (never part of the test suite).
struct Bench: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Benchmarks. `make bench` runs `bench render` and the peer comparison in Benchmarks/.",
        subcommands: [BenchRender.self]
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

    func run() async throws {
        let report = try await RenderBenchmark.run(
            fixturesDirectory: URL(fileURLWithPath: fixtures), iterations: iterations, concurrency: concurrency,
            outputDirectory: out.map { URL(fileURLWithPath: $0) }, waitForIdleCPU: waitIdle
        ) { print($0) }
        print(RenderBenchmark.markdown(report))
        if let json {
            let encoder = JSONEncoder()
            encoder.outputFormatting = [.prettyPrinted, .sortedKeys]
            try encoder.encode(report).write(to: URL(fileURLWithPath: json))
        }
    }
}
