import ArgumentParser
import Core
import Foundation
import Storage

struct BackupCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "backup",
        abstract: "Copy the database (SQLite) and the blob files into DIR, consistently, while the server runs.",
        discussion: "PostgreSQL and S3 deployments back up with their own tools (docs/operations.md#backups-and-restore)."
    )

    @Argument(help: "A new or empty directory.") var directory: String

    func run() async throws {
        let config = Runtime.loadConfig()
        let logger = Runtime.makeLogger(config)
        guard config.s3Storage == nil else { throw ValidationError(Backup.Failure.notEmbedded.description) }
        try await Runtime.withDatabase(config, logger: logger) { database in
            do {
                // The generated admin key goes with the data it seals; a key from the environment stays there.
                let keyFile = config.adminKey == nil ? URL(fileURLWithPath: config.dataDirectory).appendingPathComponent("admin-key") : nil
                let manifest = try await Backup.create(
                    database: database, blobDirectory: config.blobDirectory, adminKeyFile: keyFile, into: URL(fileURLWithPath: directory))
                print(
                    "Backed up schema version \(manifest.schemaVersion) and \(manifest.blobCount) blobs (\(manifest.blobBytes) bytes) into \(directory)."
                )
            } catch let failure as Backup.Failure {
                throw ValidationError(failure.description)
            }
        }
    }
}

struct RestoreCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "restore",
        abstract: "Put a backup made by `craftkit backup` in place of this deployment's database and blobs (server stopped)."
    )

    @Argument(help: "A directory written by `craftkit backup`.") var directory: String
    @Flag(help: "Replace an existing database.") var force = false

    func run() async throws {
        let config = Runtime.loadConfig()
        guard case .sqlite(let path) = config.database, config.s3Storage == nil else {
            throw ValidationError(Backup.Failure.notEmbedded.description)
        }
        do {
            let keyFile = config.adminKey == nil ? URL(fileURLWithPath: config.dataDirectory).appendingPathComponent("admin-key") : nil
            let manifest = try Backup.restore(
                from: URL(fileURLWithPath: directory), databasePath: path, blobDirectory: config.blobDirectory, adminKeyFile: keyFile, force: force)
            print("Restored schema version \(manifest.schemaVersion) and \(manifest.blobCount) blobs; start the server to apply newer migrations.")
        } catch let failure as Backup.Failure {
            throw ValidationError(failure.description)
        }
    }
}
