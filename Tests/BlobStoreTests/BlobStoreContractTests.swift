import Core
import Foundation
import Outbound
import Testing

/// One contract for every `BlobStore`: the same cases on the file store and on S3 (a real S3 API
/// server on loopback when the test command started one). Test names show `leg → file` / `leg → s3`.
@Suite("BlobStore contract")
struct BlobStoreContractTests {
    /// Bytes that differ everywhere, so a misplaced chunk or part cannot compare equal.
    static func pattern(_ count: Int, seed: UInt64 = 1) -> Data {
        var state = seed &* 0x9E37_79B9_7F4A_7C15
        var data = Data(count: count)
        data.withUnsafeMutableBytes { buffer in
            let words = buffer.bindMemory(to: UInt8.self)
            for index in 0..<count {
                state ^= state << 13
                state ^= state >> 7
                state ^= state << 17
                words[index] = UInt8(truncatingIfNeeded: state)
            }
        }
        return data
    }

    @Test("put, get, head, delete; a deleted key reads as missing", arguments: BlobStoreLeg.all)
    func roundTrip(leg: BlobStoreLeg) async throws {
        try await leg.withStore { store in
            let pdf = Data("%PDF-1.7 round trip".utf8)
            try await store.put(pdf, key: "renders/p1/r1.pdf")
            #expect(try await store.get(key: "renders/p1/r1.pdf") == pdf)
            #expect(try await store.head(key: "renders/p1/r1.pdf") == BlobInfo(size: pdf.count))
            try await store.delete(key: "renders/p1/r1.pdf")
            #expect(try await store.get(key: "renders/p1/r1.pdf") == nil)
            #expect(try await store.head(key: "renders/p1/r1.pdf") == nil)
        }
    }

    @Test("a missing key is nil for get, head and stream; deleting it is fine", arguments: BlobStoreLeg.all)
    func missing(leg: BlobStoreLeg) async throws {
        try await leg.withStore { store in
            #expect(try await store.get(key: "never/written.pdf") == nil)
            #expect(try await store.head(key: "never/written.pdf") == nil)
            #expect(try await store.stream(key: "never/written.pdf") == nil)
            try await store.delete(key: "never/written.pdf")
        }
    }

    @Test("an overwrite replaces the blob whole, a shorter one included", arguments: BlobStoreLeg.all)
    func overwrite(leg: BlobStoreLeg) async throws {
        try await leg.withStore { store in
            try await store.put(Self.pattern(100_000), key: "a/b.pdf")
            try await store.put(Data("short".utf8), key: "a/b.pdf")
            #expect(try await store.get(key: "a/b.pdf") == Data("short".utf8))
            #expect(try await store.head(key: "a/b.pdf")?.size == 5)
            #expect(try await store.stream(key: "a/b.pdf")?.collect() == Data("short".utf8))
        }
    }

    @Test("an empty blob is stored and streams as no chunks", arguments: BlobStoreLeg.all)
    func empty(leg: BlobStoreLeg) async throws {
        try await leg.withStore { store in
            try await store.put(Data(), key: "empty.bin")
            #expect(try await store.get(key: "empty.bin") == Data())
            let stream = try #require(try await store.stream(key: "empty.bin"))
            #expect(stream.size == 0)
            var chunks = 0
            for try await _ in stream { chunks += 1 }
            #expect(chunks == 0)
        }
    }

    @Test("a stream yields the blob in bounded chunks, in order", arguments: BlobStoreLeg.all)
    func stream(leg: BlobStoreLeg) async throws {
        try await leg.withStore { store in
            let data = Self.pattern(3 * (1 << 20) + 12345, seed: 7)
            try await store.put(data, key: "renders/stream.pdf")
            let stream = try #require(try await store.stream(key: "renders/stream.pdf"))
            #expect(stream.size == data.count)
            var joined = Data()
            var chunks = 0
            for try await chunk in stream {
                #expect(chunk.count <= stream.chunkSize)
                joined.append(chunk)
                chunks += 1
            }
            #expect(joined == data)
            #expect(chunks == (data.count + stream.chunkSize - 1) / stream.chunkSize)
        }
    }

    @Test("a 50 MB object goes up (in parts on S3) and streams back intact", arguments: BlobStoreLeg.all)
    func largeObject(leg: BlobStoreLeg) async throws {
        try await leg.withStore { store in
            let data = Self.pattern(50_000_000, seed: 42)
            let clock = ContinuousClock()
            let started = clock.now
            try await store.put(data, key: "large/fifty.pdf")
            let uploaded = clock.now
            #expect(try await store.head(key: "large/fifty.pdf")?.size == data.count)
            let stream = try #require(try await store.stream(key: "large/fifty.pdf"))
            var offset = 0
            var largestChunk = 0
            for try await chunk in stream {
                // Compared piece by piece: the test itself never holds a second copy.
                #expect(chunk == data[offset..<offset + chunk.count])
                offset += chunk.count
                largestChunk = max(largestChunk, chunk.count)
            }
            #expect(offset == data.count)
            #expect(largestChunk <= stream.chunkSize)
            print(
                "blob store \(leg): 50 MB put \(uploaded - started), streamed back in \(clock.now - uploaded) (chunks of \(stream.chunkSize) bytes)"
            )
            try await store.delete(key: "large/fifty.pdf")
        }
    }

    @Test(
        "keys that are not relative [A-Za-z0-9._-] paths are refused by every operation",
        arguments: BlobStoreLeg.all, ["../etc/passwd", "a/../../b", "/abs", "a//b", "a/./b", "", "sp ace", "ü.pdf", "a?b"])
    func invalidKey(leg: BlobStoreLeg, key: String) async throws {
        try await leg.withStore { store in
            await #expect(throws: BlobStoreError.invalidKey(key)) { try await store.put(Data("x".utf8), key: key) }
            await #expect(throws: BlobStoreError.invalidKey(key)) { try await store.get(key: key) }
            await #expect(throws: BlobStoreError.invalidKey(key)) { try await store.head(key: key) }
            await #expect(throws: BlobStoreError.invalidKey(key)) { try await store.stream(key: key) }
            await #expect(throws: BlobStoreError.invalidKey(key)) { try await store.delete(key: key) }
        }
    }

    @Test("the health check passes and leaves no probe behind", arguments: BlobStoreLeg.all)
    func check(leg: BlobStoreLeg) async throws {
        try await leg.withStore { store in
            try await store.check()
        }
    }
}
