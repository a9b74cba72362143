import Core
import Foundation
import Signatures

/// Seals a request every recipient signed (docs/signatures.md#the-signing-flow): the render's PDF with every
/// filled field stamped at its placement, signed (PAdES-B-B) with the project's identity; then the
/// completion certificate, signed the same way. Both are stored under the request; the caller records
/// them. Deterministic inputs only: run again after a crash, it writes the same keys.
struct SignatureSealing {
    let services: AppServices

    static func signedKey(_ request: SignatureRequestRecord) -> String { "signatures/\(request.projectID)/\(request.id)-signed.pdf" }
    static func certificateKey(_ request: SignatureRequestRecord) -> String { "signatures/\(request.projectID)/\(request.id)-certificate.pdf" }

    func seal(_ detail: SignatureRequestDetail) async throws -> SignatureService.Sealed {
        let request = detail.request
        let render = try await services.renders.get(projectID: request.projectID, id: request.renderID)
        guard let key = render.blobKey, let original = try await services.blobs.get(key: key) else {
            throw SealFailure.permanent("The render's PDF is missing from storage.")
        }
        guard Hex.sha256(original) == request.sha256Before else {
            throw SealFailure.permanent("The render's PDF changed after the request was made.")
        }
        let stamped = try PDFStamper.stamp(Array(original), stamps: Self.stamps(detail))
        let identity = try await SigningIdentities(services: services).identity(projectID: request.projectID)
        let signer = PDFSigner(identity: identity)
        let now = Date()
        let signers = detail.recipients.map(\.fullName).joined(separator: ", ")
        let signed = try signer.sign(stamped, options: PDFSigner.Options(date: now, reason: "Signed electronically by \(signers)"))
        try await services.blobs.put(Data(signed.pdf), key: Self.signedKey(request))
        let after = Hex.sha256(Data(signed.pdf))
        let certificate = try await SignatureCertificate(services: services).render(
            detail, documentName: render.filename ?? SharePageRoutes.title(ofSlug: render.templateSlug), sha256After: after, completedAt: now)
        let signedCertificate = try signer.sign(certificate, options: PDFSigner.Options(date: now, reason: "Completion certificate"))
        try await services.blobs.put(Data(signedCertificate.pdf), key: Self.certificateKey(request))
        return SignatureService.Sealed(signedBlobKey: Self.signedKey(request), certificateBlobKey: Self.certificateKey(request), sha256After: after)
    }

    /// One stamp per filled field: the image when one was drawn or uploaded, else the text (typed
    /// signatures and initials in the handwriting face).
    static func stamps(_ detail: SignatureRequestDetail) -> [Stamp] {
        detail.fields.compactMap { field in
            let content: Stamp.Content
            if let image = field.image {
                content = .image(png: image)
            } else if let text = field.text, !text.isEmpty {
                content = .text(text, handwriting: field.type.takesImage)
            } else {
                return nil
            }
            return Stamp(page: field.page, x: field.x, y: field.y, width: field.width, height: field.height, content: content)
        }
    }
}

/// A seal that retrying cannot fix: the request is marked `failed`.
enum SealFailure: Error, CustomStringConvertible {
    case permanent(String)

    var description: String {
        switch self {
        case .permanent(let message): message
        }
    }
}
