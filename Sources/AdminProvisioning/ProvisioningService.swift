import Core

/// What provisioning returns: the plaintext key (the same on every call) and the org's settings.
public struct ProvisionResult: Sendable, Equatable {
    public var apiKey: String
    public var created: Bool
    public var stack: ProvisionedStack
}

/// Idempotent org provisioning (docs/decisions/0002-admin-provisioning.md). The first call for an
/// external org id creates the org, its project, an API key (hash for lookup, sealed copy for
/// re-display), the embed partner and its Ed25519 signing key (sealed); later calls unseal and return
/// the same key.
public struct ProvisioningService: Sendable {
    let repository: any ProvisioningRepository
    let secrets: SecretBox
    let clock: any WallClock

    public init(repository: any ProvisioningRepository, secrets: SecretBox, clock: any WallClock = SystemClock()) {
        self.repository = repository
        self.secrets = secrets
        self.clock = clock
    }

    public func provision(_ request: ProvisionRequest) async throws -> ProvisionResult {
        let plan = try makePlan(for: request)
        var (stack, created) = try await repository.createIfAbsent(plan)
        if created {
            return ProvisionResult(apiKey: try revealKey(of: stack), created: true, stack: stack)
        }
        // An existing org: settings given in the body are applied, so a partner can call this on
        // every request with its current settings (the reference's "safe to call every time").
        if request.emailFrom != nil || request.allowedOrigins != nil || request.appearance != nil {
            stack =
                try await repository.updateSettings(
                    externalOrgID: request.externalOrgID,
                    emailFrom: request.emailFrom.map { .some($0) },
                    allowedOrigins: request.allowedOrigins,
                    appearance: request.appearance.map { .some($0) },
                    now: clock.now().epochMillis
                ) ?? stack
        }
        return ProvisionResult(apiKey: try await currentKey(of: stack), created: false, stack: stack)
    }

    public func update(_ update: ProvisionSettingsUpdate) async throws -> ProvisionedStack {
        guard
            let stack = try await repository.updateSettings(
                externalOrgID: update.externalOrgID, emailFrom: update.emailFrom,
                allowedOrigins: update.allowedOrigins, appearance: update.appearance, now: clock.now().epochMillis
            )
        else {
            throw AppError.notFound("org_not_found", "No provisioned org has externalOrgId \"\(update.externalOrgID)\".")
        }
        return stack
    }

    /// The provisioned key in plaintext. If a partner revoked it through `/v1/keys`, provisioning mints a
    /// replacement (once, even under concurrency) rather than hand out a key that no longer works.
    func currentKey(of stack: ProvisionedStack) async throws -> String {
        var stack = stack
        for _ in 0..<3 {
            if let key = stack.provisionedKey, !key.revoked { return try revealKey(of: stack) }
            let (replacement, _) = try NewAPIKey.make(
                projectID: stack.projectID, name: "Provisioned key", environment: .live,
                now: clock.now().epochMillis, sealWith: secrets
            )
            let won = try await repository.replaceProvisionedKey(
                projectID: stack.projectID, expected: stack.provisionedKey?.id ?? "", with: replacement
            )
            guard let reread = try await repository.find(externalOrgID: stack.externalOrgID) else { break }
            stack = reread
            if won { return try revealKey(of: stack) }
        }
        throw AppError(status: 500, code: "internal_error", message: "The provisioned key could not be restored.")
    }

    func revealKey(of stack: ProvisionedStack) throws -> String {
        guard let key = stack.provisionedKey else {
            throw AppError(status: 500, code: "internal_error", message: "The provisioned key is missing.")
        }
        return try secrets.open(key.sealedKey, context: NewAPIKey.sealContext(id: key.id))
    }

    func makePlan(for request: ProvisionRequest) throws -> ProvisionPlan {
        let now = clock.now().epochMillis
        let projectID = Identifier.make()
        let partnerID = Identifier.make()
        let (apiKey, _) = try NewAPIKey.make(
            projectID: projectID, name: "Provisioned key", environment: .live, now: now, sealWith: secrets
        )
        let material = SigningKeyMaterial.generate()
        let signingKeyRowID = Identifier.make()
        let signingKey = NewSigningKey(
            id: signingKeyRowID, partnerID: partnerID, keyID: material.keyID, publicKey: material.publicKey,
            sealedPrivateKey: try secrets.seal(material.privateKey, context: NewSigningKey.sealContext(id: signingKeyRowID))
        )
        let stack = ProvisionedStack(
            orgID: Identifier.make(), externalOrgID: request.externalOrgID, name: request.name ?? request.externalOrgID,
            projectID: projectID, partnerID: partnerID, allowedOrigins: request.allowedOrigins ?? [],
            emailFrom: request.emailFrom, signingKeyID: material.keyID,
            provisionedKey: .init(id: apiKey.record.id, sealedKey: apiKey.sealedKey!, revoked: false), appearance: request.appearance
        )
        return ProvisionPlan(stack: stack, apiKey: apiKey, signingKey: signingKey, createdAt: now)
    }
}
