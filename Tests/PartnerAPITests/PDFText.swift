import Foundation
import Testing

/// Text of a PDF through poppler's pdftotext (installed by `make test`). It throws instead of returning
/// "" when extraction fails (tool missing, non-zero exit, no output, or no text at all): tests also check
/// that some text is absent from a PDF, and an empty string would pass those checks without reading it.
/// The text goes through a file, not a pipe: Foundation's pipe read traps on EINTR, which a busy test
/// process does see.
enum PDFText {
    struct Failure: Error, CustomStringConvertible {
        let description: String
    }

    static func extract(_ pdf: Data) throws -> String {
        let base = FileManager.default.temporaryDirectory.appendingPathComponent("craftkit-\(UUID().uuidString)")
        let input = base.appendingPathExtension("pdf")
        let output = base.appendingPathExtension("txt")
        let errors = base.appendingPathExtension("err")
        try pdf.write(to: input)
        _ = FileManager.default.createFile(atPath: errors.path, contents: nil)
        defer {
            for file in [input, output, errors] { try? FileManager.default.removeItem(at: file) }
        }
        let process = Process()
        process.executableURL = URL(fileURLWithPath: try tool())
        process.arguments = [input.path, output.path]
        let errorHandle = try FileHandle(forWritingTo: errors)
        process.standardError = errorHandle
        try process.run()
        process.waitUntilExit()
        try errorHandle.close()
        guard process.terminationReason == .exit, process.terminationStatus == 0 else {
            let stderr = (try? String(contentsOf: errors, encoding: .utf8)) ?? ""
            throw Failure(description: "pdftotext failed (status \(process.terminationStatus)) on a \(pdf.count)-byte PDF: \(stderr)")
        }
        let text = try String(contentsOf: output, encoding: .utf8)
        // A page without text still yields a form feed, so whitespace alone means nothing was extracted.
        guard !text.trimmingCharacters(in: .whitespacesAndNewlines).isEmpty else {
            throw Failure(description: "pdftotext found no text in a \(pdf.count)-byte PDF")
        }
        return text
    }

    static func tool() throws -> String {
        let path = ProcessInfo.processInfo.environment["PATH"] ?? "/usr/bin:/bin"
        for directory in path.split(separator: ":") + ["/usr/bin"] {
            let candidate = "\(directory)/pdftotext"
            if FileManager.default.isExecutableFile(atPath: candidate) { return candidate }
        }
        throw Failure(description: "pdftotext not found on PATH (`make test-deps` installs poppler-utils)")
    }
}

@Suite("PDF text helper")
struct PDFTextTests {
    @Test("a PDF pdftotext cannot read fails the test instead of reading as no text")
    func failsLoudly() {
        #expect(throws: PDFText.Failure.self) { try PDFText.extract(Data("not a PDF".utf8)) }
        #expect(throws: PDFText.Failure.self) { try PDFText.extract(Data()) }
    }
}
