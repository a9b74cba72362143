import Core
import Foundation
import NIOHTTP1

/// Blobs as objects in an S3-compatible bucket (AWS S3, MinIO, Ceph, R2…), under the location's
/// prefix, so several nodes share them (docs/operations.md#object-storage-s3). Requests are signed
/// with SigV4 over the payload's SHA-256 (never `UNSIGNED-PAYLOAD`: the hash also guards the bytes on
/// plain-http endpoints), retried on transient failures, and large objects go up in parts.
public struct S3BlobStore: BlobStore {
    public struct Tuning: Sendable {
        /// Objects larger than this go up as a multipart upload.
        public var multipartThreshold: Int
        /// S3 wants at least 5 MiB in every part but the last.
        public var partSize: Int
        /// Parts in flight at once during one multipart upload.
        public var partConcurrency: Int
        /// Bytes per ranged GET of a streamed download: the most a stream holds at a time.
        public var streamChunkSize: Int
        /// Attempts per request (the first included) before a transient failure is given up on.
        public var maxAttempts: Int
        public var baseBackoff: Duration
        public var maxBackoff: Duration
        public var connectTimeout: Duration
        /// Bounds one request, a whole part's upload included.
        public var requestTimeout: Duration

        public init(
            multipartThreshold: Int = 8 << 20, partSize: Int = 8 << 20, partConcurrency: Int = 4, streamChunkSize: Int = 4 << 20,
            maxAttempts: Int = 4, baseBackoff: Duration = .milliseconds(100), maxBackoff: Duration = .seconds(5),
            connectTimeout: Duration = .seconds(5), requestTimeout: Duration = .seconds(120)
        ) {
            self.multipartThreshold = multipartThreshold
            self.partSize = max(5 << 20, partSize)
            self.partConcurrency = max(1, partConcurrency)
            self.streamChunkSize = max(1, streamChunkSize)
            self.maxAttempts = max(1, maxAttempts)
            self.baseBackoff = baseBackoff
            self.maxBackoff = maxBackoff
            self.connectTimeout = connectTimeout
            self.requestTimeout = requestTimeout
        }
    }

    public let location: S3Location
    public let tuning: Tuning
    let client: S3Client

    /// A `resolver` other than the system's serves tests (virtual-hosted names without DNS).
    public init(location: S3Location, tuning: Tuning = Tuning(), resolver: any HostResolver = SystemHostResolver()) {
        self.location = location
        self.tuning = tuning
        client = S3Client(location: location, tuning: tuning, resolver: resolver)
    }

    /// Largest body read whole: error answers and `get`, which the protocol defines as whole.
    static let maxWholeObject = 1 << 31

    /// The object key: the store's prefix and the blob key, which follows `BlobKey` like every store's.
    func objectKey(_ key: String) throws -> String {
        try BlobKey.validate(key)
        return location.prefix.isEmpty ? key : location.prefix + "/" + key
    }

    public func put(_ data: Data, key: String) async throws {
        let objectKey = try objectKey(key)
        if data.count > tuning.multipartThreshold { return try await putMultipart(data, objectKey: objectKey) }
        let response = try await client.send(.init(method: .PUT, objectKey: objectKey, body: data), maxBodyBytes: 1 << 20)
        guard response.status == 200 else { throw client.failure(response, "PUT", key: objectKey) }
    }

    public func get(key: String) async throws -> Data? {
        let objectKey = try objectKey(key)
        let response = try await client.send(.init(method: .GET, objectKey: objectKey), maxBodyBytes: Self.maxWholeObject)
        if response.status == 404 { return nil }
        guard response.status == 200 else { throw client.failure(response, "GET", key: objectKey) }
        return response.body
    }

    public func head(key: String) async throws -> BlobInfo? {
        try await headObject(try objectKey(key)).map { BlobInfo(size: $0.size) }
    }

    /// Size and ETag, or nil for a missing object.
    func headObject(_ objectKey: String) async throws -> (size: Int, etag: String?)? {
        // HEAD announces the object's length without sending it: the response ends at its head.
        let response = try await client.send(.init(method: .HEAD, objectKey: objectKey), readsBody: false, maxBodyBytes: 0)
        if response.status == 404 { return nil }
        guard response.status == 200, let size = response.headers.first(name: "content-length").flatMap(Int.init) else {
            throw client.failure(response, "HEAD", key: objectKey)
        }
        return (size, response.headers.first(name: "etag"))
    }

    /// Ranged GETs of `streamChunkSize` bytes, each fetched when the consumer asks for it and retried
    /// on its own. `If-Match` pins every range to the ETag the HEAD saw: an overwrite during the
    /// download fails the stream (412) instead of splicing two versions.
    public func stream(key: String) async throws -> BlobStream? {
        let objectKey = try objectKey(key)
        guard let object = try await headObject(objectKey) else { return nil }
        let client = client
        return BlobStream(size: object.size, chunkSize: tuning.streamChunkSize) { offset, count in
            var headers = [("range", "bytes=\(offset)-\(offset + count - 1)")]
            if let etag = object.etag { headers.append(("if-match", etag)) }
            let response = try await client.send(.init(method: .GET, objectKey: objectKey, headers: headers), maxBodyBytes: count + (64 << 10))
            switch response.status {
            case 206: return response.body
            // A server that ignores Range sends the whole object; fine only when that is the range asked.
            case 200 where offset == 0 && response.body.count == count: return response.body
            case 404, 412: throw BlobStoreError.unavailable("S3 object \(objectKey) changed or vanished while it was read")
            default: throw client.failure(response, "GET range", key: objectKey)
            }
        }
    }

    public func delete(key: String) async throws {
        let objectKey = try objectKey(key)
        let response = try await client.send(.init(method: .DELETE, objectKey: objectKey), maxBodyBytes: 1 << 20)
        guard [200, 204, 404].contains(response.status) else { throw client.failure(response, "DELETE", key: objectKey) }
    }

    /// Writes, reads back and deletes a probe, like the file store: proves the credentials, the bucket
    /// and the endpoint all work.
    public func check() async throws {
        let key = "health/probe-\(UUID().uuidString)"
        let probe = Data("ok".utf8)
        try await put(probe, key: key)
        let read: Data?
        do {
            read = try await get(key: key)
        } catch {
            try? await delete(key: key)
            throw error
        }
        try await delete(key: key)
        guard read == probe else { throw BlobStoreError.unavailable("probe did not read back") }
    }

    /// A URL that GETs the blob without credentials until `expires` from `now` has passed; nil for an
    /// invalid key. Made locally (no request): it does not prove the object exists.
    public func presignedURL(key: String, expires: Duration, now: Date = Date()) -> URL? {
        guard let objectKey = try? objectKey(key) else { return nil }
        let address = client.address(objectKey: objectKey)
        let (query, _) = client.signer.presignedQuery(
            method: "GET", path: address.path, host: address.host, expires: Int(max(1, expires.components.seconds)), date: now)
        return URL(string: address.base + address.path + "?" + query)
    }

    /// Creates the bucket; one that already exists and is ours is fine. For tests and first setups
    /// (the server itself never creates buckets).
    public func createBucket() async throws {
        var body: Data?
        // us-east-1 is S3's default location and must not be named; every other region must.
        if location.region != "us-east-1" {
            body = Data(
                "<CreateBucketConfiguration><LocationConstraint>\(S3XML.escape(location.region))</LocationConstraint></CreateBucketConfiguration>"
                    .utf8)
        }
        let response = try await client.send(.init(method: .PUT, objectKey: nil, body: body), maxBodyBytes: 1 << 20)
        if response.status == 200 || S3XML.value(of: "Code", in: response.body) == "BucketAlreadyOwnedByYou" { return }
        throw client.failure(response, "PUT bucket", key: nil)
    }
}
