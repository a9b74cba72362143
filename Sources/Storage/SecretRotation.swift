import AdminProvisioning
import Core
import Renders
import SQLKit
import Webhooks

/// Re-seals every secret stored sealed (provisioned API keys, partner signing keys, webhook secrets) under a new
/// encryption key, in one transaction: either every row moves to the new key or none does.
/// After it succeeds the operator sets `CRAFTKIT_ENCRYPTION_KEY` to the new secret.
public enum SecretRotation {
    public struct Report: Sendable, Equatable {
        public var apiKeys = 0
        public var signingKeys = 0
        public var webhookSecrets = 0
        public var inboundSecrets = 0

        public init(apiKeys: Int = 0, signingKeys: Int = 0, webhookSecrets: Int = 0, inboundSecrets: Int = 0) {
            self.apiKeys = apiKeys
            self.signingKeys = signingKeys
            self.webhookSecrets = webhookSecrets
            self.inboundSecrets = inboundSecrets
        }
    }

    /// - Parameters:
    ///   - current: a box that can open what is stored now (current key plus any previous ones).
    ///   - next: the box to seal with.
    public static func reseal(database: Database, from current: SecretBox, to next: SecretBox) async throws -> Report {
        try await database.transaction { db in
            var report = Report()
            for row in try await db.raw("SELECT id, sealed_key FROM api_keys WHERE sealed_key IS NOT NULL").all() {
                let id = try row.decode(column: "id", as: String.self)
                let context = NewAPIKey.sealContext(id: id)
                let plaintext = try current.open(try row.decode(column: "sealed_key", as: String.self), context: context)
                let resealed = try next.seal(plaintext, context: context)
                try await db.raw("UPDATE api_keys SET sealed_key = \(bind: resealed) WHERE id = \(bind: id)").run()
                report.apiKeys += 1
            }
            for row in try await db.raw("SELECT id, sealed_private_key FROM signing_keys").all() {
                let id = try row.decode(column: "id", as: String.self)
                let context = NewSigningKey.sealContext(id: id)
                let plaintext = try current.open(try row.decode(column: "sealed_private_key", as: String.self), context: context)
                let resealed = try next.seal(plaintext, context: context)
                try await db.raw("UPDATE signing_keys SET sealed_private_key = \(bind: resealed) WHERE id = \(bind: id)").run()
                report.signingKeys += 1
            }
            for row in try await db.raw("SELECT id, sealed_secret, sealed_previous_secret FROM webhook_endpoints").all() {
                let id = try row.decode(column: "id", as: String.self)
                let context = WebhookEndpoint.sealContext(id: id)
                let secret = try next.seal(
                    try current.open(try row.decode(column: "sealed_secret", as: String.self), context: context), context: context)
                let previous = try row.decode(column: "sealed_previous_secret", as: String?.self).map {
                    try next.seal(try current.open($0, context: context), context: context)
                }
                try await db.raw(
                    "UPDATE webhook_endpoints SET sealed_secret = \(bind: secret), sealed_previous_secret = \(bind: previous) WHERE id = \(bind: id)"
                ).run()
                report.webhookSecrets += 1
            }
            for row in try await db.raw("SELECT id, sealed_secret FROM inbound_triggers").all() {
                let id = try row.decode(column: "id", as: String.self)
                let context = InboundTrigger.sealContext(id: id)
                let resealed = try next.seal(
                    try current.open(try row.decode(column: "sealed_secret", as: String.self), context: context), context: context)
                try await db.raw("UPDATE inbound_triggers SET sealed_secret = \(bind: resealed) WHERE id = \(bind: id)").run()
                report.inboundSecrets += 1
            }
            return report
        }
    }
}
