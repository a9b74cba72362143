import Core
import Foundation
import Signatures

/// The completion certificate of a sealed request: the request's facts and every recipient's events
/// from the audit trail (invited, viewed, consented and signed, or declined; time, hashed IP, user
/// agent) with their signature image, drawn by `CompletionCertificate` with our own engine.
struct SignatureCertificate {
    let services: AppServices

    func render(_ detail: SignatureRequestDetail, documentName: String, sha256After: String, completedAt: Date) async throws -> [UInt8] {
        let events = try await services.signatures.events(requestID: detail.request.id)
        let profile = try await services.deliveryStore.profile(projectID: detail.request.projectID)
        let facts = CertificateFacts(
            requestID: detail.request.id, requestName: detail.request.name, documentName: documentName,
            projectName: profile?.name ?? detail.request.projectID, createdAt: Date(epochMillis: detail.request.createdAt), completedAt: completedAt,
            sha256Before: detail.request.sha256Before, sha256After: sha256After,
            recipients: detail.recipients.map { recipient in
                CertificateFacts.Recipient(
                    name: recipient.fullName, email: recipient.email, designation: recipient.designation,
                    events: events.filter { $0.recipientIndex == recipient.index }.flatMap(Self.certificateEvents),
                    signatureImage: detail.fields.first { $0.recipientIndex == recipient.index && $0.type == .signature && $0.image != nil }?.image)
            })
        return try await CompletionCertificate.render(facts, engine: services.engine)
    }

    /// A recipient's audit event as the certificate lists it; a signature is preceded by its consent.
    static func certificateEvents(_ event: AuditEvent) -> [CertificateFacts.Event] {
        let at = Date(epochMillis: event.at)
        let make = { (kind: CertificateFacts.Event.Kind) in
            CertificateFacts.Event(kind: kind, at: at, ipHash: event.ipHash, userAgent: event.userAgent)
        }
        switch event.type {
        case .invited: return [make(.invited)]
        case .viewed: return [make(.viewed)]
        case .signed: return [make(.consented), make(.signed)]
        case .declined: return [make(.declined)]
        default: return []
        }
    }
}
