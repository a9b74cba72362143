import Foundation

/// Where rendered PDFs and uploads live: files under one directory (`FileBlobStore`, the embedded
/// default) or an S3-compatible bucket (`S3BlobStore`, for scale-out).
public protocol BlobStore: Sendable {
    func put(_ data: Data, key: String) async throws
    /// nil when no blob has that key.
    func get(key: String) async throws -> Data?
    /// The blob's size without its bytes; nil when no blob has that key.
    func head(key: String) async throws -> BlobInfo?
    /// The blob as chunks read on demand, so a large one never sits whole in memory; nil when no blob
    /// has that key.
    func stream(key: String) async throws -> BlobStream?
    func delete(key: String) async throws
    /// Proves the store is usable (writes, reads back and deletes a probe); the health check.
    func check() async throws
}

/// What a store knows about a blob without reading it.
public struct BlobInfo: Sendable, Equatable {
    public var size: Int

    public init(size: Int) {
        self.size = size
    }
}

extension BlobStore {
    /// For stores that can only read a blob whole.
    public func head(key: String) async throws -> BlobInfo? {
        try await get(key: key).map { BlobInfo(size: $0.count) }
    }

    /// For stores that can only read a blob whole: the chunks are slices of one read.
    public func stream(key: String) async throws -> BlobStream? {
        guard let data = try await get(key: key) else { return nil }
        return BlobStream(size: data.count, chunkSize: BlobStream.defaultChunkSize) { offset, count in
            Data(data[data.startIndex + offset..<data.startIndex + offset + count])
        }
    }
}

/// A blob of known size read chunk by chunk: each `next()` reads the following `chunkSize` bytes
/// (fewer for the last) through `read`, so memory holds one chunk at a time and a slow consumer
/// slows the reads (pull, not push). The size is known up front for `Content-Length`.
public struct BlobStream: AsyncSequence, Sendable {
    public typealias Element = Data
    public static let defaultChunkSize = 256 * 1024

    public let size: Int
    public let chunkSize: Int
    let read: @Sendable (_ offset: Int, _ count: Int) async throws -> Data

    /// `read(offset, count)` returns exactly `count` bytes starting at `offset`.
    public init(size: Int, chunkSize: Int, read: @escaping @Sendable (_ offset: Int, _ count: Int) async throws -> Data) {
        self.size = size
        self.chunkSize = Swift.max(1, chunkSize)
        self.read = read
    }

    public func makeAsyncIterator() -> Iterator {
        Iterator(stream: self)
    }

    /// Every chunk joined; for tests and small blobs.
    public func collect() async throws -> Data {
        var all = Data(capacity: size)
        for try await chunk in self { all.append(chunk) }
        return all
    }

    public struct Iterator: AsyncIteratorProtocol, Sendable {
        let stream: BlobStream
        var offset = 0

        public mutating func next() async throws -> Data? {
            guard offset < stream.size else { return nil }
            let count = Swift.min(stream.chunkSize, stream.size - offset)
            let chunk = try await stream.read(offset, count)
            // A short read means the blob changed or shrank under us: stop rather than hand out a
            // body that does not match the announced size.
            guard chunk.count == count else { throw BlobStoreError.unavailable("blob changed while it was read") }
            offset += count
            return chunk
        }
    }
}

public enum BlobStoreError: Error, Equatable, CustomStringConvertible {
    case invalidKey(String)
    case unavailable(String)

    public var description: String {
        switch self {
        case .invalidKey(let key): "invalid blob key \"\(key)\""
        case .unavailable(let reason): "blob store unavailable: \(reason)"
        }
    }
}

/// The one key rule every store applies, so a key that works on files works on S3 and back:
/// relative paths of `[A-Za-z0-9._-]` segments, no empty, `.` or `..` segment, at most 512 characters.
public enum BlobKey {
    static let allowed = Set("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789._-")

    public static func validate(_ key: String) throws {
        let segments = key.split(separator: "/", omittingEmptySubsequences: false)
        guard key.count <= 512, !segments.isEmpty,
            segments.allSatisfy({ !$0.isEmpty && $0 != "." && $0 != ".." && $0.allSatisfy(allowed.contains) })
        else { throw BlobStoreError.invalidKey(key) }
    }
}
