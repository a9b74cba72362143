import Foundation

/// Where an image comes from, after binding. `data:` URIs never reach a loader (the engine decodes them).
public enum ImageSource: Sendable, Hashable, CustomStringConvertible {
    /// An http(s) URL (from a template or an `image` variable).
    case url(String)
    /// A static asset of the template or project, written `asset:<name>` in the document.
    case asset(String)

    public var description: String {
        switch self {
        case .url(let u): return u
        case .asset(let a): return "asset:\(a)"
        }
    }
}

/// Supplies image bytes. The HTTP implementation (with the SSRF guard, size and time caps) lives
/// outside Render; tests and benchmarks use `InMemoryImageLoader` or `DirectoryImageLoader`.
/// Errors thrown here surface as `RenderError.imageUnavailable` unless they already are `RenderError`s.
public protocol ImageLoader: Sendable {
    func load(_ source: ImageSource) async throws -> Data
}

/// Images from a dictionary (tests, previews with uploaded assets).
public struct InMemoryImageLoader: ImageLoader {
    public var images: [ImageSource: Data]

    public init(_ images: [ImageSource: Data] = [:]) { self.images = images }

    public func load(_ source: ImageSource) async throws -> Data {
        guard let d = images[source] else { throw RenderError.imageUnavailable(source: source.description, reason: "not found") }
        return d
    }
}

/// `asset:<name>` read from files in a directory (`<directory>/<name>`); URLs are refused.
public struct DirectoryImageLoader: ImageLoader {
    public var directory: URL

    public init(directory: URL) { self.directory = directory }

    public func load(_ source: ImageSource) async throws -> Data {
        guard case .asset(let name) = source, !name.contains(".."), !name.hasPrefix("/") else {
            throw RenderError.imageUnavailable(source: source.description, reason: "only assets are available")
        }
        do {
            return try Data(contentsOf: directory.appendingPathComponent(name))
        } catch {
            throw RenderError.imageUnavailable(source: source.description, reason: "no such asset")
        }
    }
}

/// Refuses every image (documents without images).
public struct NoImageLoader: ImageLoader {
    public init() {}

    public func load(_ source: ImageSource) async throws -> Data {
        throw RenderError.imageUnavailable(source: source.description, reason: "no image loader configured")
    }
}

/// Classifies a bound `src` string: `data:` URI (decoded here), `asset:name`, or a URL.
enum BoundImage: Hashable {
    case source(ImageSource)
    case inline(Data)

    static func classify(_ src: String) throws -> BoundImage? {
        let s = src.trimmingCharacters(in: .whitespacesAndNewlines)
        if s.isEmpty { return nil }
        if s.hasPrefix("data:") {
            guard let comma = s.firstIndex(of: ","), s[..<comma].hasSuffix(";base64"),
                let d = Data(base64Encoded: String(s[s.index(after: comma)...]), options: .ignoreUnknownCharacters)
            else { throw RenderError.brokenImage(source: String(s.prefix(40)), reason: "invalid data URI (base64 expected)") }
            return .inline(d)
        }
        if s.hasPrefix("asset:") { return .source(.asset(String(s.dropFirst(6)))) }
        return .source(.url(s))
    }

    var label: String {
        switch self {
        case .source(let s): return s.description
        case .inline: return "data: URI"
        }
    }
}
