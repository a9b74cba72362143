import AdminProvisioning
import ArgumentParser
import Core
import Foundation
import PartnerAPI

struct Provision: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Provision a partner org (idempotent, like POST /v1/admin/provision) and print its API key as JSON."
    )

    @Option(name: .customLong("org"), help: "The partner's own id for the org (1–160 characters).")
    var externalOrgID: String

    @Option(help: "Display name (defaults to the org id).")
    var name: String?

    @Option(help: "Sender for emails sent on the org's behalf, e.g. \"Acme <docs@acme.com>\".")
    var emailFrom: String?

    @Option(name: .customLong("origin"), help: "An origin allowed to embed the builder and form pages; repeatable.")
    var origins: [String] = []

    func run() async throws {
        let config = Runtime.loadConfig()
        let logger = Runtime.makeLogger(config)
        try await Runtime.withServices(config, logger: logger) { services in
            var body: [String: JSONValue] = ["externalOrgId": .string(externalOrgID)]
            if let name { body["name"] = .string(name) }
            if let emailFrom { body["emailFrom"] = .string(emailFrom) }
            if !origins.isEmpty { body["allowedOrigins"] = .array(origins.map(JSONValue.string)) }
            let result: ProvisionResult
            do {
                result = try await services.provisioning.provision(try ProvisionRequest(json: .object(body)))
            } catch let error as AppError {
                throw ValidationError(error.message)
            }
            let output: [String: JSONValue] = [
                "apiKey": .string(result.apiKey), "created": .bool(result.created), "projectId": .string(result.stack.projectID),
                "externalOrgId": .string(result.stack.externalOrgID), "partnerId": .string(result.stack.partnerID),
                "allowedOrigins": .array(result.stack.allowedOrigins.map(JSONValue.string)),
            ]
            let encoder = JSONEncoder()
            encoder.outputFormatting = [.prettyPrinted, .sortedKeys, .withoutEscapingSlashes]
            print(String(decoding: try encoder.encode(JSONValue.object(output)), as: UTF8.self))
        }
    }
}
