import Core
import Foundation
import Signatures

/// `craftkit verify-signature ID` (docs/signatures.md#verifying): the audit trail's hash chain, and for a
/// completed request the sealed PDF's and the certificate's signatures (whole file covered, CMS digest
/// matching, signed by the certificate inside) and the recorded SHA-256s.
public struct SignatureVerification: Sendable {
    public struct Report: Sendable {
        public var lines: [String]
        public var problems: [String]

        public var isValid: Bool { problems.isEmpty }
    }

    let services: AppServices

    public init(services: AppServices) { self.services = services }

    public func report(id: String) async throws -> Report {
        var report = Report(lines: [], problems: [])
        guard let detail = try await services.signatures.find(id: id.lowercased()) else {
            report.problems.append("no signature request \(id)")
            return report
        }
        let request = detail.request
        report.lines.append("request \(request.id) “\(request.name)” (project \(request.projectID)): \(request.status.rawValue)")
        let events = try await services.signatures.events(requestID: request.id)
        let chain = AuditTrail.problems(in: events)
        report.lines.append("audit trail: \(events.count) events, \(chain.isEmpty ? "hash chain intact" : "hash chain BROKEN")")
        report.problems += chain.map { "audit trail: \($0)" }
        if let last = events.last, last.status != request.status.rawValue {
            report.problems.append("audit trail: the last event left the request \(last.status ?? "?"), the request is \(request.status.rawValue)")
        }
        for (label, key) in [("signed PDF", request.signedBlobKey), ("certificate", request.certificateBlobKey)] {
            guard let key else {
                if request.status == .completed { report.problems.append("\(label): missing") }
                continue
            }
            guard let bytes = try await services.blobs.get(key: key) else {
                report.problems.append("\(label): missing from storage (\(key))")
                continue
            }
            let pdf = Array(bytes)
            let check = PDFSignatureVerifier.verify(pdf)
            report.lines.append(
                "\(label): \(pdf.count) bytes, byte range \(check.byteRange), signer \(check.signer ?? "?"): \(check.isValid ? "signature valid" : "signature INVALID")"
            )
            report.problems += check.problems.map { "\(label): \($0)" }
            if label == "signed PDF" {
                if let after = request.sha256After, Hex.sha256(bytes) != after {
                    report.problems.append("signed PDF: SHA-256 differs from the recorded one")
                }
                if let render = try? await services.renders.get(projectID: request.projectID, id: request.renderID), let renderKey = render.blobKey,
                    let original = try await services.blobs.get(key: renderKey)
                {
                    if Hex.sha256(original) != request.sha256Before { report.problems.append("the render's PDF no longer has the recorded SHA-256") }
                    if !bytes.starts(with: original) {
                        report.problems.append("signed PDF: does not begin with the unsigned render (not an incremental update)")
                    }
                }
            }
        }
        return report
    }
}
