import Foundation

/// An S3-compatible bucket named by `CRAFTKIT_STORAGE_URL=s3://bucket/prefix?endpoint=…&region=…&path_style=1`
/// plus the credentials of the usual `AWS_*` variables (docs/operations.md#object-storage-s3).
public struct S3Location: Sendable, Equatable {
    public var bucket: String
    /// Key prefix inside the bucket, without slashes at either end; empty for none.
    public var prefix: String
    /// Where requests go: `https://s3.REGION.amazonaws.com` unless an `endpoint` is given (MinIO,
    /// Ceph, R2, a test server).
    public var endpoint: URL
    public var region: String
    /// `https://endpoint/bucket/key` instead of `https://bucket.endpoint/key`.
    public var pathStyle: Bool
    public var accessKeyID: String
    public var secretAccessKey: String
    public var sessionToken: String?

    public init(
        bucket: String, prefix: String = "", endpoint: URL, region: String, pathStyle: Bool, accessKeyID: String, secretAccessKey: String,
        sessionToken: String? = nil
    ) {
        self.bucket = bucket
        self.prefix = prefix
        self.endpoint = endpoint
        self.region = region
        self.pathStyle = pathStyle
        self.accessKeyID = accessKeyID
        self.secretAccessKey = secretAccessKey
        self.sessionToken = sessionToken
    }

    /// Parses an `s3://` storage URL; `credentials` reads `AWS_ACCESS_KEY_ID`, `AWS_SECRET_ACCESS_KEY`
    /// and `AWS_SESSION_TOKEN`. Every problem is one `ServerConfig.Invalid` naming its variable.
    public static func parse(_ raw: String, credentials: (String) -> String?) throws -> S3Location {
        func invalid(_ problem: String) -> ServerConfig.Invalid {
            ServerConfig.Invalid(variable: "CRAFTKIT_STORAGE_URL", problem: problem)
        }
        let shape = "must look like s3://bucket/prefix?endpoint=http://127.0.0.1:9000&region=us-east-1&path_style=1"
        guard let url = URLComponents(string: raw), url.scheme == "s3", let bucket = url.host, !bucket.isEmpty else {
            throw invalid("\(shape), got \"\(raw)\"")
        }
        // S3's bucket naming rules: 3–63 of lowercase letters, digits, dots and hyphens.
        let bucketCharacters = Set("abcdefghijklmnopqrstuvwxyz0123456789.-")
        guard (3...63).contains(bucket.count), bucket.allSatisfy(bucketCharacters.contains), bucket.first != ".", bucket.first != "-" else {
            throw invalid("bucket \"\(bucket)\" is not a valid S3 bucket name (3–63 lowercase letters, digits, dots, hyphens)")
        }
        guard url.user == nil, url.password == nil else {
            throw invalid("credentials do not go in the URL: set AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY")
        }
        let prefix = url.path.split(separator: "/").joined(separator: "/")
        if !prefix.isEmpty {
            do { try BlobKey.validate(prefix) } catch { throw invalid("prefix \"\(prefix)\" may only hold [A-Za-z0-9._-] segments") }
        }
        var options: [String: String] = [:]
        for item in url.queryItems ?? [] {
            guard ["endpoint", "region", "path_style"].contains(item.name) else {
                throw invalid("unknown option \"\(item.name)\" (endpoint, region, path_style)")
            }
            options[item.name] = item.value ?? ""
        }
        let region = options["region"].flatMap { $0.isEmpty ? nil : $0 } ?? "us-east-1"
        guard region.allSatisfy({ $0.isLetter || $0.isNumber || $0 == "-" }) else { throw invalid("region \"\(region)\" is not a region name") }
        let endpoint: URL
        if let given = options["endpoint"] {
            guard let parsed = URL(string: given), ["http", "https"].contains(parsed.scheme ?? ""), parsed.host?.isEmpty == false,
                parsed.path.isEmpty || parsed.path == "/", parsed.query == nil
            else { throw invalid("endpoint must be an http(s) URL without a path, got \"\(given)\"") }
            endpoint = parsed
        } else {
            endpoint = URL(string: "https://s3.\(region).amazonaws.com")!
        }
        let pathStyle: Bool
        switch options["path_style"] {
        case nil, "0", "false": pathStyle = false
        case "1", "true": pathStyle = true
        case let other?: throw invalid("path_style must be 1 or 0, got \"\(other)\"")
        }
        // Virtual-hosted names put the bucket in a DNS label; a dotted bucket breaks TLS wildcard certificates.
        if !pathStyle && bucket.contains(".") && endpoint.scheme == "https" {
            throw invalid("bucket \"\(bucket)\" has dots: add path_style=1 (a dotted bucket does not match the endpoint's TLS certificate)")
        }
        guard let keyID = credentials("AWS_ACCESS_KEY_ID"), let secret = credentials("AWS_SECRET_ACCESS_KEY") else {
            throw ServerConfig.Invalid(
                variable: credentials("AWS_ACCESS_KEY_ID") == nil ? "AWS_ACCESS_KEY_ID" : "AWS_SECRET_ACCESS_KEY",
                problem: "must be set when CRAFTKIT_STORAGE_URL is an s3:// URL")
        }
        return S3Location(
            bucket: bucket, prefix: prefix, endpoint: endpoint, region: region, pathStyle: pathStyle, accessKeyID: keyID,
            secretAccessKey: secret, sessionToken: credentials("AWS_SESSION_TOKEN"))
    }
}
