import Core
import Foundation
import Signatures

/// The completion certificate of a sealed request, drawn by `CompletionCertificate` (Signatures) from the
/// request's facts and audit trail.
struct SignatureCertificate {
    let services: AppServices

    func render(_ detail: SignatureRequestDetail, documentName: String, sha256After: String, completedAt: Date) async throws -> [UInt8] {
        // Wired to `CompletionCertificate` when it lands; until then a seal cannot finish.
        throw AppError(status: 503, code: "certificate_unavailable", message: "The completion certificate renderer is not available yet.")
    }
}
