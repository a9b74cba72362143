import ArgumentParser
import Foundation
import Hummingbird
import PartnerAPI

struct Serve: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Run the HTTP API (migrations run first). SIGTERM or Ctrl-C drains in-flight requests and exits 0."
    )

    func run() async throws {
        let config = Runtime.loadConfig()
        let logger = Runtime.makeLogger(config)
        let (adminKey, generatedFile) = try Runtime.adminKey(config)
        let services = try await AppServices.start(config: config, adminKey: adminKey, logger: logger)
        let app = buildApplication(services: services)

        let keyHint =
            generatedFile.map { "the admin key is in \($0) (set CRAFTKIT_ADMIN_KEY to choose your own)" }
            ?? "the admin key is CRAFTKIT_ADMIN_KEY"
        let adminHeader = generatedFile.map { "\"Authorization: Bearer $(cat \($0))\"" } ?? "\"Authorization: Bearer $CRAFTKIT_ADMIN_KEY\""
        Runtime.say(
            """
            Craftkit Server \(BuildInfo.version) listening on \(config.publicURL)
              console:   \(config.publicURL)/console (sign in with the admin key, provision an org, then use its API key)
              health:    curl \(config.publicURL)/v1/health
              provision: curl -X POST \(config.publicURL)/v1/admin/provision -H \(adminHeader) \\
                           -H 'Content-Type: application/json' -d '{"externalOrgId":"acme"}'
              \(keyHint)
            """
        )
        do {
            try await app.runService()
        } catch {
            try? await services.shutdown()
            throw error
        }
        try await services.shutdown()
    }
}
