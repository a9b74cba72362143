import ArgumentParser
import Core
import Foundation
import Storage

struct RotateEncryptionKey: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "rotate-encryption-key",
        abstract: "Re-seal every stored secret under a new encryption key.",
        discussion: """
            Reads the new secret from CRAFTKIT_NEW_ENCRYPTION_KEY (kept out of shell history) or --new-key.
            The current key is CRAFTKIT_ENCRYPTION_KEY, else CRAFTKIT_ADMIN_KEY. All rows move in one transaction.
            Afterwards set CRAFTKIT_ENCRYPTION_KEY to the new secret and restart the servers.
            """
    )

    @Option(help: "The new encryption secret (at least 16 characters). Prefer CRAFTKIT_NEW_ENCRYPTION_KEY.")
    var newKey: String?

    func run() async throws {
        let config = Runtime.loadConfig()
        let logger = Runtime.makeLogger(config)
        guard let next = newKey ?? ProcessInfo.processInfo.environment["CRAFTKIT_NEW_ENCRYPTION_KEY"],
            next.count >= ServerConfig.minimumSecretLength
        else {
            throw ValidationError(
                "Give the new secret (≥ \(ServerConfig.minimumSecretLength) characters) in CRAFTKIT_NEW_ENCRYPTION_KEY or --new-key.")
        }
        let (adminKey, _) = try Runtime.adminKey(config)
        let current = SecretBox(secret: config.encryptionKey ?? adminKey, previousSecrets: config.previousEncryptionKeys)
        try await Runtime.withDatabase(config, logger: logger) { database in
            try await Migrations.run(on: database, logger: logger)
            let report = try await SecretRotation.reseal(database: database, from: current, to: SecretBox(secret: next))
            print(
                "Re-sealed \(report.apiKeys) API keys, \(report.signingKeys) signing keys, \(report.webhookSecrets) webhook secrets and \(report.inboundSecrets) inbound-trigger secrets. Now set CRAFTKIT_ENCRYPTION_KEY to the new secret."
            )
        }
    }
}
