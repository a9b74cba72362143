import Core
import Foundation
import Signatures

/// The identity a project's documents are signed with (docs/signatures.md#the-digital-signature): the
/// operator's certificate and key when `CRAFTKIT_SIGNING_CERT`/`CRAFTKIT_SIGNING_KEY` are set, else the
/// project's own self-signed P-256 identity, created at first use and kept in `signing_identities` with
/// its private key sealed (docs/decisions/0001-secrets-at-rest.md).
struct SigningIdentities {
    let services: AppServices

    static func sealContext(projectID: String) -> String { "signing_identity:\(projectID)" }

    func identity(projectID: String) async throws -> SigningIdentity {
        if let certificatePath = services.config.signingCertificatePath, let keyPath = services.config.signingKeyPath {
            return try SigningIdentity(
                certificatePEM: try String(contentsOfFile: certificatePath, encoding: .utf8),
                privateKeyPEM: try String(contentsOfFile: keyPath, encoding: .utf8))
        }
        if let stored = try await load(projectID: projectID) { return stored }
        let profile = try await services.deliveryStore.profile(projectID: projectID)
        let made = try SigningIdentity.generate(projectName: profile?.name ?? "Craftkit project \(projectID.prefix(8))")
        let sealed = try services.secrets.seal(Data(made.privateKeyDER).base64EncodedString(), context: Self.sealContext(projectID: projectID))
        if try await services.signatureStore.insertIdentity(
            projectID: projectID, sealedPrivateKey: sealed, certificateDER: made.certificateDER, now: Date().epochMillis)
        {
            return made
        }
        // Another process created it first: everyone signs with that one.
        guard let winner = try await load(projectID: projectID) else {
            throw AppError(status: 500, code: "internal", message: "The project's signing identity could not be stored.")
        }
        return winner
    }

    func load(projectID: String) async throws -> SigningIdentity? {
        guard let stored = try await services.signatureStore.identity(projectID: projectID) else { return nil }
        let key = try services.secrets.open(stored.sealedPrivateKey, context: Self.sealContext(projectID: projectID))
        guard let keyDER = Data(base64Encoded: key) else {
            throw AppError(status: 500, code: "internal", message: "The project's signing key could not be read.")
        }
        return try SigningIdentity(certificateDER: stored.certificateDER, privateKeyDER: Array(keyDER))
    }
}
