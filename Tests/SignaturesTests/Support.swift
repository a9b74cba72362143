import Core
import Foundation
import Render
import Signatures
import Testing

/// PDFs from the render engine (the render fixtures) and the poppler/qpdf command-line tools.
enum Engine {
    static let fixtures = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
        .deletingLastPathComponent().appendingPathComponent("Fixtures/render")
    static let engine: RenderEngine = {
        do { return try RenderEngine() } catch { fatalError("engine: \(error)") }
    }()

    static func render(_ document: String, _ data: String, rowsTimes: Int = 1) async throws -> RenderedPDF {
        let doc = try DocumentDecoder.decode(Data(contentsOf: fixtures.appendingPathComponent(document)))
        var values = try JSONDecoder().decode(JSONValue.self, from: Data(contentsOf: fixtures.appendingPathComponent(data)))
        if rowsTimes > 1, case .object(var object) = values, case .array(let rows)? = object["rows"] {
            object["rows"] = .array(Array(repeating: rows, count: rowsTimes).flatMap { $0 })
            values = .object(object)
        }
        let images = DirectoryImageLoader(directory: fixtures.appendingPathComponent("assets"))
        return try await engine.renderPDF(document: doc, data: values, images: images, options: RenderOptions())
    }

    /// The one-page invoice, rendered once for the whole suite.
    static let invoice = Task { try await render("invoice.json", "invoice.data.json") }
    static let identity: SigningIdentity = {
        do { return try SigningIdentity.generate(projectName: "Acme Inc") } catch { fatalError("identity: \(error)") }
    }()
}

enum Tool {
    struct Failure: Error, CustomStringConvertible {
        var description: String
    }

    static func path(_ name: String) -> String? {
        let dirs = (ProcessInfo.processInfo.environment["PATH"] ?? "/usr/bin:/bin").split(separator: ":")
        return dirs.map { "\($0)/\(name)" }.first { FileManager.default.isExecutableFile(atPath: $0) }
    }

    /// Runs a tool on `pdf` (written to a temporary file, passed after `args`); returns its exit status and
    /// standard output plus standard error.
    static func run(_ name: String, _ args: [String], pdf: [UInt8]) throws -> (status: Int32, output: String) {
        try inTemporaryDirectory { directory in
            let input = directory.appendingPathComponent("signed.pdf")
            try Data(pdf).write(to: input)
            return try exec(name, args + [input.path])
        }
    }

    static func inTemporaryDirectory<T>(_ body: (URL) throws -> T) throws -> T {
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("signatures-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: directory) }
        return try body(directory)
    }

    /// Runs a tool; returns its exit status and standard output plus standard error. Output goes through a
    /// file, not a pipe (see RenderTests' Tool: Foundation's pipe read traps on EINTR).
    static func exec(_ name: String, _ args: [String]) throws -> (status: Int32, output: String) {
        guard let executable = path(name) else { throw Failure(description: "\(name) not found on PATH (scripts/install-deps.sh test)") }
        let outputFile = FileManager.default.temporaryDirectory.appendingPathComponent("signatures-tool-\(UUID().uuidString).txt")
        _ = FileManager.default.createFile(atPath: outputFile.path, contents: nil)
        defer { try? FileManager.default.removeItem(at: outputFile) }
        let out = try FileHandle(forWritingTo: outputFile)
        let process = Process()
        process.executableURL = URL(fileURLWithPath: executable)
        process.arguments = args
        process.standardOutput = out
        process.standardError = out
        try process.run()
        process.waitUntilExit()
        try out.close()
        let output = try String(contentsOf: outputFile, encoding: .utf8)
        guard !output.isEmpty || process.terminationStatus == 0 else { throw Failure(description: "\(name) printed nothing") }
        return (process.terminationStatus, output)
    }

    /// pdfsig's report, one entry per signature (`Signature #1:` …).
    static func pdfsig(_ pdf: [UInt8]) throws -> [String] {
        let result = try run("pdfsig", [], pdf: pdf)
        let parts = result.output.components(separatedBy: "Signature #").dropFirst()
        guard !parts.isEmpty else { throw Failure(description: "pdfsig found no signature (status \(result.status)):\n\(result.output)") }
        return Array(parts)
    }
}
