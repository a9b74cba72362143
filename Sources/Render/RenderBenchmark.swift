import Core
import Foundation

/// The render benchmark behind `craftkit bench render`: latency percentiles on one core, throughput
/// with all cores, output size and process RSS, for the fixtures in `Fixtures/render`.
public enum RenderBenchmark {
    public struct Case: Sendable {
        public var name: String
        public var document: Document
        public var data: JSONValue
    }

    public struct Result: Sendable, Codable, Equatable {
        public var name: String
        public var iterations: Int
        public var pages: Int
        public var bytes: Int
        public var p50Ms: Double
        public var p95Ms: Double
        public var p99Ms: Double
        public var meanMs: Double
        /// PDFs per second with `concurrency` renders in flight.
        public var pdfsPerSecond: Double
        public var concurrency: Int
        /// Resident set size of the process right after this case (VmRSS), in MB.
        public var rssMB: Double
    }

    public struct Report: Sendable, Codable, Equatable {
        public var results: [Result]
        /// Peak resident set size of the process (VmHWM), in MB.
        public var peakRSSMB: Double
        /// Resident set size after the run (VmRSS), in MB.
        public var rssMB: Double
        public var cores: Int
        public var date: String
    }

    /// The standard cases: invoice (12 rows), invoice (300 rows), 1,000-row report, multilingual letter.
    public static func fixtureCases(directory: URL) throws -> [Case] {
        func load(_ doc: String, _ data: String, _ name: String) throws -> Case {
            let d = try DocumentDecoder.decode(Data(contentsOf: directory.appendingPathComponent(doc)))
            let v = try JSONDecoder().decode(JSONValue.self, from: Data(contentsOf: directory.appendingPathComponent(data)))
            return Case(name: name, document: d, data: v)
        }
        return [
            try load("invoice.json", "invoice.data.json", "invoice-12"),
            try load("invoice.json", "invoice-300.data.json", "invoice-300"),
            try load("report.json", "report-1000.data.json", "report-1000"),
            try load("letter.json", "letter.data.json", "letter-multiscript"),
        ]
    }

    /// Runs every case: `warmup` renders, then `iterations` sequential renders for latency, then
    /// `iterations` renders spread over `concurrency` concurrent tasks for throughput. PDFs are
    /// written to `outputDirectory` when given (one per case). `pdf`, when given, replaces every
    /// fixture's PDF settings (the tagging benchmark renders the same cases tagged and untagged).
    public static func run(
        fixturesDirectory: URL, iterations: Int = 200, concurrency: Int = ProcessInfo.processInfo.activeProcessorCount,
        warmup: Int = 5, outputDirectory: URL? = nil, waitForIdleCPU: Bool = false, pdf: PDFSettings? = nil,
        progress: @Sendable (String) -> Void = { _ in }
    ) async throws -> Report {
        let engine = try RenderEngine()
        let images = DirectoryImageLoader(directory: fixturesDirectory.appendingPathComponent("assets"))
        var results: [Result] = []
        for var c in try fixtureCases(directory: fixturesDirectory) {
            if let pdf { c.document.pdf = pdf }
            if waitForIdleCPU { try await waitUntilIdle() }
            var last: RenderedPDF?
            for _ in 0..<max(1, warmup) {
                last = try await engine.renderPDF(document: c.document, data: c.data, images: images)
            }
            // Heavier cases get fewer iterations so that a run stays under a minute or so.
            let n = max(10, c.name.hasPrefix("report") || c.name.hasPrefix("invoice-300") ? iterations / 4 : iterations)
            var samples: [Double] = []
            samples.reserveCapacity(n)
            for i in 0..<n {
                // A fresh data variant per render (prepared outside the timed span): nothing can come
                // from a cache of an identical earlier render.
                let data = variant(c.data, i + 1)
                let t0 = ContinuousClock.now
                last = try await engine.renderPDF(document: c.document, data: data, images: images)
                samples.append((ContinuousClock.now - t0).milliseconds)
            }
            samples.sort()
            func pct(_ p: Double) -> Double { samples[min(samples.count - 1, Int((Double(samples.count) * p).rounded(.up)) - 1)] }
            let doc = c.document
            let pool = (0..<8).map { variant(c.data, 1000 + $0) }
            let t0 = ContinuousClock.now
            try await withThrowingTaskGroup(of: Void.self) { group in
                let perTask = (n + concurrency - 1) / concurrency
                for task in 0..<concurrency {
                    group.addTask {
                        for k in 0..<perTask {
                            _ = try await engine.renderPDF(document: doc, data: pool[(task + k) % pool.count], images: images)
                        }
                    }
                }
                try await group.waitForAll()
            }
            let total = ((n + concurrency - 1) / concurrency) * concurrency
            let elapsed = (ContinuousClock.now - t0).milliseconds / 1000
            let pdf = try require(last)
            if let outputDirectory {
                try FileManager.default.createDirectory(at: outputDirectory, withIntermediateDirectories: true)
                try pdf.bytes.write(to: outputDirectory.appendingPathComponent("\(c.name).pdf"))
            }
            let r = Result(
                name: c.name, iterations: n, pages: pdf.pageCount, bytes: pdf.bytes.count, p50Ms: pct(0.50), p95Ms: pct(0.95),
                p99Ms: pct(0.99), meanMs: samples.reduce(0, +) / Double(samples.count),
                pdfsPerSecond: Double(total) / elapsed, concurrency: concurrency, rssMB: processMemoryMB("VmRSS:"))
            progress(String(format: "%@: p50 %.2f ms, p95 %.2f ms, %.0f PDFs/s", c.name, r.p50Ms, r.p95Ms, r.pdfsPerSecond))
            results.append(r)
        }
        let formatter = ISO8601DateFormatter()
        return Report(
            results: results, peakRSSMB: processMemoryMB("VmHWM:"), rssMB: processMemoryMB("VmRSS:"),
            cores: ProcessInfo.processInfo.activeProcessorCount, date: formatter.string(from: Date()))
    }

    /// The data of iteration `i`: every number plus 0.01·i, every text of 12+ bytes other than dates and
    /// `asset:` references suffixed with " i" (the rule Benchmarks/peers.py applies to the peers' inputs).
    public static func variant(_ value: JSONValue, _ i: Int) -> JSONValue {
        guard i != 0 else { return value }
        switch value {
        case .null, .bool: return value
        case .number(let n): return .number(((n + Double(i) * 0.01) * 100).rounded() / 100)
        case .string(let s):
            let u = Array(s.utf8)
            let isDate = u.count >= 10 && u[4] == 45 && u[7] == 45 && u[0...3].allSatisfy { $0 >= 48 && $0 <= 57 }
            return isDate || u.count < 12 || s.hasPrefix("asset:") ? value : .string("\(s) \(i)")
        case .array(let a): return .array(a.map { variant($0, i) })
        case .object(let o): return .object(o.mapValues { variant($0, i) })
        }
    }

    /// Waits (up to 15 minutes) until the CPUs are less than 15% busy, sampled from /proc/stat: on a
    /// shared machine another build would distort the timings. Returns at once where /proc is missing.
    static func waitUntilIdle() async throws {
        func snapshot() -> (total: Int, idle: Int)? {
            guard let stat = try? String(contentsOfFile: "/proc/stat", encoding: .utf8),
                let line = stat.split(separator: "\n").first, line.hasPrefix("cpu ")
            else { return nil }
            let v = line.split(separator: " ").dropFirst().compactMap { Int($0) }
            guard v.count >= 5 else { return nil }
            return (v.reduce(0, +), v[3] + v[4])
        }
        let start = ContinuousClock.now
        while ContinuousClock.now - start < .seconds(900) {
            guard let a = snapshot() else { return }
            try await Task.sleep(for: .seconds(2))
            guard let b = snapshot() else { return }
            let busy = 1 - Double(b.idle - a.idle) / Double(max(1, b.total - a.total))
            if busy < 0.15 { return }
        }
    }

    /// A memory figure of this process from /proc/self/status (`VmRSS:`, `VmHWM:`), in MB; 0 elsewhere.
    static func processMemoryMB(_ key: String) -> Double {
        let status = (try? String(contentsOfFile: "/proc/self/status", encoding: .utf8)) ?? ""
        guard let line = status.split(separator: "\n").first(where: { $0.hasPrefix(key) }) else { return 0 }
        return (Double(line.split(separator: " ").dropFirst().first { Double($0) != nil } ?? "0") ?? 0) / 1024
    }

    /// The report as a Markdown table.
    public static func markdown(_ r: Report) -> String {
        var s = "| case | pages | size KB | p50 ms | p95 ms | p99 ms | PDFs/s (\(r.results.first?.concurrency ?? r.cores) tasks) | RSS MB |\n"
        s += "|---|---:|---:|---:|---:|---:|---:|---:|\n"
        for x in r.results {
            s += String(
                format: "| %@ | %d | %.1f | %.2f | %.2f | %.2f | %.0f | %.0f |\n", x.name, x.pages, Double(x.bytes) / 1024, x.p50Ms, x.p95Ms,
                x.p99Ms, x.pdfsPerSecond, x.rssMB)
        }
        s += String(format: "\nPeak RSS %.0f MB, RSS after run %.0f MB, %d cores, %@\n", r.peakRSSMB, r.rssMB, r.cores, r.date)
        return s
    }
}

private struct MissingResult: Error {}

private func require<T>(_ v: T?) throws -> T {
    guard let v else { throw MissingResult() }
    return v
}

extension Duration {
    var milliseconds: Double { seconds * 1000 }
}
