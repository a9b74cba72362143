import Core
import Foundation
import Render

/// The `attachments` of a render request (docs/api.md#render-requests): files embedded in the PDF,
/// such as the XML of a Factur-X/ZUGFeRD invoice. Bounded in number and size, named safely, and
/// sniffed: the content must be what its `mimeType` says, from a short list of document types, so a
/// PDF never carries an executable under an invoice's name.
public enum RenderAttachments {
    static let maxCount = 10
    public static let maxFileBytes = 5 * 1024 * 1024
    static let maxTotalBytes = 8 * 1024 * 1024

    /// Accepted types and the check their content must pass.
    static let sniffers: [String: @Sendable (Data) -> Bool] = [
        "application/xml": looksLikeXML, "text/xml": looksLikeXML,
        "application/json": { (try? JSONSerialization.jsonObject(with: $0, options: [.fragmentsAllowed])) != nil },
        "text/csv": isText, "text/plain": isText,
        "application/pdf": { $0.starts(with: Array("%PDF-".utf8)) },
        "image/png": { $0.starts(with: [0x89, 0x50, 0x4E, 0x47]) },
        "image/jpeg": { $0.starts(with: [0xFF, 0xD8, 0xFF]) },
        // Office Open XML (a spreadsheet version of the document): a ZIP container.
        "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet": { $0.starts(with: [0x50, 0x4B, 0x03, 0x04]) },
    ]

    static func isText(_ data: Data) -> Bool {
        !data.contains(0) && String(data: data, encoding: .utf8) != nil
    }

    static func looksLikeXML(_ data: Data) -> Bool {
        guard isText(data), let text = String(data: data.prefix(4096), encoding: .utf8) else { return false }
        let trimmed = text.drop { $0 == "\u{FEFF}" || $0.isWhitespace }
        return trimmed.hasPrefix("<")
    }

    /// The attachments of a render with every URL resolved to its bytes, each checked against its type.
    static func resolve(_ files: [EmbeddedFile], fetcher: (any EmbeddedFileFetcher)?) async throws -> [EmbeddedFile] {
        var resolved: [EmbeddedFile] = []
        for var file in files {
            if let url = file.url {
                guard let fetcher else { throw RenderFailure.permanent("Attachment \(file.filename): fetching by URL is not available here.") }
                do {
                    file.content = try await fetcher.fetch(url)
                } catch is CancellationError {
                    throw CancellationError()
                } catch {
                    throw RenderError.attachmentUnavailable(filename: file.filename)
                }
                guard file.content.count <= maxFileBytes, !file.content.isEmpty, sniffers[file.mimeType]?(file.content) == true else {
                    throw RenderFailure.permanent("Attachment \(file.filename): the file at its URL is empty, too large or not \(file.mimeType).")
                }
            }
            resolved.append(file)
        }
        return resolved
    }

    /// Reads `attachments` (absent → none); every problem goes to `issues` with its path.
    static func parse(_ items: [JSONValue]?, issues: inout ValidationIssues) -> [EmbeddedFile] {
        guard let items else { return [] }
        var files: [EmbeddedFile] = []
        var total = 0
        var names: Set<String> = []
        for (index, item) in items.enumerated() {
            let path = "attachments[\(index)]"
            guard var fields = try? ObjectValidator(item, path: path) else {
                issues.add("Expected object, received \(item.typeName)", at: path)
                continue
            }
            let filename = fields.string("filename", required: true, length: 1...200)
            let mimeType = fields.string("mimeType", required: true, length: 1...120)
            let relationship = fields.string("relationship")
            let description = fields.string("description", length: 1...500)
            let content = fields.string("content", length: 1...(maxFileBytes / 3 * 4 + 4))
            let url = fields.string("url", length: 1...2048)
            if content == nil, url == nil, fields.issues.isEmpty {
                fields.fail("content", "Required: the file as base64, or its url")
            } else if content != nil, url != nil {
                fields.fail("url", "Send either content or url, not both")
            }
            if let url, URL(string: url).map({ ["http", "https"].contains($0.scheme?.lowercased() ?? "") && $0.host != nil }) != true {
                fields.fail("url", "Must be an http(s) URL")
            }
            if let filename, filename.contains(where: { $0 == "/" || $0 == "\\" || $0.isNewline || $0.unicodeScalars.contains { $0.value < 0x20 } }) {
                fields.fail("filename", "Must not contain slashes or control characters")
            } else if let filename, !names.insert(filename.lowercased()).inserted {
                fields.fail("filename", "Another attachment has this name")
            }
            let type = mimeType?.lowercased()
            if let type, sniffers[type] == nil {
                fields.fail("mimeType", "Must be one of \(sniffers.keys.sorted().joined(separator: ", "))")
            }
            var parsedRelationship = EmbeddedFile.Relationship.unspecified
            if let relationship {
                if let value = EmbeddedFile.Relationship(rawValue: relationship) {
                    parsedRelationship = value
                } else {
                    fields.fail("relationship", "Must be one of \(EmbeddedFile.Relationship.allCases.map(\.rawValue).joined(separator: ", "))")
                }
            }
            var bytes: Data?
            if let content {
                if let decoded = Data(base64Encoded: content) {
                    bytes = decoded
                } else {
                    fields.fail("content", "Must be base64")
                }
            }
            if let bytes {
                total += bytes.count
                if bytes.count > maxFileBytes {
                    fields.fail("content", "Must be at most \(maxFileBytes / 1024 / 1024) MiB")
                } else if bytes.isEmpty {
                    fields.fail("content", "Must not be empty")
                } else if let type, let sniff = sniffers[type], !sniff(bytes) {
                    fields.fail("content", "Does not look like \(type)")
                }
            }
            issues.merge(fields.issues)
            guard let filename, let type, fields.issues.isEmpty else { continue }
            if let bytes {
                files.append(
                    EmbeddedFile(filename: filename, mimeType: type, relationship: parsedRelationship, description: description, content: bytes))
            } else if let url {
                files.append(
                    EmbeddedFile(
                        filename: filename, mimeType: type, relationship: parsedRelationship, description: description, content: Data(), url: url))
            }
        }
        if total > maxTotalBytes { issues.add("Must hold at most \(maxTotalBytes / 1024 / 1024) MiB in all", at: "attachments") }
        return files
    }
}
