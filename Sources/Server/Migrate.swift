import ArgumentParser
import Storage

struct Migrate: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Apply pending database migrations and exit (serve also runs them at start)."
    )

    func run() async throws {
        let config = Runtime.loadConfig()
        let logger = Runtime.makeLogger(config)
        let database = try Database.open(config.database, logger: logger)
        do {
            let applied = try await Migrations.run(on: database, logger: logger)
            let version = try await Migrations.currentVersion(of: database)
            print(
                applied.isEmpty ? "Database is up to date (schema version \(version))." : "Applied migrations \(applied); schema version \(version).")
        } catch {
            try? await database.shutdown()
            throw error
        }
        try await database.shutdown()
    }
}
