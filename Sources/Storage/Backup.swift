import Core
import Foundation
import SQLKit

/// `craftkit backup DIR` and `craftkit restore DIR` for the embedded topology (SQLite + files), see
/// docs/operations.md#backups-and-restore.
///
/// A backup is consistent while the server runs: the database is copied first, with `VACUUM INTO`
/// (one read transaction: a snapshot of a single moment that writers do not block and that never
/// blocks them), then the blob files. Blobs are written before the rows that name them and never
/// changed afterwards, so every blob the snapshot names is in the copy; blobs written after the
/// snapshot are copied too and are merely unreferenced.
public enum Backup {
    public struct Manifest: Codable, Sendable, Equatable {
        public var format: Int
        public var createdAt: String
        public var schemaVersion: Int
        public var blobCount: Int
        public var blobBytes: Int64
        /// Whether the backup holds the admin key the server generated (sealed values open only with it).
        public var includesAdminKey: Bool?
    }

    public enum Failure: Error, CustomStringConvertible, Equatable {
        case notEmbedded
        case targetNotEmpty(String)
        case notABackup(String)
        case newerSchema(backup: Int, build: Int)
        case destinationInUse(String)

        public var description: String {
            switch self {
            case .notEmbedded:
                "craftkit backup copies the embedded topology (SQLite + local files); on PostgreSQL use pg_dump or point-in-time recovery, on S3 bucket versioning (docs/operations.md#backups-and-restore)"
            case .targetNotEmpty(let path): "\(path) is not empty; back up into a new directory"
            case .notABackup(let path): "\(path) holds no Craftkit backup (manifest.json and craftkit.sqlite)"
            case .newerSchema(let backup, let build):
                "the backup has schema version \(backup), newer than this build's \(build); restore it with a newer craftkit"
            case .destinationInUse(let path): "\(path) already exists; stop the server and pass --force to replace it"
            }
        }
    }

    static let format = 1
    static let databaseFile = "craftkit.sqlite"
    static let blobFolder = "blobs"
    static let manifestFile = "manifest.json"
    static let adminKeyFile = "admin-key"

    /// Writes a backup of `database` (SQLite) and the file blob store at `blobDirectory` into `target`,
    /// which must not exist or be empty. `adminKeyFile`: the key the server generated into its data
    /// directory, if it did (without it nothing sealed in the database opens again); kept owner-only.
    @discardableResult
    public static func create(database: Database, blobDirectory: String, adminKeyFile: URL? = nil, into target: URL) async throws -> Manifest {
        guard database.engine == .sqlite else { throw Failure.notEmbedded }
        let files = FileManager.default
        if let existing = try? files.contentsOfDirectory(atPath: target.path), !existing.isEmpty {
            throw Failure.targetNotEmpty(target.path)
        }
        try files.createDirectory(at: target, withIntermediateDirectories: true)
        let schemaVersion = try await Migrations.currentVersion(of: database)
        let databaseCopy = target.appendingPathComponent(databaseFile).path
        try await database.sql.raw("VACUUM INTO \(bind: databaseCopy)").run()
        let (count, bytes) = try copyTree(from: URL(fileURLWithPath: blobDirectory), to: target.appendingPathComponent(blobFolder))
        var includesAdminKey = false
        if let adminKeyFile, let key = files.contents(atPath: adminKeyFile.path) {
            guard
                files.createFile(atPath: target.appendingPathComponent(Self.adminKeyFile).path, contents: key, attributes: [.posixPermissions: 0o600])
            else { throw CocoaError(.fileWriteUnknown) }
            includesAdminKey = true
        }
        let manifest = Manifest(
            format: format, createdAt: ISO8601DateFormatter().string(from: Date()), schemaVersion: schemaVersion, blobCount: count,
            blobBytes: bytes, includesAdminKey: includesAdminKey)
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.prettyPrinted, .sortedKeys]
        try encoder.encode(manifest).write(to: target.appendingPathComponent(manifestFile), options: .atomic)
        return manifest
    }

    /// Reads a backup's manifest, checking it is one this build can restore.
    public static func manifest(of backup: URL) throws -> Manifest {
        let files = FileManager.default
        guard let data = files.contents(atPath: backup.appendingPathComponent(manifestFile).path),
            let manifest = try? JSONDecoder().decode(Manifest.self, from: data), manifest.format == format,
            files.fileExists(atPath: backup.appendingPathComponent(databaseFile).path)
        else { throw Failure.notABackup(backup.path) }
        guard manifest.schemaVersion <= Migrations.latestVersion else {
            throw Failure.newerSchema(backup: manifest.schemaVersion, build: Migrations.latestVersion)
        }
        return manifest
    }

    /// Puts a backup in place: the database file at `databasePath`, the blobs under `blobDirectory`, and
    /// the generated admin key at `adminKeyFile` when the backup holds one. Run it with the server
    /// stopped; without `force` it refuses to replace an existing database. Migrations newer than the
    /// backup run at the next start.
    @discardableResult
    public static func restore(
        from backup: URL, databasePath: String, blobDirectory: String, adminKeyFile: URL? = nil, force: Bool
    ) throws
        -> Manifest
    {
        let manifest = try manifest(of: backup)
        let files = FileManager.default
        let database = URL(fileURLWithPath: databasePath)
        if files.fileExists(atPath: database.path) {
            guard force else { throw Failure.destinationInUse(database.path) }
            for suffix in ["", "-wal", "-shm"] { try? files.removeItem(atPath: database.path + suffix) }
        }
        try files.createDirectory(at: database.deletingLastPathComponent(), withIntermediateDirectories: true)
        // Copied beside the destination, then moved in: a crash mid-copy never leaves half a database.
        let staging = database.deletingLastPathComponent().appendingPathComponent(".restore-\(UUID().uuidString)")
        try files.copyItem(at: backup.appendingPathComponent(databaseFile), to: staging)
        try files.moveItem(at: staging, to: database)
        _ = try copyTree(from: backup.appendingPathComponent(blobFolder), to: URL(fileURLWithPath: blobDirectory), replacing: true)
        if let adminKeyFile, let key = files.contents(atPath: backup.appendingPathComponent(Self.adminKeyFile).path) {
            try? files.removeItem(at: adminKeyFile)
            guard files.createFile(atPath: adminKeyFile.path, contents: key, attributes: [.posixPermissions: 0o600]) else {
                throw CocoaError(.fileWriteUnknown)
            }
        }
        return manifest
    }

    /// Copies every regular file under `source` to the same relative path under `destination`;
    /// returns how many files and bytes. Symbolic links are skipped (a blob store holds none).
    static func copyTree(from source: URL, to destination: URL, replacing: Bool = false) throws -> (Int, Int64) {
        let files = FileManager.default
        try files.createDirectory(at: destination, withIntermediateDirectories: true)
        guard files.fileExists(atPath: source.path),
            let walker = files.enumerator(at: source, includingPropertiesForKeys: [.isRegularFileKey, .fileSizeKey])
        else { return (0, 0) }
        var count = 0
        var bytes: Int64 = 0
        let root = source.standardizedFileURL.path
        for case let file as URL in walker {
            let values = try file.resourceValues(forKeys: [.isRegularFileKey, .fileSizeKey])
            guard values.isRegularFile == true else { continue }
            let relative = String(file.standardizedFileURL.path.dropFirst(root.count)).trimmingCharacters(in: CharacterSet(charactersIn: "/"))
            let target = destination.appendingPathComponent(relative)
            try files.createDirectory(at: target.deletingLastPathComponent(), withIntermediateDirectories: true)
            if replacing, files.fileExists(atPath: target.path) { try files.removeItem(at: target) }
            try files.copyItem(at: file, to: target)
            count += 1
            bytes += Int64(values.fileSize ?? 0)
        }
        return (count, bytes)
    }
}
