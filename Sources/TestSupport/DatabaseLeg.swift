import Core
import Foundation
import Logging
import Storage

/// The storage engines a contract test runs on. SQLite always; PostgreSQL when the test command started
/// a throwaway cluster (`CRAFTKIT_TEST_POSTGRES_URL`, set by `scripts/with-postgres.sh`). With
/// `CRAFTKIT_TEST_REQUIRE_POSTGRES=1` (as `make test` and CI set it) a missing cluster fails the
/// PostgreSQL leg loudly instead of skipping it.
public enum DatabaseLeg: String, Sendable, CaseIterable, CustomStringConvertible {
    case sqlite
    case postgres

    public var description: String { rawValue }

    public static var all: [DatabaseLeg] {
        let env = ProcessInfo.processInfo.environment
        let postgresWanted = env["CRAFTKIT_TEST_POSTGRES_URL"] != nil || env["CRAFTKIT_TEST_REQUIRE_POSTGRES"] == "1"
        return postgresWanted ? [.sqlite, .postgres] : [.sqlite]
    }

    public struct PostgresUnavailable: Error, CustomStringConvertible {
        public var description: String {
            "CRAFTKIT_TEST_POSTGRES_URL is not set: run the suite through `make test` (scripts/with-postgres.sh starts PostgreSQL)"
        }
    }

    static let logger: Logger = {
        var logger = Logger(label: "craftkit.test")
        logger.logLevel = .warning
        return logger
    }()

    /// A fresh, migrated, empty database for one test, removed afterwards: a temporary SQLite file, or a
    /// new PostgreSQL database created on the throwaway cluster.
    @discardableResult
    public func withDatabase<T: Sendable>(_ body: (Database, ServerConfig.DatabaseLocation) async throws -> T) async throws -> T {
        let location: ServerConfig.DatabaseLocation
        var cleanup: @Sendable () async throws -> Void
        switch self {
        case .sqlite:
            let directory = FileManager.default.temporaryDirectory.appendingPathComponent("craftkit-test-\(UUID().uuidString)")
            location = .sqlite(path: directory.appendingPathComponent("craftkit.sqlite").path)
            cleanup = { try? FileManager.default.removeItem(at: directory) }
        case .postgres:
            guard let base = ProcessInfo.processInfo.environment["CRAFTKIT_TEST_POSTGRES_URL"] else { throw PostgresUnavailable() }
            let name = "ck_test_" + UUID().uuidString.replacingOccurrences(of: "-", with: "").lowercased().prefix(16)
            let admin = try Database.openPostgres(url: base, logger: Self.logger)
            try await admin.sql.raw("CREATE DATABASE \(unsafeRaw: name)").run()
            location = .postgres(url: Self.replacingDatabase(in: base, with: String(name)))
            cleanup = {
                try await admin.sql.raw("DROP DATABASE IF EXISTS \(unsafeRaw: name) WITH (FORCE)").run()
                try await admin.shutdown()
            }
        }
        let database = try Database.open(location, logger: Self.logger)
        do {
            try await Migrations.run(on: database, logger: Self.logger)
            let result = try await body(database, location)
            try? await database.shutdown()
            try await cleanup()
            return result
        } catch {
            try? await database.shutdown()
            try? await cleanup()
            throw error
        }
    }

    static func replacingDatabase(in url: String, with name: String) -> String {
        guard var components = URLComponents(string: url) else { return url }
        components.path = "/" + name
        return components.string ?? url
    }
}
