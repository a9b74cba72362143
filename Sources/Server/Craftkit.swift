import ArgumentParser

@main
struct Craftkit: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "craftkit",
        abstract: "Craftkit Server: templates, embedded builder and form pages, and PDF renders for partner products.",
        discussion: """
            Configuration comes from CRAFTKIT_* environment variables (see README.md). With none set, `craftkit serve`
            runs on SQLite and local files under ./data and prints how to provision a first org.
            """,
        version: BuildInfo.version,
        subcommands: [
            Serve.self, Worker.self, Migrate.self, Provision.self, RotateEncryptionKey.self, BackupCommand.self, RestoreCommand.self, Bench.self,
            VerifySignature.self, Version.self,
        ],
        defaultSubcommand: nil
    )
}

enum BuildInfo {
    static let version = "0.1.0"
}
