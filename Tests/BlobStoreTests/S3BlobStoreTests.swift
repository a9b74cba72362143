import Core
import Foundation
import Outbound
import Testing

/// What only the S3 store does, against the S3 API server of `scripts/with-s3.sh`. Without it these
/// are skipped, unless `CRAFTKIT_TEST_REQUIRE_S3=1` makes that a failure.
@Suite("S3 blob store on an S3 API server")
struct S3BlobStoreTests {
    static var enabled: Bool { BlobStoreLeg.all.contains(.s3) }

    @Test("a presigned URL fetches the object without credentials", .enabled(if: enabled))
    func presigned() async throws {
        let store = try BlobStoreLeg.s3Store()
        try await store.createBucket()
        try await store.put(Data("%PDF presigned".utf8), key: "renders/p.pdf")
        let url = try #require(store.presignedURL(key: "renders/p.pdf", expires: .seconds(120)))
        #expect(url.path == "/\(store.location.bucket)/craftkit/renders/p.pdf")
        let client = PinnedHTTPClient(configuration: .init(allowPrivate: true, requestTimeout: .seconds(20)))
        let response = try await client.send(method: .GET, url: url)
        #expect(response.status == 200)
        #expect(response.body == Data("%PDF presigned".utf8))
    }

    @Test("an object above the threshold goes up as a multipart upload of partSize parts", .enabled(if: enabled))
    func multipart() async throws {
        let store = try BlobStoreLeg.s3Store()
        try await store.createBucket()
        let data = BlobStoreContractTests.pattern(12 << 20, seed: 3)
        try await store.put(data, key: "parts.pdf")
        // S3 (and moto) give a multipart object the ETag "md5-of-part-md5s-PARTCOUNT". moto checks no
        // signatures, so an unsigned HEAD reads it.
        let url = store.location.endpoint.appendingPathComponent("\(store.location.bucket)/craftkit/parts.pdf")
        let client = PinnedHTTPClient(configuration: .init(allowPrivate: true, requestTimeout: .seconds(20), readsBody: false))
        let head = try await client.send(method: .HEAD, url: url)
        #expect(head.headers.first(name: "etag")?.hasSuffix("-3\"") == true)
        #expect(try await store.get(key: "parts.pdf") == data)
    }

    @Test("objects live under the configured prefix, one store's keys apart from another's", .enabled(if: enabled))
    func prefixes() async throws {
        let one = try BlobStoreLeg.s3Store(prefix: "one")
        try await one.createBucket()
        let two = S3BlobStore(
            location: S3Location(
                bucket: one.location.bucket, prefix: "two", endpoint: one.location.endpoint, region: one.location.region, pathStyle: true,
                accessKeyID: one.location.accessKeyID, secretAccessKey: one.location.secretAccessKey), tuning: BlobStoreLeg.tuning)
        try await one.put(Data("1".utf8), key: "k")
        #expect(try await two.get(key: "k") == nil)
        try await two.put(Data("2".utf8), key: "k")
        #expect(try await one.get(key: "k") == Data("1".utf8))
    }

    /// Every name is loopback: virtual-hosted names (`BUCKET.s3.localhost`) without DNS.
    struct LoopbackResolver: HostResolver {
        func addresses(of host: String) async throws -> [IPAddress] { [IPAddress("127.0.0.1")!] }
    }

    @Test("virtual-hosted addressing: the bucket in the Host name, the same contract", .enabled(if: enabled))
    func virtualHosted() async throws {
        let pathStyle = try BlobStoreLeg.s3Store()
        try await pathStyle.createBucket()
        var endpoint = try #require(URLComponents(url: pathStyle.location.endpoint, resolvingAgainstBaseURL: false))
        endpoint.host = "s3.localhost"
        var location = pathStyle.location
        location.endpoint = try #require(endpoint.url)
        location.pathStyle = false
        let store = S3BlobStore(location: location, tuning: BlobStoreLeg.tuning, resolver: LoopbackResolver())
        let data = BlobStoreContractTests.pattern(9 << 20, seed: 5)
        try await store.put(data, key: "virtual/big.pdf")
        #expect(try await store.stream(key: "virtual/big.pdf")?.collect() == data)
        // The path-style store sees the same object: one bucket, two ways of naming it.
        #expect(try await pathStyle.head(key: "virtual/big.pdf")?.size == data.count)
        try await store.delete(key: "virtual/big.pdf")
        #expect(try await pathStyle.get(key: "virtual/big.pdf") == nil)
        try await store.check()
    }

    @Test("a stream started before an overwrite fails instead of splicing two versions", .enabled(if: enabled))
    func overwriteDuringStream() async throws {
        let store = try BlobStoreLeg.s3Store()
        try await store.createBucket()
        try await store.put(BlobStoreContractTests.pattern(3 << 20, seed: 1), key: "v.pdf")
        let stream = try #require(try await store.stream(key: "v.pdf"))
        var iterator = stream.makeAsyncIterator()
        _ = try await iterator.next()
        try await store.put(BlobStoreContractTests.pattern(3 << 20, seed: 2), key: "v.pdf")
        await #expect(throws: BlobStoreError.self) {
            while try await iterator.next() != nil {}
        }
    }

    @Test("a missing server is a failure when CRAFTKIT_TEST_REQUIRE_S3=1, never a silent skip")
    func required() throws {
        let env = ProcessInfo.processInfo.environment
        if env["CRAFTKIT_TEST_REQUIRE_S3"] == "1" {
            #expect(env["CRAFTKIT_TEST_S3_ENDPOINT"] != nil, "CRAFTKIT_TEST_REQUIRE_S3=1 but no S3 server: run through scripts/with-s3.sh")
        }
    }
}
