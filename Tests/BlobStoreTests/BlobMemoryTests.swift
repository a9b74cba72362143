import Core
import Foundation
import Testing

/// Resident memory while a 50 MB blob is streamed versus read whole. Opt-in
/// (`CRAFTKIT_TEST_MEASURE_RSS=1`, run alone with `--filter BlobMemoryTests`): the process's RSS is
/// shared with every test running beside it, so under the parallel suite the figure means nothing.
@Suite("Blob store memory")
struct BlobMemoryTests {
    static let enabled = ProcessInfo.processInfo.environment["CRAFTKIT_TEST_MEASURE_RSS"] == "1"

    static func residentBytes() -> Int {
        guard let statm = try? String(contentsOfFile: "/proc/self/statm", encoding: .utf8) else { return 0 }
        let pages = statm.split(separator: " ").dropFirst().first.flatMap { Int($0) } ?? 0
        return pages * Int(sysconf(Int32(_SC_PAGESIZE)))
    }

    @Test("streaming a 50 MB blob keeps resident memory flat; reading it whole does not", .enabled(if: enabled), arguments: BlobStoreLeg.all)
    func flat(leg: BlobStoreLeg) async throws {
        try await leg.withStore { store in
            try await store.put(BlobStoreContractTests.pattern(50_000_000, seed: 9), key: "rss.pdf")
            let before = Self.residentBytes()
            var peak = before
            var streamed = 0
            for try await chunk in try #require(try await store.stream(key: "rss.pdf")) {
                streamed += chunk.count
                peak = max(peak, Self.residentBytes())
            }
            let whole = try await store.get(key: "rss.pdf")
            let afterGet = Self.residentBytes()
            #expect(streamed == 50_000_000 && whole?.count == 50_000_000)
            print(
                "blob memory \(leg): stream peak +\((peak - before) >> 20) MiB, whole get +\((afterGet - before) >> 20) MiB over \(before >> 20) MiB")
            #expect(peak - before < 24 << 20)
        }
    }
}
