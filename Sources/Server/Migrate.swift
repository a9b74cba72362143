import ArgumentParser
import Storage

struct Migrate: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Apply pending database migrations and exit (serve also runs them at start)."
    )

    func run() async throws {
        let config = Runtime.loadConfig()
        let logger = Runtime.makeLogger(config)
        try await Runtime.withDatabase(config, logger: logger) { database in
            let applied = try await Migrations.run(on: database, logger: logger)
            let version = try await Migrations.currentVersion(of: database)
            print(
                applied.isEmpty ? "Database is up to date (schema version \(version))." : "Applied migrations \(applied); schema version \(version).")
        }
    }
}
