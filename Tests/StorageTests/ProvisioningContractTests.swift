import AdminProvisioning
import Core
import Foundation
import SQLKit
import Storage
import TestSupport
import Testing

/// The storage contract of provisioning and API keys, run on every database leg (SQLite and the
/// throwaway PostgreSQL that `make test` starts).
@Suite("Provisioning storage contract")
struct ProvisioningContractTests {
    let box = SecretBox(secret: "contract-test-encryption-secret")

    func service(_ database: Database) -> ProvisioningService {
        ProvisioningService(repository: SQLProvisioningRepository(database: database), secrets: box)
    }

    @Test("a first provision writes every row and a second one finds them", arguments: DatabaseLeg.all)
    func createsOnce(leg: DatabaseLeg) async throws {
        try await leg.withDatabase { database, _ async throws in
            let first = try await service(database).provision(ProvisionRequest(externalOrgID: "acme", allowedOrigins: ["https://a.example"]))
            let second = try await service(database).provision(ProvisionRequest(externalOrgID: "acme"))
            #expect(first.created && !second.created)
            #expect(first.apiKey == second.apiKey)
            #expect(second.stack == first.stack)
            #expect(try await count("orgs", database) == 1)
            #expect(try await count("projects", database) == 1)
            #expect(try await count("api_keys", database) == 1)
            #expect(try await count("embed_partners", database) == 1)
            #expect(try await count("signing_keys", database) == 1)
        }
    }

    @Test("fifty concurrent provisions of one org create one org and return one key", arguments: DatabaseLeg.all)
    func concurrentProvisions(leg: DatabaseLeg) async throws {
        try await leg.withDatabase { database, _ async throws in
            let service = service(database)
            let results = try await withThrowingTaskGroup(of: ProvisionResult.self) { group in
                for _ in 0..<50 { group.addTask { try await service.provision(ProvisionRequest(externalOrgID: "race")) } }
                return try await group.reduce(into: []) { $0.append($1) }
            }
            #expect(Set(results.map(\.apiKey)).count == 1)
            #expect(results.filter(\.created).count == 1)
            #expect(try await count("orgs", database) == 1)
            #expect(try await count("api_keys", database) == 1)
            #expect(try await count("signing_keys", database) == 1)
        }
    }

    @Test("quotes and SQL-looking strings are stored verbatim", arguments: DatabaseLeg.all)
    func storesVerbatim(leg: DatabaseLeg) async throws {
        try await leg.withDatabase { database, _ async throws in
            let id = "Robert'); DROP TABLE orgs; -- \"quoted\" 😀"
            let result = try await service(database).provision(ProvisionRequest(externalOrgID: id, name: "O'Brien \\ Sons"))
            let found = try await SQLProvisioningRepository(database: database).find(externalOrgID: id)
            #expect(found?.externalOrgID == id)
            #expect(found?.name == "O'Brien \\ Sons")
            #expect(result.stack.externalOrgID == id)
            #expect(try await count("orgs", database) == 1)
        }
    }

    @Test("settings updates change only what is given; unknown orgs return nil", arguments: DatabaseLeg.all)
    func updates(leg: DatabaseLeg) async throws {
        try await leg.withDatabase { database, _ async throws in
            let repository = SQLProvisioningRepository(database: database)
            _ = try await service(database).provision(
                ProvisionRequest(externalOrgID: "acme", emailFrom: "a@acme.com", allowedOrigins: ["https://a.example"]))
            let origins = try await repository.updateSettings(
                externalOrgID: "acme", emailFrom: nil, allowedOrigins: ["https://b.example"], appearance: nil, now: 1)
            #expect(origins?.allowedOrigins == ["https://b.example"])
            #expect(origins?.emailFrom == "a@acme.com")
            let cleared = try await repository.updateSettings(
                externalOrgID: "acme", emailFrom: .some(nil), allowedOrigins: nil, appearance: nil, now: 2)
            #expect(cleared?.emailFrom == nil)
            #expect(cleared?.allowedOrigins == ["https://b.example"])
            #expect(try await repository.updateSettings(externalOrgID: "ghost", emailFrom: nil, allowedOrigins: [], appearance: nil, now: 3) == nil)
        }
    }

    @Test("replacing the provisioned key succeeds once for one expected key", arguments: DatabaseLeg.all)
    func conditionalReplace(leg: DatabaseLeg) async throws {
        try await leg.withDatabase { database, _ async throws in
            let repository = SQLProvisioningRepository(database: database)
            let result = try await service(database).provision(ProvisionRequest(externalOrgID: "acme"))
            let oldID = try #require(result.stack.provisionedKey?.id)
            let (first, _) = try NewAPIKey.make(projectID: result.stack.projectID, name: "p", environment: .live, now: 5, sealWith: box)
            let (second, _) = try NewAPIKey.make(projectID: result.stack.projectID, name: "p", environment: .live, now: 5, sealWith: box)
            #expect(try await repository.replaceProvisionedKey(projectID: result.stack.projectID, expected: oldID, with: first))
            #expect(try await !repository.replaceProvisionedKey(projectID: result.stack.projectID, expected: oldID, with: second))
            #expect(try await repository.find(externalOrgID: "acme")?.provisionedKey?.id == first.record.id)
            #expect(try await count("api_keys", database) == 2)
        }
    }

    @Test("API keys are listed newest first, scoped to their project, and revocation is immediate", arguments: DatabaseLeg.all)
    func apiKeys(leg: DatabaseLeg) async throws {
        try await leg.withDatabase { database, _ async throws in
            let keys = SQLAPIKeyRepository(database: database)
            let a = try await service(database).provision(ProvisionRequest(externalOrgID: "a"))
            let b = try await service(database).provision(ProvisionRequest(externalOrgID: "b"))
            let (extra, plaintext) = try NewAPIKey.make(projectID: a.stack.projectID, name: "ci", environment: .test, now: Date().epochMillis + 10)
            try await keys.insert(extra)
            let listed = try await keys.list(projectID: a.stack.projectID)
            #expect(listed.map(\.id) == [extra.record.id, a.stack.provisionedKey!.id])
            #expect(listed.first?.environment == .test)
            #expect(listed.first?.provisioned == false && listed.last?.provisioned == true)
            #expect(try await keys.findActive(hash: APIKeyMaterial.hash(plaintext))?.projectID == a.stack.projectID)
            #expect(try await keys.revoke(id: extra.record.id, projectID: b.stack.projectID, now: 1) == nil)
            let revoked = try await keys.revoke(id: extra.record.id, projectID: a.stack.projectID, now: 42)
            #expect(revoked?.revokedAt == 42)
            #expect(try await keys.revoke(id: extra.record.id, projectID: a.stack.projectID, now: 99)?.revokedAt == 42)
            #expect(try await keys.findActive(hash: APIKeyMaterial.hash(plaintext)) == nil)
        }
    }

    @Test("a failing transaction leaves no row behind", arguments: DatabaseLeg.all)
    func rollback(leg: DatabaseLeg) async throws {
        struct Boom: Error {}
        try await leg.withDatabase { database, _ async throws in
            await #expect(throws: Boom.self) {
                try await database.transaction { db in
                    try await db.raw("INSERT INTO orgs (id, external_org_id, name, created_at, updated_at) VALUES ('x', 'x', 'x', 1, 1)").run()
                    throw Boom()
                }
            }
            #expect(try await count("orgs", database) == 0)
        }
    }

    @Test("no plaintext API key or private signing key is stored", arguments: DatabaseLeg.all)
    func nothingInPlaintext(leg: DatabaseLeg) async throws {
        try await leg.withDatabase { database, location async throws in
            let result = try await service(database).provision(ProvisionRequest(externalOrgID: "acme"))
            let row = try #require(try await database.sql.raw("SELECT id, sealed_private_key FROM signing_keys").first())
            let privateKey = try box.open(
                try row.decode(column: "sealed_private_key", as: String.self),
                context: NewSigningKey.sealContext(id: try row.decode(column: "id", as: String.self))
            )
            var stored = ""
            for table in ["orgs", "projects", "api_keys", "embed_partners", "signing_keys"] {
                for row in try await database.sql.raw("SELECT * FROM \(unsafeRaw: table)").all() {
                    for column in row.allColumns { stored += (try? row.decode(column: column, as: String.self)) ?? "" }
                }
            }
            #expect(!stored.isEmpty)
            #expect(!stored.contains(result.apiKey))
            #expect(!stored.contains(privateKey))
            if case .sqlite(let path) = location {
                // The rows are read from the files themselves, WAL included, while the database is open: once
                // it closes SQLite checkpoints the WAL into the main file and deletes it. Each read must
                // show the sealed key (a stored value), or it read no data pages and proves nothing.
                let sealed = Data(try row.decode(column: "sealed_private_key", as: String.self).utf8)
                func read(_ file: String) throws -> Data {
                    let bytes = try Data(contentsOf: URL(fileURLWithPath: file))
                    #expect(bytes.range(of: Data(result.apiKey.utf8)) == nil, "\(file)")
                    #expect(bytes.range(of: Data(privateKey.utf8)) == nil, "\(file)")
                    return bytes
                }
                let wal = try read(path + "-wal")
                #expect(wal.range(of: sealed) != nil, "the WAL holds the provisioned rows")
                _ = try read(path)
                try await database.shutdown()
                #expect(try read(path).range(of: sealed) != nil, "the checkpointed main file holds the provisioned rows")
            }
        }
    }

    @Test("rotation re-seals every secret under the new key", arguments: DatabaseLeg.all)
    func rotation(leg: DatabaseLeg) async throws {
        try await leg.withDatabase { database, _ async throws in
            let result = try await service(database).provision(ProvisionRequest(externalOrgID: "acme"))
            let next = SecretBox(secret: "the-next-encryption-secret")
            let report = try await SecretRotation.reseal(database: database, from: box, to: next)
            #expect(report == .init(apiKeys: 1, signingKeys: 1))
            let rotated = ProvisioningService(repository: SQLProvisioningRepository(database: database), secrets: next)
            #expect(try await rotated.provision(ProvisionRequest(externalOrgID: "acme")).apiKey == result.apiKey)
            await #expect(throws: SecretBox.Failure.self) { try await service(database).provision(ProvisionRequest(externalOrgID: "acme")) }
        }
    }

    @Test("migrations are recorded and running them again applies nothing", arguments: DatabaseLeg.all)
    func migrationsAreIdempotent(leg: DatabaseLeg) async throws {
        try await leg.withDatabase { database, _ async throws in
            #expect(try await Migrations.currentVersion(of: database) == Migrations.latestVersion)
            #expect(try await Migrations.run(on: database, logger: .init(label: "test")).isEmpty)
        }
    }

    func count(_ table: String, _ database: Database) async throws -> Int {
        let row = try await database.sql.raw("SELECT COUNT(*) AS n FROM \(unsafeRaw: table)").first()
        return Int(try row?.decode(column: "n", as: Int64.self) ?? -1)
    }
}
