import ArgumentParser
import PartnerAPI

struct VerifySignature: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "verify-signature",
        abstract: "Check a signature request: its audit trail's hash chain and its sealed PDF's and certificate's signatures.",
        discussion: "Prints a report; exits 1 on any problem (docs/signatures.md#verifying)."
    )

    @Argument(help: "The signature request id.")
    var id: String

    func run() async throws {
        let config = Runtime.loadConfig()
        let logger = Runtime.makeLogger(config)
        var valid = false
        try await Runtime.withServices(config, logger: logger) { services in
            let report = try await SignatureVerification(services: services).report(id: id)
            for line in report.lines { print(line) }
            for problem in report.problems { print("PROBLEM: \(problem)") }
            print(report.isValid ? "OK" : "FAILED: \(report.problems.count) problem(s)")
            valid = report.isValid
        }
        if !valid { throw ExitCode(1) }
    }
}
