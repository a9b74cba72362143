import Core
import Foundation
import Logging
import PartnerAPI
import Storage

/// Start-up steps shared by the commands: configuration, logging, the admin key.
enum Runtime {
    /// Reads the configuration or stops the process with one line naming the bad variable.
    static func loadConfig() -> ServerConfig {
        do {
            return try ServerConfig(environment: ProcessInfo.processInfo.environment)
        } catch let invalid as ServerConfig.Invalid {
            FileHandle.standardError.write(Data("craftkit: invalid configuration: \(invalid)\n".utf8))
            exit(2)
        } catch {
            FileHandle.standardError.write(Data("craftkit: invalid configuration: \(error)\n".utf8))
            exit(2)
        }
    }

    /// Prints to stdout at once (not buffered), so the banner shows up before the first log line.
    static func say(_ text: String) {
        FileHandle.standardOutput.write(Data((text + "\n").utf8))
    }

    static func makeLogger(_ config: ServerConfig) -> Logger {
        LoggingSystem.bootstrap { label in
            var handler = StreamLogHandler.standardError(label: label)
            handler.logLevel = Logger.Level(rawValue: config.logLevel) ?? .info
            return handler
        }
        return Logger(label: "craftkit")
    }

    /// `CRAFTKIT_ADMIN_KEY`, or for the embedded default a key generated once into the data directory
    /// (mode 0600) so `make serve` works on an empty directory and the key survives restarts.
    static func adminKey(_ config: ServerConfig) throws -> (key: String, generatedFile: String?) {
        if let key = config.adminKey { return (key, nil) }
        let path = URL(fileURLWithPath: config.dataDirectory).appendingPathComponent("admin-key").path
        if let existing = try? String(contentsOfFile: path, encoding: .utf8).trimmingCharacters(in: .whitespacesAndNewlines),
            existing.count >= ServerConfig.minimumSecretLength
        {
            return (existing, path)
        }
        try FileManager.default.createDirectory(atPath: config.dataDirectory, withIntermediateDirectories: true)
        let key = "cka_" + APIKeyMaterial.generate(.live).dropFirst("ck_live_".count)
        guard FileManager.default.createFile(atPath: path, contents: Data((key + "\n").utf8), attributes: [.posixPermissions: 0o600]) else {
            throw ServerConfig.Invalid(variable: "CRAFTKIT_DATA_DIR", problem: "cannot write \(path)")
        }
        return (key, path)
    }

    /// Runs `body` with started services and always shuts them down (pools must be closed before exit).
    static func withServices(_ config: ServerConfig, logger: Logger, _ body: (AppServices) async throws -> Void) async throws {
        let (key, _) = try adminKey(config)
        let services = try await AppServices.start(config: config, adminKey: key, logger: logger)
        do {
            try await body(services)
        } catch {
            try? await services.shutdown()
            throw error
        }
        try await services.shutdown()
    }

    /// Runs `body` with an open database and always closes it.
    static func withDatabase(_ config: ServerConfig, logger: Logger, _ body: (Database) async throws -> Void) async throws {
        let database = try Database.open(config.database, logger: logger)
        do {
            try await body(database)
        } catch {
            try? await database.shutdown()
            throw error
        }
        try await database.shutdown()
    }
}
