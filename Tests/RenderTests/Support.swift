import Core
import Foundation
import Render
import Testing

/// Shared helpers: fixtures, one engine, and the poppler/qpdf command-line tools (found on PATH).
enum Fixture {
    static let directory = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
        .deletingLastPathComponent().appendingPathComponent("Fixtures/render")
    static let engine: RenderEngine = {
        do { return try RenderEngine() } catch { fatalError("engine: \(error)") }
    }()
    static let assets = DirectoryImageLoader(directory: directory.appendingPathComponent("assets"))

    static func document(_ name: String) throws -> Document {
        try DocumentDecoder.decode(Data(contentsOf: directory.appendingPathComponent(name)))
    }

    static func data(_ name: String) throws -> JSONValue {
        try JSONDecoder().decode(JSONValue.self, from: Data(contentsOf: directory.appendingPathComponent(name)))
    }

    static func asset(_ name: String) throws -> Data {
        try Data(contentsOf: directory.appendingPathComponent("assets").appendingPathComponent(name))
    }

    /// The fixtures the golden and structure tests cover: (document, data, golden name).
    static let all: [(String, String, String)] = [
        ("invoice.json", "invoice.data.json", "invoice"),
        ("invoice.json", "invoice-300.data.json", "invoice-300"),
        ("report.json", "report-1000.data.json", "report-1000"),
        ("letter.json", "letter.data.json", "letter"),
        ("craftkit-pages.json", "craftkit-pages.data.json", "craftkit-pages"),
    ]

    static func render(_ doc: String, _ data: String, options: RenderOptions = RenderOptions()) async throws -> RenderedPDF {
        try await engine.renderPDF(document: document(doc), data: self.data(data), images: assets, options: options)
    }
}

enum Tool {
    struct Failure: Error, CustomStringConvertible {
        var description: String
    }

    static func path(_ name: String) throws -> String {
        let dirs = (ProcessInfo.processInfo.environment["PATH"] ?? "/usr/bin:/bin").split(separator: ":")
        for d in dirs {
            let p = "\(d)/\(name)"
            if FileManager.default.isExecutableFile(atPath: p) { return p }
        }
        throw Failure(description: "\(name) not found on PATH (install poppler-utils and qpdf)")
    }

    /// Runs a tool; returns its exit status and standard output. Output goes through a file, not a pipe:
    /// Foundation's pipe read traps on EINTR, which a busy test process does see. Output that cannot be
    /// read throws rather than reading as "", which `!output.contains(…)` checks would take for a pass.
    static func run(_ name: String, _ args: [String]) throws -> (status: Int32, output: String) {
        let p = Process()
        p.executableURL = URL(fileURLWithPath: try path(name))
        p.arguments = args
        let file = FileManager.default.temporaryDirectory.appendingPathComponent("render-tool-\(UUID().uuidString).txt")
        _ = FileManager.default.createFile(atPath: file.path, contents: nil)
        defer { try? FileManager.default.removeItem(at: file) }
        let out = try FileHandle(forWritingTo: file)
        p.standardOutput = out
        p.standardError = FileHandle.nullDevice
        try p.run()
        p.waitUntilExit()
        try out.close()
        return (p.terminationStatus, try String(contentsOf: file, encoding: .utf8))
    }

    /// Standard output of a tool that must succeed (pdffonts, pdfimages, pdfinfo, pdftotext -bbox): a failing
    /// tool prints nothing, which negative checks on its output would take for a pass.
    static func output(_ name: String, _ args: [String]) throws -> String {
        let r = try run(name, args)
        guard r.status == 0 else { throw Failure(description: "\(name) failed (status \(r.status))") }
        guard !r.output.isEmpty else { throw Failure(description: "\(name) printed nothing") }
        return r.output
    }

    static func withFile<T>(_ bytes: Data, ext: String = "pdf", _ body: (String) throws -> T) throws -> T {
        let url = FileManager.default.temporaryDirectory.appendingPathComponent("render-test-\(UUID().uuidString).\(ext)")
        try bytes.write(to: url)
        defer { try? FileManager.default.removeItem(at: url) }
        return try body(url.path)
    }

    /// `pdftotext` of the whole document (or one page), reading order. Throws when the tool fails or finds
    /// no text (a page without text still yields a form feed): every caller renders text, and an empty
    /// result would let its negative checks pass without reading anything.
    static func text(_ pdf: Data, page: Int? = nil) throws -> String {
        try withFile(pdf) { path in
            var args: [String] = []
            if let page { args += ["-f", String(page), "-l", String(page)] }
            let r = try run("pdftotext", args + [path, "-"])
            guard r.status == 0 else { throw Failure(description: "pdftotext failed (status \(r.status))") }
            guard !r.output.trimmingCharacters(in: .whitespacesAndNewlines).isEmpty else {
                throw Failure(description: "pdftotext found no text in a \(pdf.count)-byte PDF")
            }
            return r.output
        }
    }

    static func qpdfCheck(_ pdf: Data) throws -> (status: Int32, output: String) {
        try withFile(pdf) { try run("qpdf", ["--check", $0]) }
    }
}

func occurrences(of needle: String, in haystack: String) -> Int {
    haystack.components(separatedBy: needle).count - 1
}

func data(_ json: String) -> JSONValue {
    do { return try JSONDecoder().decode(JSONValue.self, from: Data(json.utf8)) } catch { fatalError("bad JSON in test: \(json)") }
}

/// Renders a one-off document from JSON with `data`.
func render(
    _ documentJSON: String, _ dataJSON: String = "{}", images: any ImageLoader = NoImageLoader(),
    options: RenderOptions = RenderOptions()
) async throws -> RenderedPDF {
    let doc = try DocumentDecoder.decode(Data(documentJSON.utf8))
    return try await Fixture.engine.renderPDF(document: doc, data: data(dataJSON), images: images, options: options)
}

func text(_ documentJSON: String, _ dataJSON: String = "{}") async throws -> String {
    try Tool.text(try await render(documentJSON, dataJSON).bytes)
}
