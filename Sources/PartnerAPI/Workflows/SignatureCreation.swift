import Core
import Delivery
import Foundation
import Renders
import Signatures

/// `POST /v1/signatures`: checks the body, replays an idempotent request, finds the project's render,
/// reads its PDF (SHA-256, page sizes), places anchor tags through the anchor locator, and hands the
/// request to the signing rules (docs/signatures.md#the-api).
struct SignatureCreation {
    let services: AppServices

    func create(projectID: String, body: JSONValue, idempotencyKey: String?) async throws -> (detail: SignatureRequestDetail, replay: Bool) {
        let input = try SignatureRequestInput(json: body)
        if let idempotencyKey, !(1...200).contains(idempotencyKey.unicodeScalars.count) {
            var issues = ValidationIssues()
            issues.add("Must be 1 to 200 characters", at: "Idempotency-Key")
            throw AppError.invalidRequest(issues)
        }
        if let replayed = try await services.signatures.replay(projectID: projectID, idempotencyKey: idempotencyKey, requestHash: input.requestHash) {
            return (replayed, true)
        }
        let render = try await services.renders.get(projectID: projectID, id: input.renderID)
        let signable = SignatureService.SignableRender(
            id: render.id, projectID: render.projectID, succeeded: render.status == .succeeded && render.blobKey != nil,
            status: render.status.rawValue, pageCount: render.pageCount ?? 0, sha256: render.sha256)
        try SignatureService.requireSignable(signable)
        _ = try await SignatureInvitations(services: services).outbox(projectID: projectID)
        guard let key = render.blobKey, let pdf = try await services.blobs.get(key: key) else {
            throw AppError(status: 500, code: "internal", message: "The rendered PDF is missing from storage.")
        }
        let sizes = PDFPageSizes.scan(Array(pdf), pageCount: render.pageCount ?? 0)
        let placed = input.fields + (try await anchored(input.anchors, render: render, sizes: sizes))
        return try await services.signatures.create(
            projectID: projectID, input: input, placed: placed, render: signable, pageSizes: sizes, idempotencyKey: idempotencyKey,
            now: Date().epochMillis)
    }

    /// Every anchor tag placed at each place its text appears (422 naming the anchors not found). The
    /// box starts at the anchor's own text; a given width or height (points) replaces the text's.
    func anchored(_ anchors: [SignatureRequestInput.Anchor], render: RenderRecord, sizes: [PageSize]) async throws -> [SignatureRequestInput.Field] {
        guard !anchors.isEmpty else { return [] }
        let strings = Array(Set(anchors.map(\.anchorString))).sorted()
        let (document, data, options) = try await services.renderWorker.inputs(of: render)
        // The render's own image loader and options: image sizes and the locale move text.
        let found = try await AnchorLocator.locate(
            strings, document: document, data: data, engine: services.engine, images: services.renderWorker.imageLoader, options: options)
        var issues = ValidationIssues()
        var fields: [SignatureRequestInput.Field] = []
        for (index, anchor) in anchors.enumerated() {
            guard let boxes = found[anchor.anchorString], !boxes.isEmpty else {
                issues.add("Anchor \"\(anchor.anchorString)\" was not found in the document", at: "anchorTags[\(index)].anchorString")
                continue
            }
            for box in boxes {
                let size = sizes.indices.contains(box.page - 1) ? sizes[box.page - 1] : PageSize(width: 595.28, height: 841.89)
                let x = min(max(box.x, 0), 99)
                let y = min(max(box.y, 0), 99)
                let width = anchor.width.map { $0 / size.width * 100 } ?? box.width
                let height = anchor.height.map { $0 / size.height * 100 } ?? box.height
                fields.append(
                    SignatureRequestInput.Field(
                        page: box.page, x: x, y: y, width: max(0.5, min(width, 100 - x)), height: max(0.5, min(height, 100 - y)), type: anchor.type,
                        recipientIndex: anchor.recipientIndex, required: anchor.required))
            }
        }
        if !issues.isEmpty { throw AppError.invalidRequest(issues, status: 422) }
        guard fields.count <= SignatureRequestInput.maxFields * 2 else {
            var issues = ValidationIssues()
            issues.add("The anchors appear \(fields.count) times; at most \(SignatureRequestInput.maxFields * 2) fields are placed", at: "anchorTags")
            throw AppError.invalidRequest(issues, status: 422)
        }
        return fields
    }
}

/// Page sizes of an engine PDF, read from each page's `/MediaBox` in file order (the engine writes pages
/// in order, each with its own box); pages it cannot read take the first page's size, else A4.
enum PDFPageSizes {
    static func scan(_ pdf: [UInt8], pageCount: Int) -> [PageSize] {
        var sizes: [PageSize] = []
        let marker = Array("/MediaBox".utf8)
        var at = 0
        while at + marker.count < pdf.count, sizes.count < max(pageCount, 1) {
            guard let start = find(marker, in: pdf, from: at) else { break }
            at = start + marker.count
            guard let open = pdf[at..<min(pdf.count, at + 8)].firstIndex(of: UInt8(ascii: "[")),
                let close = pdf[open..<min(pdf.count, open + 120)].firstIndex(of: UInt8(ascii: "]"))
            else { continue }
            let numbers = String(decoding: pdf[(open + 1)..<close], as: UTF8.self).split(whereSeparator: { $0 == " " || $0 == "\n" || $0 == "\r" })
                .compactMap { Double($0) }
            if numbers.count == 4, numbers[2] - numbers[0] > 0, numbers[3] - numbers[1] > 0 {
                sizes.append(PageSize(width: numbers[2] - numbers[0], height: numbers[3] - numbers[1]))
            }
            at = close
        }
        let fallback = sizes.first ?? PageSize(width: 595.28, height: 841.89)
        while sizes.count < pageCount { sizes.append(fallback) }
        return Array(sizes.prefix(max(pageCount, sizes.isEmpty ? 0 : 1)))
    }

    static func find(_ needle: [UInt8], in haystack: [UInt8], from: Int) -> Int? {
        guard needle.count <= haystack.count else { return nil }
        var index = from
        while index <= haystack.count - needle.count {
            if haystack[index] == needle[0], Array(haystack[index..<(index + needle.count)]) == needle { return index }
            index += 1
        }
        return nil
    }
}
