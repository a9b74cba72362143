import Foundation
import Testing

/// A real SMTP server for the tests: scripts/smtp-sink.py (aiosmtpd) in a child process, on a
/// loopback port, writing every accepted message as JSON (see the script for the fields).
struct SMTPSink {
    let port: Int
    let directory: URL
    let process: Process
    /// The sink's standard input: closing it stops the sink.
    let lifeline: Pipe

    static let repositoryRoot = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
        .deletingLastPathComponent()

    /// Whether aiosmtpd can be imported (scripts/install-deps.sh test installs it).
    static let isAvailable: Bool = {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        process.arguments = ["python3", "-c", "import aiosmtpd"]
        process.standardOutput = FileHandle.nullDevice
        process.standardError = FileHandle.nullDevice
        do {
            try process.run()
            process.waitUntilExit()
            return process.terminationStatus == 0
        } catch {
            return false
        }
    }()

    /// `make test` sets CRAFTKIT_TEST_REQUIRE_SMTP=1: there a missing aiosmtpd fails the tests instead
    /// of skipping them.
    static let isRequired = ProcessInfo.processInfo.environment["CRAFTKIT_TEST_REQUIRE_SMTP"] == "1"
    static let shouldRun = isAvailable || isRequired
    static let skipNote: Comment =
        "aiosmtpd is not installed (python3 -m pip install aiosmtpd==1.4.6, or scripts/install-deps.sh test); set CRAFTKIT_TEST_REQUIRE_SMTP=1 to fail instead"

    struct Unavailable: Error, CustomStringConvertible {
        let description: String
    }

    /// Starts the sink, runs `body`, and stops it however `body` ends.
    static func run<T>(
        tls: String = "none", user: String? = nil, password: String? = nil, authInsecure: Bool = false, rejecting: [String] = [],
        _ body: (SMTPSink) async throws -> T
    ) async throws -> T {
        guard isAvailable else {
            throw Unavailable(description: "CRAFTKIT_TEST_REQUIRE_SMTP=1 but python3 cannot import aiosmtpd (run scripts/install-deps.sh test)")
        }
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("craftkit-smtp-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        let port = try await LoopbackServer.closedPort()
        var arguments = [
            "python3", repositoryRoot.appendingPathComponent("scripts/smtp-sink.py").path, "--port", "\(port)", "--dir", directory.path,
            "--tls", tls, "--lifetime", "120", "--until-stdin-closes",
        ]
        if let user, let password { arguments += ["--user", user, "--password", password] }
        if authInsecure { arguments.append("--auth-insecure") }
        for address in rejecting { arguments += ["--reject-rcpt", address] }
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        process.arguments = arguments
        let log = directory.appendingPathComponent("sink.log")
        _ = FileManager.default.createFile(atPath: log.path, contents: nil)
        let logHandle = try FileHandle(forWritingTo: log)
        process.standardOutput = logHandle
        process.standardError = logHandle
        let lifeline = Pipe()
        process.standardInput = lifeline
        try process.run()
        let sink = SMTPSink(port: port, directory: directory, process: process, lifeline: lifeline)
        defer { sink.stop() }
        // The script writes `ready` once aiosmtpd accepts connections on the port.
        let ready = directory.appendingPathComponent("ready")
        for _ in 0..<150 where !FileManager.default.fileExists(atPath: ready.path) {
            guard process.isRunning else { break }
            try await Task.sleep(for: .milliseconds(100))
        }
        guard FileManager.default.fileExists(atPath: ready.path) else {
            let output = (try? String(contentsOf: log, encoding: .utf8)) ?? ""
            throw Unavailable(description: "the SMTP sink did not start: \(output)")
        }
        return try await body(sink)
    }

    func stop() {
        try? lifeline.fileHandleForWriting.close()
        if process.isRunning { process.terminate() }
        process.waitUntilExit()
        try? FileManager.default.removeItem(at: directory)
    }

    /// The certificate the sink made for its TLS modes.
    var certificatePath: String { directory.appendingPathComponent("cert.pem").path }

    /// Every message accepted so far, in order.
    func messages() throws -> [[String: Any]] {
        let folder = directory.appendingPathComponent("messages")
        let names = try FileManager.default.contentsOfDirectory(atPath: folder.path).filter { $0.hasSuffix(".json") }.sorted()
        return try names.map { name in
            let data = try Data(contentsOf: folder.appendingPathComponent(name))
            return try #require(try JSONSerialization.jsonObject(with: data) as? [String: Any])
        }
    }

}
