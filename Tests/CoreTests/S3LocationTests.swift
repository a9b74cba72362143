import Core
import Foundation
import Testing

@Suite("S3 storage configuration")
struct S3LocationTests {
    static let credentials = ["AWS_ACCESS_KEY_ID": "AKID", "AWS_SECRET_ACCESS_KEY": "SECRET"]

    func config(_ env: [String: String]) throws -> ServerConfig {
        try ServerConfig(environment: env.merging(Self.credentials) { given, _ in given })
    }

    @Test("an s3:// URL with endpoint, region and path style, credentials from AWS_*")
    func parses() throws {
        let config = try config([
            "CRAFTKIT_STORAGE_URL": "s3://craftkit-blobs/prod/pdfs?endpoint=http://127.0.0.1:9000&region=eu-west-1&path_style=1",
            "AWS_SESSION_TOKEN": "TOKEN",
        ])
        let s3 = try #require(config.s3Storage)
        #expect(s3.bucket == "craftkit-blobs")
        #expect(s3.prefix == "prod/pdfs")
        #expect(s3.endpoint.absoluteString == "http://127.0.0.1:9000")
        #expect(s3.region == "eu-west-1")
        #expect(s3.pathStyle)
        #expect(s3.accessKeyID == "AKID" && s3.secretAccessKey == "SECRET" && s3.sessionToken == "TOKEN")
        #expect(config.presignedDownloads == false)
        #expect(config.presignedURLSeconds == 300)
    }

    @Test("without an endpoint: AWS's regional endpoint, virtual-hosted, us-east-1 by default")
    func defaults() throws {
        let s3 = try #require(try config(["CRAFTKIT_STORAGE_URL": "s3://bucket"]).s3Storage)
        #expect(s3.endpoint.absoluteString == "https://s3.us-east-1.amazonaws.com")
        #expect(s3.prefix == "" && !s3.pathStyle && s3.sessionToken == nil)
        #expect(try config([:]).s3Storage == nil)
        #expect(try config(["CRAFTKIT_STORAGE_URL": "file:///srv/blobs"]).s3Storage == nil)
    }

    @Test("presigned download URLs with a configurable lifetime need S3")
    func presigned() throws {
        let config = try config([
            "CRAFTKIT_STORAGE_URL": "s3://bucket", "CRAFTKIT_PUBLIC_BLOB_URL": "presigned", "CRAFTKIT_PRESIGNED_URL_SECONDS": "900",
        ])
        #expect(config.presignedDownloads && config.presignedURLSeconds == 900 && config.publicBlobURL == nil)
        #expect(throws: ServerConfig.Invalid.self) { try self.config(["CRAFTKIT_PUBLIC_BLOB_URL": "presigned"]) }
        #expect(throws: ServerConfig.Invalid.self) {
            try self.config(["CRAFTKIT_STORAGE_URL": "s3://bucket", "CRAFTKIT_PRESIGNED_URL_SECONDS": "0"])
        }
    }

    @Test(
        "a malformed URL is one clear start-up error naming the variable",
        arguments: [
            "s3://", "s3://Bad_Bucket", "s3://ab", "s3://bucket?endpoint=ftp://x", "s3://bucket?endpoint=http://h/path",
            "s3://bucket?path_style=yes", "s3://bucket?colour=blue", "s3://bucket/../x", "s3://user:pw@bucket", "s3://my.bucket",
            "s3://bucket?region=us%20east",
        ])
    func malformed(url: String) throws {
        let error = #expect(throws: ServerConfig.Invalid.self) { try config(["CRAFTKIT_STORAGE_URL": url]) }
        #expect(error?.variable == "CRAFTKIT_STORAGE_URL")
    }

    @Test("missing credentials name the missing variable")
    func missingCredentials() throws {
        let error = #expect(throws: ServerConfig.Invalid.self) {
            try ServerConfig(environment: ["CRAFTKIT_STORAGE_URL": "s3://bucket", "AWS_ACCESS_KEY_ID": "AKID"])
        }
        #expect(error?.variable == "AWS_SECRET_ACCESS_KEY")
        #expect(error?.description == "AWS_SECRET_ACCESS_KEY: must be set when CRAFTKIT_STORAGE_URL is an s3:// URL")
    }
}
