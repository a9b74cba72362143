import Foundation

/// Where rendered PDFs and uploads live. The filesystem store is the embedded default; an S3 store
/// can implement the same protocol for scale-out.
public protocol BlobStore: Sendable {
    func put(_ data: Data, key: String) async throws
    /// nil when no blob has that key.
    func get(key: String) async throws -> Data?
    func delete(key: String) async throws
    /// Proves the store is usable (writes, reads back and deletes a probe); the health check.
    func check() async throws
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
