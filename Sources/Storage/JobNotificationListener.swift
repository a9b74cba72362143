import Foundation
import Logging
import PostgresKit
import PostgresNIO

/// PostgreSQL only: holds a dedicated connection that `LISTEN`s on `craftkit_jobs`. Enqueueing a job
/// sends `NOTIFY craftkit_jobs, '<kind>'` inside its transaction (delivered on commit), so workers in
/// every process wake at once instead of waiting for their idle poll.
public struct JobNotificationListener: Sendable {
    public static let channel = "craftkit_jobs"
    let url: String
    let logger: Logger

    public init(url: String, logger: Logger) {
        self.url = url
        self.logger = logger
    }

    /// Listens until cancelled, reconnecting after a lost connection; calls `onNotify` with each job kind.
    public func run(onNotify: @escaping @Sendable (String) -> Void) async {
        var attempt = 0
        while !Task.isCancelled {
            do {
                let configuration = try SQLPostgresConfiguration(url: url).coreConfiguration
                let connection = try await PostgresConnection.connect(configuration: configuration, id: 1, logger: logger)
                attempt = 0
                do {
                    try await connection.listen(on: Self.channel) { notifications in
                        for try await notification in notifications { onNotify(notification.payload) }
                    }
                } catch {
                    try? await connection.close()
                    throw error
                }
                try? await connection.close()
            } catch {
                if Task.isCancelled { return }
                attempt += 1
                logger.warning("job notification listener reconnecting", metadata: ["error": .string(String(describing: error))])
                try? await Task.sleep(for: .milliseconds(min(5_000, 100 * (1 << min(attempt, 6)))))
            }
        }
    }
}
