import Core
import Foundation

/// Blobs as files under one directory. Writes are atomic (a temporary file renamed into place), so a
/// reader never sees half a PDF and a crash leaves no partial blob under its final name.
public struct FileBlobStore: BlobStore {
    public let root: URL

    public init(directory: String) throws {
        root = URL(fileURLWithPath: directory, isDirectory: true)
        try FileManager.default.createDirectory(at: root, withIntermediateDirectories: true)
    }

    /// Keys follow `BlobKey` (relative paths of `[A-Za-z0-9._-]` segments), so none can escape the root.
    func url(for key: String) throws -> URL {
        try BlobKey.validate(key)
        return root.appendingPathComponent(key)
    }

    public func put(_ data: Data, key: String) async throws {
        let target = try url(for: key)
        try FileManager.default.createDirectory(at: target.deletingLastPathComponent(), withIntermediateDirectories: true)
        let temporary = target.deletingLastPathComponent().appendingPathComponent(".tmp-\(UUID().uuidString)")
        do {
            try data.write(to: temporary)
            if rename(temporary.path, target.path) != 0 {
                throw BlobStoreError.unavailable("rename failed with errno \(errno)")
            }
        } catch {
            try? FileManager.default.removeItem(at: temporary)
            throw error
        }
    }

    public func get(key: String) async throws -> Data? {
        let target = try url(for: key)
        guard FileManager.default.fileExists(atPath: target.path) else { return nil }
        return try Data(contentsOf: target)
    }

    public func head(key: String) async throws -> BlobInfo? {
        let target = try url(for: key)
        guard let attributes = try? FileManager.default.attributesOfItem(atPath: target.path),
            attributes[.type] as? FileAttributeType == .typeRegular, let size = attributes[.size] as? NSNumber
        else { return nil }
        return BlobInfo(size: size.intValue)
    }

    /// Reads the file in chunks through one descriptor opened now: a concurrent overwrite renames a new
    /// file into place, so this stream keeps reading the blob it started with.
    public func stream(key: String) async throws -> BlobStream? {
        let target = try url(for: key)
        guard let file = OpenFile(path: target.path) else { return nil }
        return BlobStream(size: file.size, chunkSize: BlobStream.defaultChunkSize) { offset, count in
            try file.read(offset: offset, count: count)
        }
    }

    public func delete(key: String) async throws {
        let target = try url(for: key)
        if FileManager.default.fileExists(atPath: target.path) { try FileManager.default.removeItem(at: target) }
    }

    public func check() async throws {
        let key = "health/probe-\(UUID().uuidString)"
        let probe = Data("ok".utf8)
        try await put(probe, key: key)
        defer { try? FileManager.default.removeItem(at: root.appendingPathComponent(key)) }
        guard try await get(key: key) == probe else { throw BlobStoreError.unavailable("probe did not read back") }
    }
}

/// A read-only descriptor closed when the last stream holding it goes away. `pread` takes the offset
/// itself, so reads share the descriptor without a file position to race on.
final class OpenFile: Sendable {
    let descriptor: Int32
    let size: Int

    init?(path: String) {
        let descriptor = open(path, O_RDONLY | O_CLOEXEC)
        guard descriptor >= 0 else { return nil }
        var info = stat()
        guard fstat(descriptor, &info) == 0, (info.st_mode & S_IFMT) == S_IFREG else {
            close(descriptor)
            return nil
        }
        self.descriptor = descriptor
        size = Int(info.st_size)
    }

    deinit { close(descriptor) }

    func read(offset: Int, count: Int) throws -> Data {
        var data = Data(count: count)
        var filled = 0
        while filled < count {
            let got = data.withUnsafeMutableBytes { buffer in
                pread(descriptor, buffer.baseAddress! + filled, count - filled, off_t(offset + filled))
            }
            if got < 0 && errno == EINTR { continue }
            guard got > 0 else { break }
            filled += got
        }
        return filled == count ? data : data.prefix(filled)
    }
}
