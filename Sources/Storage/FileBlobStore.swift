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

    /// Keys are relative paths of `[A-Za-z0-9._-]` segments; no empty, `.` or `..` segment can escape the root.
    func url(for key: String) throws -> URL {
        let segments = key.split(separator: "/", omittingEmptySubsequences: false)
        let allowed = Set("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789._-")
        guard key.count <= 512, !segments.isEmpty,
            segments.allSatisfy({ !$0.isEmpty && $0 != "." && $0 != ".." && $0.allSatisfy(allowed.contains) })
        else { throw BlobStoreError.invalidKey(key) }
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
