import Core
import Foundation
import Outbound
import Storage

/// The blob stores a contract test runs on: the file store always; S3 when the test command started an
/// S3 API server (`CRAFTKIT_TEST_S3_ENDPOINT`, set by `scripts/with-s3.sh`). With
/// `CRAFTKIT_TEST_REQUIRE_S3=1` (as `make test` sets it) a missing server fails the S3 leg loudly
/// instead of leaving it out, like `CRAFTKIT_TEST_REQUIRE_POSTGRES` for the database legs.
enum BlobStoreLeg: String, Sendable, CaseIterable, CustomStringConvertible {
    case file
    case s3

    var description: String { rawValue }

    static var all: [BlobStoreLeg] {
        let env = ProcessInfo.processInfo.environment
        let s3Wanted = env["CRAFTKIT_TEST_S3_ENDPOINT"] != nil || env["CRAFTKIT_TEST_REQUIRE_S3"] == "1"
        return s3Wanted ? [.file, .s3] : [.file]
    }

    struct S3Unavailable: Error, CustomStringConvertible {
        var description: String {
            "CRAFTKIT_TEST_S3_ENDPOINT is not set: run the suite through `make test` (scripts/with-s3.sh starts an S3 API server)"
        }
    }

    /// Small enough that the tests' objects take several parts and chunks, as large as S3 allows.
    static let tuning = S3BlobStore.Tuning(
        multipartThreshold: 8 << 20, partSize: 5 << 20, streamChunkSize: 1 << 20, baseBackoff: .milliseconds(20),
        requestTimeout: .seconds(60))

    /// An empty store for one test: a fresh directory, or a fresh bucket on the S3 server (a prefix
    /// inside it, as deployments use).
    func withStore<T: Sendable>(_ body: (any BlobStore) async throws -> T) async throws -> T {
        switch self {
        case .file:
            let directory = FileManager.default.temporaryDirectory.appendingPathComponent("craftkit-blobs-\(UUID().uuidString)")
            defer { try? FileManager.default.removeItem(at: directory) }
            return try await body(try FileBlobStore(directory: directory.path))
        case .s3:
            let store = try Self.s3Store()
            try await store.createBucket()
            return try await body(store)
        }
    }

    static func s3Store(prefix: String = "craftkit") throws -> S3BlobStore {
        guard let endpoint = ProcessInfo.processInfo.environment["CRAFTKIT_TEST_S3_ENDPOINT"].flatMap(URL.init(string:)) else {
            throw S3Unavailable()
        }
        let bucket = "ck-test-" + UUID().uuidString.lowercased().prefix(18)
        let location = S3Location(
            bucket: bucket, prefix: prefix, endpoint: endpoint, region: "us-east-1", pathStyle: true, accessKeyID: "craftkit-test",
            secretAccessKey: "craftkit-test-secret")
        return S3BlobStore(location: location, tuning: tuning)
    }
}
