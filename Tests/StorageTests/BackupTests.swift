import Core
import Foundation
import Logging
import SQLKit
import Storage
import TestSupport
import Testing

@Suite("Backup and restore")
struct BackupTests {
    let logger = Logger(label: "craftkit.test.backup")

    func temporary(_ name: String) -> URL {
        FileManager.default.temporaryDirectory.appendingPathComponent("craftkit-\(name)-\(UUID().uuidString)")
    }

    func insertJob(_ db: any SQLDatabase, _ id: String) async throws {
        try await db.raw(
            "INSERT INTO jobs (id, kind, subject_id, tenant, status, attempts, run_at, created_at) VALUES (\(bind: id), 'test', 's', 't', 'done', 0, 0, 0)"
        ).run()
    }

    func count(_ database: Database) async throws -> Int {
        Int(try await database.sql.raw("SELECT COUNT(*) AS n FROM jobs").first()?.decode(column: "n", as: Int64.self) ?? -1)
    }

    @Test("a backup taken while writes go on restores to a sound database with every row committed before it and every blob")
    func backupWhileWriting() async throws {
        let blobs = temporary("blobs")
        let backup = temporary("backup")
        let restored = temporary("restored")
        defer { for url in [blobs, backup, restored] { try? FileManager.default.removeItem(at: url) } }
        try await DatabaseLeg.sqlite.withDatabase { database, _ async throws in
            let store = try FileBlobStore(directory: blobs.path)
            for index in 0..<20 {
                try await database.transaction { db in try await insertJob(db, "before-\(index)") }
                try await store.put(Data("pdf \(index)".utf8), key: "renders/p/\(index).pdf")
            }
            // Writers keep committing while the backup runs.
            let manifest = try await withThrowingTaskGroup(of: Backup.Manifest?.self) { group in
                group.addTask {
                    for index in 0..<200 { try await database.transaction { db in try await insertJob(db, "during-\(index)") } }
                    return nil
                }
                group.addTask { try await Backup.create(database: database, blobDirectory: blobs.path, into: backup) }
                var manifest: Backup.Manifest?
                for try await result in group { manifest = manifest ?? result }
                return try #require(manifest)
            }
            #expect(manifest.schemaVersion == Migrations.latestVersion)
            #expect(manifest.blobCount == 20)
            #expect(manifest.includesAdminKey == false)

            let databasePath = restored.appendingPathComponent("craftkit.sqlite").path
            let blobTarget = restored.appendingPathComponent("blobs").path
            try Backup.restore(from: backup, databasePath: databasePath, blobDirectory: blobTarget, force: false)
            let copy = try Database.openSQLite(path: databasePath, logger: logger)
            let integrity = try await copy.sql.raw("PRAGMA integrity_check").first()?.decode(column: "integrity_check", as: String.self)
            #expect(integrity == "ok")
            let rows = try await count(copy)
            #expect(rows >= 20 && rows <= 220, "\(rows)")
            // A snapshot: what it holds of the concurrent writes is a prefix of them, no gaps.
            let during = try await copy.sql.raw("SELECT id FROM jobs WHERE id LIKE 'during-%'").all().map {
                Int(try $0.decode(column: "id", as: String.self).dropFirst("during-".count))!
            }
            #expect(Set(during) == Set(0..<during.count))
            try await copy.shutdown()
            let restoredStore = try FileBlobStore(directory: blobTarget)
            for index in 0..<20 {
                #expect(try await restoredStore.get(key: "renders/p/\(index).pdf") == Data("pdf \(index)".utf8))
            }
        }
    }

    @Test("backup refuses a non-empty target; restore refuses to replace a database without force and a backup from a newer schema")
    func refusals() async throws {
        let blobs = temporary("blobs")
        let backup = temporary("backup")
        let restored = temporary("restored")
        defer { for url in [blobs, backup, restored] { try? FileManager.default.removeItem(at: url) } }
        try await DatabaseLeg.sqlite.withDatabase { database, _ async throws in
            let keyFile = temporary("admin-key")
            defer { try? FileManager.default.removeItem(at: keyFile) }
            try Data("cka_generated-admin-key-0123456789\n".utf8).write(to: keyFile)
            #expect(
                try await Backup.create(database: database, blobDirectory: blobs.path, adminKeyFile: keyFile, into: backup).includesAdminKey == true)
            let copied = try FileManager.default.attributesOfItem(atPath: backup.appendingPathComponent("admin-key").path)
            #expect((copied[.posixPermissions] as? NSNumber)?.intValue == 0o600)
            await #expect(throws: Backup.Failure.targetNotEmpty(backup.path)) {
                try await Backup.create(database: database, blobDirectory: blobs.path, into: backup)
            }
        }
        let databasePath = restored.appendingPathComponent("craftkit.sqlite").path
        let restoredKey = restored.appendingPathComponent("admin-key")
        try Backup.restore(
            from: backup, databasePath: databasePath, blobDirectory: restored.appendingPathComponent("blobs").path, adminKeyFile: restoredKey,
            force: false)
        #expect(try String(contentsOf: restoredKey, encoding: .utf8) == "cka_generated-admin-key-0123456789\n")
        #expect(throws: Backup.Failure.destinationInUse(databasePath)) {
            try Backup.restore(from: backup, databasePath: databasePath, blobDirectory: restored.path + "/blobs", force: false)
        }
        try Backup.restore(from: backup, databasePath: databasePath, blobDirectory: restored.path + "/blobs", force: true)
        // A manifest from a newer build.
        let manifestURL = backup.appendingPathComponent("manifest.json")
        var manifest = try JSONDecoder().decode(Backup.Manifest.self, from: Data(contentsOf: manifestURL))
        manifest.schemaVersion = Migrations.latestVersion + 1
        try JSONEncoder().encode(manifest).write(to: manifestURL)
        #expect(throws: Backup.Failure.newerSchema(backup: Migrations.latestVersion + 1, build: Migrations.latestVersion)) {
            try Backup.restore(from: backup, databasePath: databasePath, blobDirectory: restored.path + "/blobs", force: true)
        }
        #expect(throws: Backup.Failure.notABackup(blobs.path)) { try Backup.manifest(of: blobs) }
    }

    @Test("on PostgreSQL the backup command points to the engine's own tools")
    func postgresRefused() async throws {
        try await DatabaseLeg.postgres.withDatabase { database, _ async throws in
            await #expect(throws: Backup.Failure.notEmbedded) {
                try await Backup.create(database: database, blobDirectory: "/nonexistent", into: temporary("never"))
            }
        }
    }
}
