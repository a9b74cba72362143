import AdminProvisioning
import Core
import Testing

@Suite("Provisioning service")
struct ProvisioningServiceTests {
    let store = InMemoryProvisioningStore()
    let box = SecretBox(secret: "unit-test-encryption-secret")
    var service: ProvisioningService { ProvisioningService(repository: store, secrets: box) }
    var keys: APIKeyService { APIKeyService(repository: store) }

    @Test("the first call creates the org and later calls return the same key")
    func idempotent() async throws {
        let first = try await service.provision(ProvisionRequest(externalOrgID: "acme", allowedOrigins: ["https://app.acme.com"]))
        let second = try await service.provision(ProvisionRequest(externalOrgID: "acme"))
        #expect(first.created)
        #expect(!second.created)
        #expect(first.apiKey == second.apiKey)
        #expect(first.stack.projectID == second.stack.projectID)
        #expect(second.stack.allowedOrigins == ["https://app.acme.com"])
        let project = try await keys.authenticate(key: first.apiKey)
        #expect(project?.projectID == first.stack.projectID)
    }

    @Test("settings sent with a repeat provision are applied")
    func repeatAppliesSettings() async throws {
        _ = try await service.provision(ProvisionRequest(externalOrgID: "acme"))
        let again = try await service.provision(ProvisionRequest(externalOrgID: "acme", emailFrom: "docs@acme.com"))
        #expect(again.stack.emailFrom == "docs@acme.com")
    }

    @Test("a revoked provisioned key is replaced by a working one")
    func revokedKeyIsReplaced() async throws {
        let first = try await service.provision(ProvisionRequest(externalOrgID: "acme"))
        let project = try #require(try await keys.authenticate(key: first.apiKey))
        _ = try await keys.revoke(id: project.keyID, projectID: project.projectID)
        #expect(try await keys.authenticate(key: first.apiKey) == nil)
        let second = try await service.provision(ProvisionRequest(externalOrgID: "acme"))
        #expect(second.apiKey != first.apiKey)
        #expect(try await keys.authenticate(key: second.apiKey)?.projectID == project.projectID)
        let third = try await service.provision(ProvisionRequest(externalOrgID: "acme"))
        #expect(third.apiKey == second.apiKey)
    }

    @Test("updating an unknown org is 404 org_not_found")
    func updateUnknown() async throws {
        let update = try ProvisionSettingsUpdate(json: .object(["externalOrgId": .string("ghost"), "emailFrom": .string("a@b.co")]))
        await #expect(throws: AppError.notFound("org_not_found", "No provisioned org has externalOrgId \"ghost\".")) {
            try await service.update(update)
        }
    }

    @Test("an explicit null clears the sender")
    func nullClearsSender() async throws {
        _ = try await service.provision(ProvisionRequest(externalOrgID: "acme", emailFrom: "docs@acme.com"))
        let update = try ProvisionSettingsUpdate(json: .object(["externalOrgId": .string("acme"), "emailFrom": .null]))
        #expect(try await service.update(update).emailFrom == nil)
    }
}

@Suite("Provision request validation")
struct ProvisionRequestTests {
    func issues(_ json: JSONValue) -> [String: [String]] {
        do {
            _ = try ProvisionRequest(json: json)
            return [:]
        } catch let error as AppError {
            return error.issues?.fieldErrors ?? ["<form>": error.issues?.formErrors ?? []]
        } catch {
            return ["<other>": ["\(error)"]]
        }
    }

    @Test(
        "externalOrgId must be a string of 1 to 160 characters",
        arguments: [JSONValue.string(""), .string(String(repeating: "x", count: 161)), .number(42), .null, .bool(true)]
    )
    func externalOrgIdRules(value: JSONValue) {
        #expect(issues(.object(["externalOrgId": value]))["externalOrgId"] != nil)
    }

    @Test("a missing externalOrgId is required")
    func missing() {
        #expect(issues(.object([:]))["externalOrgId"] == ["Required"])
    }

    @Test("160 characters and unknown fields are fine")
    func boundaries() throws {
        let request = try ProvisionRequest(json: .object(["externalOrgId": .string(String(repeating: "x", count: 160)), "plan": .string("gold")]))
        #expect(request.externalOrgID.count == 160)
    }

    @Test("origins are normalised and deduplicated; paths and other schemes are refused")
    func origins() throws {
        let request = try ProvisionRequest(
            json: .object([
                "externalOrgId": .string("acme"),
                "allowedOrigins": .array([.string("https://App.Acme.com/"), .string("https://app.acme.com"), .string("http://localhost:3000")]),
            ])
        )
        #expect(request.allowedOrigins == ["https://app.acme.com", "http://localhost:3000"])
        let bad = issues(
            .object(["externalOrgId": .string("a"), "allowedOrigins": .array([.string("https://a.com/path"), .string("ftp://a.com"), .string("*")])])
        )
        #expect(bad.keys.sorted() == ["allowedOrigins[0]", "allowedOrigins[1]", "allowedOrigins[2]"])
    }

    @Test("emailFrom accepts an address with or without a display name", arguments: ["docs@acme.com", "Acme Docs <docs@acme.com>"])
    func senders(value: String) throws {
        #expect(try ProvisionRequest(json: .object(["externalOrgId": .string("a"), "emailFrom": .string(value)])).emailFrom == value)
    }

    @Test("emailFrom refuses what is not an address", arguments: ["acme", "a@b", "Acme <>", "a b@c.com"])
    func badSenders(value: String) {
        #expect(issues(.object(["externalOrgId": .string("a"), "emailFrom": .string(value)]))["emailFrom"] != nil)
    }
}
