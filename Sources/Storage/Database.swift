@preconcurrency import AsyncKit
import Core
import Foundation
import Logging
import NIOCore
import NIOPosix
import PostgresKit
import SQLKit
import SQLiteKit
import Synchronization

/// The SQL database behind every repository: SQLite (a file in the data dir, WAL) by default, or
/// PostgreSQL when `CRAFTKIT_DATABASE_URL` says so. Repositories write one SQL text for both engines
/// through SQLKit; the few engine-specific spots ask `engine`.
public final class Database: Sendable {
    public enum Engine: String, Sendable { case sqlite, postgres }

    public let engine: Engine
    /// A pooled database: each statement borrows a connection; `transaction` pins one.
    public let sql: any SQLDatabase
    /// The connection URL when the engine is PostgreSQL (the job listener opens its own connection).
    public let postgresURL: String?
    private let shutdownPool: @Sendable () async throws -> Void
    /// SQLite only: serialises this process's write transactions (see `WriteGate`).
    private let writeGate: WriteGate?
    /// Connections the pool may open (per event loop × loops), and transactions pinning one now: the
    /// pool's use, for `/metrics`.
    public let maxConnections: Int
    private let pinned = Atomic<Int>(0)
    public var transactionsInFlight: Int { pinned.load(ordering: .relaxed) }

    private init(
        engine: Engine, sql: any SQLDatabase, postgresURL: String? = nil, perLoop: Int, shutdown: @escaping @Sendable () async throws -> Void
    ) {
        self.maxConnections = perLoop * System.coreCount
        self.engine = engine
        self.sql = sql
        self.postgresURL = postgresURL
        self.shutdownPool = shutdown
        self.writeGate = engine == .sqlite ? WriteGate() : nil
    }

    public static func open(_ location: ServerConfig.DatabaseLocation, logger: Logger) throws -> Database {
        switch location {
        case .sqlite(let path): return try openSQLite(path: path, logger: logger)
        case .postgres(let url): return try openPostgres(url: url, logger: logger)
        }
    }

    public static func openSQLite(path: String, logger: Logger) throws -> Database {
        let directory = URL(fileURLWithPath: path).deletingLastPathComponent()
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        let threads = NIOThreadPool(numberOfThreads: 4)
        threads.start()
        let source = PragmaSQLiteSource(path: path, threadPool: threads)
        let pool = EventLoopGroupConnectionPool(
            source: source, maxConnectionsPerEventLoop: 4, pruneInterval: nil, logger: logger,
            on: MultiThreadedEventLoopGroup.singleton
        )
        let database = PooledSQLiteDatabase(pool: pool, logger: logger)
        return Database(engine: .sqlite, sql: database.sql(queryLogLevel: .trace), perLoop: 4) {
            try await pool.shutdownAsync()
            try await threads.shutdownGracefully()
        }
    }

    public static func openPostgres(url: String, logger: Logger) throws -> Database {
        var configuration = try SQLPostgresConfiguration(url: url)
        configuration.searchPath = nil
        let pool = EventLoopGroupConnectionPool(
            source: PostgresConnectionSource(sqlConfiguration: configuration), maxConnectionsPerEventLoop: 8,
            requestTimeout: .seconds(10), pruneInterval: nil, logger: logger, on: MultiThreadedEventLoopGroup.singleton
        )
        let database = pool.database(logger: logger)
        return Database(engine: .postgres, sql: database.sql(queryLogLevel: .trace), postgresURL: url, perLoop: 8) {
            try await pool.shutdownAsync()
        }
    }

    /// Runs `body` in one transaction on one connection: committed when it returns, rolled back when it
    /// throws. SQLite takes the write lock up front (`BEGIN IMMEDIATE`) so two writers queue on the busy
    /// timeout instead of failing on a lock upgrade.
    public func transaction<T: Sendable>(_ body: @escaping @Sendable (any SQLDatabase) async throws -> T) async throws -> T {
        guard let writeGate else { return try await run(body, begin: "BEGIN") }
        return try await writeGate.withLock { try await self.run(body, begin: "BEGIN IMMEDIATE") }
    }

    private func run<T: Sendable>(_ body: @escaping @Sendable (any SQLDatabase) async throws -> T, begin: String) async throws -> T {
        pinned.add(1, ordering: .relaxed)
        defer { pinned.subtract(1, ordering: .relaxed) }
        return try await sql.withSession { connection in
            try await connection.raw(SQLQueryString(begin)).run()
            do {
                let result = try await body(connection)
                try await connection.raw("COMMIT").run()
                return result
            } catch {
                try? await connection.raw("ROLLBACK").run()
                throw error
            }
        }
    }

    /// `SELECT 1`: the health check.
    public func ping() async throws {
        _ = try await sql.raw("SELECT 1 AS one").first()
    }

    public func shutdown() async throws {
        try await shutdownPool()
    }
}
