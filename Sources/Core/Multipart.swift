import Foundation

/// A minimal `multipart/form-data` reader (RFC 7578) for the one upload route: finds a named part and
/// returns its bytes, filename and declared content type. Pure Foundation and in Core, so the fuzz
/// build (Sources/Fuzz) reaches it without the web framework.
public enum Multipart {
    public struct Part: Sendable {
        public let name: String
        public let filename: String?
        public let contentType: String?
        public let body: Data
    }

    public enum Failure: Error { case notMultipart, malformed }

    public static func boundary(fromContentType value: String?) throws -> String {
        guard let value, value.lowercased().hasPrefix("multipart/form-data") else { throw Failure.notMultipart }
        for parameter in value.split(separator: ";").dropFirst() {
            let pair = parameter.split(separator: "=", maxSplits: 1).map { $0.trimmingCharacters(in: .whitespaces) }
            if pair.count == 2, pair[0].lowercased() == "boundary" {
                let boundary = pair[1].trimmingCharacters(in: CharacterSet(charactersIn: "\""))
                guard (1...70).contains(boundary.count) else { throw Failure.malformed }
                return boundary
            }
        }
        throw Failure.malformed
    }

    public static func parts(of body: Data, boundary: String) throws -> [Part] {
        let delimiter = Data("--\(boundary)".utf8)
        let separator = Data("\r\n\r\n".utf8)
        var parts: [Part] = []
        guard var cursor = body.range(of: delimiter)?.upperBound else { throw Failure.malformed }
        while true {
            // After a delimiter: "--" ends the body, "\r\n" starts a part.
            if body[cursor...].starts(with: Data("--".utf8)) { break }
            guard body[cursor...].starts(with: Data("\r\n".utf8)) else { throw Failure.malformed }
            cursor += 2
            guard let headerEnd = body.range(of: separator, in: cursor..<body.endIndex),
                let next = body.range(of: Data("\r\n".utf8) + delimiter, in: headerEnd.upperBound..<body.endIndex)
            else { throw Failure.malformed }
            let headers = String(decoding: body[cursor..<headerEnd.lowerBound], as: UTF8.self)
            parts.append(try part(headers: headers, body: body[headerEnd.upperBound..<next.lowerBound]))
            cursor = next.upperBound
        }
        return parts
    }

    static func part(headers: String, body: Data) throws -> Part {
        var name: String?
        var filename: String?
        var contentType: String?
        for line in headers.components(separatedBy: "\r\n") {
            let pair = line.split(separator: ":", maxSplits: 1)
            guard pair.count == 2 else { continue }
            let value = pair[1].trimmingCharacters(in: .whitespaces)
            switch pair[0].lowercased() {
            case "content-disposition":
                for parameter in value.split(separator: ";").dropFirst() {
                    let kv = parameter.split(separator: "=", maxSplits: 1).map { $0.trimmingCharacters(in: .whitespaces) }
                    guard kv.count == 2 else { continue }
                    let unquoted = kv[1].trimmingCharacters(in: CharacterSet(charactersIn: "\""))
                    if kv[0].lowercased() == "name" { name = unquoted }
                    if kv[0].lowercased() == "filename" { filename = unquoted }
                }
            case "content-type": contentType = value.lowercased()
            default: continue
            }
        }
        guard let name else { throw Failure.malformed }
        return Part(name: name, filename: filename, contentType: contentType, body: Data(body))
    }
}
