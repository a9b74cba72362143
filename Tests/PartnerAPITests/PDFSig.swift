import Foundation

/// poppler's pdfsig report of a PDF (installed by `make test`): its output, and whether it exited 0.
/// Output goes through a file, not a pipe (Foundation's pipe read traps on EINTR; see `PDFText`).
enum PDFSig {
    static func report(_ pdf: Data) throws -> (ok: Bool, output: String) {
        let base = FileManager.default.temporaryDirectory.appendingPathComponent("craftkit-sig-\(UUID().uuidString)")
        let input = base.appendingPathExtension("pdf")
        let output = base.appendingPathExtension("txt")
        try pdf.write(to: input)
        _ = FileManager.default.createFile(atPath: output.path, contents: nil)
        defer { for file in [input, output] { try? FileManager.default.removeItem(at: file) } }
        let handle = try FileHandle(forWritingTo: output)
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        process.arguments = ["pdfsig", input.path]
        process.standardOutput = handle
        process.standardError = handle
        try process.run()
        process.waitUntilExit()
        try handle.close()
        return (process.terminationStatus == 0, try String(contentsOf: output, encoding: .utf8))
    }
}
