import Core
import Foundation
import Logging
import NIOHTTP1

/// Signed S3 requests with retries, over `PinnedHTTPClient`. The endpoint is operator-configured and
/// trusted, so every address is allowed (a MinIO on loopback included): no SSRF guard here.
struct S3Client: Sendable {
    struct Request: Sendable {
        var method: HTTPMethod
        /// The object's full key (prefix included), or nil for the bucket itself.
        var objectKey: String?
        var query: [(String, String)] = []
        var headers: [(String, String)] = []
        var body: Data?
    }

    let location: S3Location
    let signer: SigV4
    let tuning: S3BlobStore.Tuning
    let resolver: any HostResolver
    /// Retries are logged (at warning) so an operator sees a struggling endpoint before it fails.
    static let logger = Logger(label: "craftkit.s3")

    init(location: S3Location, tuning: S3BlobStore.Tuning, resolver: any HostResolver) {
        self.location = location
        self.tuning = tuning
        self.resolver = resolver
        signer = SigV4(
            accessKeyID: location.accessKeyID, secretAccessKey: location.secretAccessKey, sessionToken: location.sessionToken,
            region: location.region, service: "s3")
    }

    /// Scheme and authority, the `Host` header and the encoded path of a request, for either
    /// addressing style.
    struct Address {
        var base: String
        var host: String
        var path: String
    }

    func address(objectKey: String?) -> Address {
        let endpoint = location.endpoint
        let scheme = endpoint.scheme ?? "https"
        var endpointHost = endpoint.host ?? ""
        if endpointHost.hasPrefix("[") && endpointHost.hasSuffix("]") { endpointHost = String(endpointHost.dropFirst().dropLast()) }
        if endpointHost.contains(":") { endpointHost = "[\(endpointHost)]" }
        // The same `Host` header PinnedHTTPClient sends: the port only when the URL names one.
        let port = endpoint.port.map { ":\($0)" } ?? ""
        let encodedKey = objectKey.map { "/" + SigV4.encode($0, keepingSlash: true) } ?? ""
        if location.pathStyle {
            return Address(base: "\(scheme)://\(endpointHost)\(port)", host: endpointHost + port, path: "/\(location.bucket)\(encodedKey)")
        }
        let host = "\(location.bucket).\(endpointHost)"
        return Address(base: "\(scheme)://\(host)\(port)", host: host + port, path: encodedKey.isEmpty ? "/" : encodedKey)
    }

    static func queryString(_ query: [(String, String)]) -> String {
        query.map { $0.1.isEmpty ? SigV4.encode($0.0) : "\(SigV4.encode($0.0))=\(SigV4.encode($0.1))" }.joined(separator: "&")
    }

    /// Sends `request`, signing each attempt afresh, and retries with exponential backoff and full
    /// jitter on 5xx, 429, S3's throttling and timeout codes, and connection failures, up to
    /// `tuning.maxAttempts` attempts. Any other answer is returned; the caller judges its status.
    func send(_ request: Request, readsBody: Bool = true, maxBodyBytes: Int) async throws -> PinnedHTTPClient.Response {
        let address = address(objectKey: request.objectKey)
        let query = Self.queryString(request.query)
        guard let url = URL(string: address.base + address.path + (query.isEmpty ? "" : "?" + query)) else {
            throw BlobStoreError.unavailable("cannot form a URL for \(address.path)")
        }
        let payloadHash = SigV4.payloadHash(request.body ?? Data())
        let client = PinnedHTTPClient(
            configuration: .init(
                allowPrivate: true, connectTimeout: tuning.connectTimeout, requestTimeout: tuning.requestTimeout, maxBodyBytes: maxBodyBytes,
                readsBody: readsBody),
            resolver: resolver)
        var attempt = 1
        while true {
            let signed = signer.sign(
                method: request.method.rawValue, path: address.path, query: request.query,
                headers: [("host", address.host), ("x-amz-content-sha256", payloadHash)] + request.headers, payloadHash: payloadHash,
                date: Date())
            // PinnedHTTPClient writes Host itself, from the same URL, so it is signed but not passed.
            let headers = signed.headers.filter { $0.0 != "host" }
            let reason: String
            do {
                let response = try await client.send(method: request.method, url: url, headers: headers, body: request.body)
                guard Self.isTransient(response), attempt < tuning.maxAttempts else { return response }
                reason = "status \(response.status)" + (S3XML.value(of: "Code", in: response.body).map { " \($0)" } ?? "")
            } catch let failure as OutboundFailure {
                guard Self.isRetryable(failure) else { throw BlobStoreError.unavailable("S3 \(request.method.rawValue): \(failure)") }
                guard attempt < tuning.maxAttempts else {
                    throw BlobStoreError.unavailable("S3 \(request.method.rawValue) failed \(attempt) times, last: \(failure)")
                }
                reason = failure.description
            }
            Self.logger.warning(
                "S3 request retried",
                metadata: [
                    "method": "\(request.method.rawValue)", "key": "\(request.objectKey ?? location.bucket)", "attempt": "\(attempt)",
                    "reason": "\(reason)",
                ])
            try await Task.sleep(for: backoff(afterAttempt: attempt))
            attempt += 1
        }
    }

    /// Full jitter: a random wait up to `base · 2^(attempt-1)`, capped, so clients that failed together
    /// do not come back together.
    func backoff(afterAttempt attempt: Int) -> Duration {
        let ceiling = min(tuning.maxBackoff, tuning.baseBackoff * (1 << min(attempt - 1, 20)))
        let nanoseconds = ceiling.components.seconds * 1_000_000_000 + ceiling.components.attoseconds / 1_000_000_000
        return .nanoseconds(Int64.random(in: 0...max(0, nanoseconds)))
    }

    /// Whether a response deserves another attempt: 5xx (503 SlowDown included), 429, and the
    /// transient conditions S3 answers as 400 with a code (a slow upload, throttling).
    static func isTransient(_ response: PinnedHTTPClient.Response) -> Bool {
        if [500, 502, 503, 504, 429].contains(response.status) { return true }
        guard response.status == 400, let code = S3XML.value(of: "Code", in: response.body) else { return false }
        return ["RequestTimeout", "SlowDown", "Throttling", "ThrottlingException"].contains(code)
    }

    static func isRetryable(_ failure: OutboundFailure) -> Bool {
        switch failure {
        case .connectFailed, .timedOut, .connectionClosed, .transport, .hostNotFound: true
        case .unsupportedURL, .blockedAddress, .tlsUnavailable, .responseTooLarge, .tooManyRedirects, .badRedirect: false
        }
    }

    /// A failed answer as one line for logs: method, key, status and S3's error code.
    func failure(_ response: PinnedHTTPClient.Response, _ action: String, key: String?) -> BlobStoreError {
        let code = S3XML.value(of: "Code", in: response.body).map { " \($0)" } ?? ""
        return .unavailable("S3 \(action) \(key ?? location.bucket): status \(response.status)\(code)")
    }
}

/// The few values read from S3's XML answers (an upload id, an error code). The answers are small
/// and fixed in shape, so a tag search is enough and avoids FoundationXML (libxml2) at run time.
enum S3XML {
    static func value(of tag: String, in body: Data) -> String? {
        guard let text = String(data: body, encoding: .utf8), let open = text.range(of: "<\(tag)>"),
            let close = text.range(of: "</\(tag)>", range: open.upperBound..<text.endIndex)
        else { return nil }
        return unescape(String(text[open.upperBound..<close.lowerBound]))
    }

    static func unescape(_ text: String) -> String {
        text.replacingOccurrences(of: "&quot;", with: "\"").replacingOccurrences(of: "&apos;", with: "'")
            .replacingOccurrences(of: "&lt;", with: "<").replacingOccurrences(of: "&gt;", with: ">")
            .replacingOccurrences(of: "&amp;", with: "&")
    }

    static func escape(_ text: String) -> String {
        text.replacingOccurrences(of: "&", with: "&amp;").replacingOccurrences(of: "<", with: "&lt;")
            .replacingOccurrences(of: ">", with: "&gt;").replacingOccurrences(of: "\"", with: "&quot;")
    }
}
