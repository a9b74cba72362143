import Core
import Delivery
import Foundation
import Hummingbird
import HummingbirdTesting
import Logging
import PartnerAPI
import Render
import Renders
import Storage
import Synchronization
import Webhooks

/// Builds the real application on a fresh database of the given leg and drives it through
/// Hummingbird's in-process client.
public enum TestApp {
    public static let adminKey = "test-admin-key-0123456789abcdef"

    /// One engine for the whole test process: fontconfig start-up is paid once.
    static let engine = Mutex<RenderEngine?>(nil)

    public static func sharedEngine() throws -> RenderEngine {
        try engine.withLock { engine in
            if let engine { return engine }
            let made = try RenderEngine()
            engine = made
            return made
        }
    }

    /// Fast worker settings for tests: short leases and no retry delay.
    public static var workerSettings: RenderWorker.Settings {
        var settings = RenderWorker.Settings()
        settings.leaseMillis = 2_000
        settings.heartbeatEvery = .milliseconds(500)
        settings.idleWait = .milliseconds(100)
        settings.backoffMillis = [50, 100]
        return settings
    }

    /// Fast webhook retries for tests.
    public static var webhookSettings: WebhookDeliverer.Settings {
        var settings = WebhookDeliverer.Settings()
        settings.baseDelayMillis = 5
        settings.maxDelayMillis = 20
        settings.idleWait = .milliseconds(50)
        return settings
    }

    /// The repository's `Public/` folder, wherever the tests run from.
    public static let repositoryPublicDirectory = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
        .deletingLastPathComponent().appendingPathComponent("Public").path

    public static func run<T: Sendable>(
        _ leg: DatabaseLeg,
        environment overrides: [String: String] = [:],
        live: Bool = false,
        emailSender: (any EmailSender)? = nil,
        _ body: @Sendable (any TestClientProtocol, AppServices) async throws -> T
    ) async throws -> T {
        try await leg.withDatabase { database, location in
            let directory = FileManager.default.temporaryDirectory.appendingPathComponent("craftkit-app-\(UUID().uuidString)")
            defer { try? FileManager.default.removeItem(at: directory) }
            var environment = [
                "CRAFTKIT_DATA_DIR": directory.path, "CRAFTKIT_ADMIN_KEY": adminKey, "CRAFTKIT_PORT": "0",
                "CRAFTKIT_PUBLIC_DIR": repositoryPublicDirectory,
            ]
            environment.merge(overrides) { _, new in new }
            var config = try ServerConfig(environment: environment)
            config.database = location
            var logger = Logger(label: "craftkit.test")
            logger.logLevel = .warning
            let services = AppServices(
                config: config, adminKey: adminKey, database: database,
                blobs: try FileBlobStore(directory: config.blobDirectory), engine: try sharedEngine(), logger: logger,
                workerSettings: workerSettings, webhookSettings: webhookSettings, emailSender: emailSender
            )
            let app = Application(router: buildRouter(services: services), logger: logger)
            // `.live` serves on a loopback socket, for behaviour that depends on the client's address.
            return try await app.test(live ? .live : .router) { client in try await body(client, services) }
        }
    }
}

/// Rate limits count in fixed one-minute windows: a test that spends a budget and expects the next
/// request refused must not straddle a minute boundary, or the budget resets under it.
public func awayFromMinuteBoundary(needing seconds: Double = 15) async throws {
    let intoMinute = Date().timeIntervalSince1970.truncatingRemainder(dividingBy: 60)
    if intoMinute > 60 - seconds { try await Task.sleep(for: .milliseconds(Int((60 - intoMinute) * 1000) + 100)) }
}

extension TestClientProtocol {
    /// Sends a request with an optional bearer token and JSON (or raw) body; returns status, parsed JSON
    /// body and headers.
    @discardableResult
    public func call(
        _ method: HTTPRequest.Method, _ uri: String, bearer: String? = nil, json: String? = nil,
        headers extra: HTTPFields = [:]
    ) async throws -> TestResult {
        var headers = extra
        if let bearer { headers[.authorization] = "Bearer \(bearer)" }
        if json != nil { headers[.contentType] = "application/json" }
        return try await execute(uri: uri, method: method, headers: headers, body: json.map { ByteBuffer(string: $0) }) { response in
            TestResult(status: Int(response.status.code), headers: response.headers, body: String(buffer: response.body))
        }
    }
}

public struct TestResult: Sendable {
    public let status: Int
    public let headers: HTTPFields
    public let body: String

    public init(status: Int, headers: HTTPFields, body: String) {
        self.status = status
        self.headers = headers
        self.body = body
    }

    /// The body as JSON (`.null` when it is not JSON).
    public var json: JSONValue { (try? JSONValue.parse(Data(body.utf8))) ?? .null }

    /// `error.code` of an error envelope.
    public var errorCode: String? {
        if case .string(let code)? = json["error"]?["code"] { return code }
        return nil
    }

    /// The code of Craftkit's flat credential refusal `{"error":"<code>","message"}` (admin and
    /// partner-key embed routes); nil for any other body.
    public var flatErrorCode: String? {
        if case .string(let code)? = json["error"], case .string? = json["message"] { return code }
        return nil
    }

    public func string(_ path: String...) -> String? {
        var value: JSONValue? = json
        for key in path { value = value?[key] }
        if case .string(let string)? = value { return string }
        return nil
    }
}
