import Core
import Testing

@Suite("Server configuration")
struct ServerConfigTests {
    @Test("with no variables set it runs embedded: SQLite and blobs under ./data")
    func defaults() throws {
        let config = try ServerConfig(environment: [:], processorCount: 2)
        #expect(config.host == "127.0.0.1")
        #expect(config.port == 8080)
        #expect(config.publicURL == "http://127.0.0.1:8080")
        #expect(config.database == .sqlite(path: "./data/craftkit.sqlite"))
        #expect(config.blobDirectory == "./data/blobs")
        #expect(config.workers == 2)
        #expect(config.renderLeaseMillis == 30_000)
        #expect(config.maxBodyBytes == 10 * 1024 * 1024)
        #expect(config.adminKey == nil)
        #expect(config.version == "local")
    }

    @Test("every variable is read")
    func readsEverything() throws {
        let config = try ServerConfig(environment: [
            "CRAFTKIT_HOST": "0.0.0.0", "CRAFTKIT_PORT": "9000", "CRAFTKIT_PUBLIC_URL": "https://docs.example.com/",
            "CRAFTKIT_DATA_DIR": "/srv/ck", "CRAFTKIT_DATABASE_URL": "postgres://ck:pw@db:5432/ck",
            "CRAFTKIT_STORAGE_URL": "file:///srv/blobs", "CRAFTKIT_ADMIN_KEY": "admin-key-0123456789",
            "CRAFTKIT_ENCRYPTION_KEY": "encryption-key-0123456789",
            "CRAFTKIT_PREVIOUS_ENCRYPTION_KEYS": "old-key-0123456789abc, older-0123456789abcd",
            "CRAFTKIT_LOG_LEVEL": "DEBUG", "CRAFTKIT_WORKERS": "3", "CRAFTKIT_MAX_BODY_BYTES": "2m", "CRAFTKIT_VERSION": "abc1234",
            "CRAFTKIT_RENDER_LEASE_MS": "8000", "CRAFTKIT_WEBHOOK_LEASE_MS": "45000",
        ])
        #expect(config.host == "0.0.0.0")
        #expect(config.port == 9000)
        #expect(config.publicURL == "https://docs.example.com")
        #expect(config.database == .postgres(url: "postgres://ck:pw@db:5432/ck"))
        #expect(config.blobDirectory == "/srv/blobs")
        #expect(config.sealingSecret == "encryption-key-0123456789")
        #expect(config.previousEncryptionKeys == ["old-key-0123456789abc", "older-0123456789abcd"])
        #expect(config.logLevel == "debug")
        #expect(config.workers == 3)
        #expect(config.renderLeaseMillis == 8_000)
        #expect(config.webhookLeaseMillis == 45_000)
        #expect(config.maxBodyBytes == 2 * 1024 * 1024)
        #expect(config.version == "abc1234")
    }

    @Test(
        "a bad value stops start-up with an error naming its variable",
        arguments: [
            ("CRAFTKIT_PORT", "eighty"), ("CRAFTKIT_PORT", "70000"), ("CRAFTKIT_PUBLIC_URL", "docs.example.com"),
            ("CRAFTKIT_DATABASE_URL", "mysql://x"), ("CRAFTKIT_DATABASE_URL", "postgres://db/ck"), ("CRAFTKIT_STORAGE_URL", "gs://bucket"),
            ("CRAFTKIT_ADMIN_KEY", "short"), ("CRAFTKIT_ENCRYPTION_KEY", "short"), ("CRAFTKIT_LOG_LEVEL", "loud"),
            ("CRAFTKIT_WORKERS", "-1"), ("CRAFTKIT_MAX_BODY_BYTES", "lots"), ("CRAFTKIT_MAX_BODY_BYTES", "0"),
            ("CRAFTKIT_RENDER_LEASE_MS", "500"), ("CRAFTKIT_WEBHOOK_LEASE_MS", "10000"),
        ]
    )
    func badValues(variable: String, value: String) {
        do {
            _ = try ServerConfig(environment: [variable: value])
            Issue.record("\(variable)=\(value) was accepted")
        } catch let invalid as ServerConfig.Invalid {
            #expect(invalid.variable == variable)
            #expect(invalid.description.hasPrefix(variable + ": "))
        } catch {
            Issue.record("unexpected error \(error)")
        }
    }

    @Test("the admin key seals secrets when no encryption key is set")
    func sealingFallsBackToAdminKey() throws {
        let config = try ServerConfig(environment: ["CRAFTKIT_ADMIN_KEY": "admin-key-0123456789"])
        #expect(config.sealingSecret == "admin-key-0123456789")
    }
}
