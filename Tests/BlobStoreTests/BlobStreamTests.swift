import Core
import Foundation
import NIOConcurrencyHelpers
import Testing

/// A store that can only read whole blobs, like the in-memory ones of unit tests.
final class WholeBlobs: BlobStore {
    let blobs = NIOLockedValueBox<[String: Data]>([:])
    func put(_ data: Data, key: String) async throws { blobs.withLockedValue { $0[key] = data } }
    func get(key: String) async throws -> Data? { blobs.withLockedValue { $0[key] } }
    func delete(key: String) async throws { _ = blobs.withLockedValue { $0.removeValue(forKey: key) } }
    func check() async throws {}
}

@Suite("BlobStream")
struct BlobStreamTests {
    @Test("a store with only get streams its blob in default-size slices and heads its size")
    func defaultImplementation() async throws {
        let store = WholeBlobs()
        let data = Data((0..<600_000).map { UInt8(truncatingIfNeeded: $0 * 7) })
        try await store.put(data, key: "k")
        let stream = try #require(try await store.stream(key: "k"))
        var sizes: [Int] = []
        for try await chunk in stream { sizes.append(chunk.count) }
        #expect(sizes == [262_144, 262_144, 75_712])
        #expect(try await stream.collect() == data)
        #expect(try await store.head(key: "k") == BlobInfo(size: 600_000))
        #expect(try await store.stream(key: "missing") == nil)
    }

    @Test("a short read (the blob shrank under the stream) fails instead of ending early")
    func shortRead() async throws {
        let stream = BlobStream(size: 10, chunkSize: 4) { offset, count in Data(repeating: 1, count: offset == 4 ? count - 1 : count) }
        await #expect(throws: BlobStoreError.unavailable("blob changed while it was read")) { try await stream.collect() }
    }
}
