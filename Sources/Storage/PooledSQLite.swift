@preconcurrency import AsyncKit
import Logging
import NIOCore
import NIOPosix
import SQLiteKit
import SQLiteNIO

/// Opens SQLite connections with the settings every connection needs: WAL (readers never block the
/// writer), foreign keys on, and a busy timeout so concurrent writers wait instead of failing.
struct PragmaSQLiteSource: ConnectionPoolSource {
    let path: String
    /// SQLite calls block a thread (a busy wait too), so they run on a pool of their own rather than
    /// starving the shared NIO thread pool.
    let threadPool: NIOThreadPool
    static let pragmas = [
        "PRAGMA journal_mode = WAL",
        "PRAGMA foreign_keys = ON",
        "PRAGMA busy_timeout = 10000",
        "PRAGMA synchronous = NORMAL",
    ]

    func makeConnection(logger: Logger, on eventLoop: any EventLoop) -> EventLoopFuture<SQLiteConnection> {
        SQLiteConnection.open(storage: .file(path: path), threadPool: threadPool, logger: logger, on: eventLoop).flatMap { connection in
            var chain = eventLoop.makeSucceededVoidFuture()
            for pragma in Self.pragmas {
                chain = chain.flatMap { connection.query(pragma).map { _ in } }
            }
            return chain.map { connection }.flatMapErrorThrowing { error in
                _ = connection.close()
                throw error
            }
        }
    }
}

/// A `SQLiteDatabase` over a connection pool, the SQLite twin of postgres-kit's pooled database: plain
/// statements borrow any connection, `withSession` (transactions) keeps one.
struct PooledSQLiteDatabase: SQLiteDatabase {
    let pool: EventLoopGroupConnectionPool<PragmaSQLiteSource>
    let logger: Logger

    var eventLoop: any EventLoop { pool.eventLoopGroup.any() }

    func query(
        _ query: String, _ binds: [SQLiteData], logger: Logger, _ onRow: @escaping @Sendable (SQLiteRow) -> Void
    ) -> EventLoopFuture<Void> {
        pool.withConnection(logger: logger) { $0.query(query, binds, logger: logger, onRow) }
    }

    func query(_ query: String, _ binds: [SQLiteData], _ onRow: @escaping @Sendable (SQLiteRow) -> Void) async throws {
        try await self.query(query, binds, logger: logger, onRow).get()
    }

    func withConnection<T>(_ closure: @escaping @Sendable (SQLiteConnection) -> EventLoopFuture<T>) -> EventLoopFuture<T> {
        pool.withConnection(logger: logger, closure)
    }

    func withConnection<T>(_ closure: @escaping @Sendable (SQLiteConnection) async throws -> T) async throws -> T {
        let result = ResultSlot<T>()
        try await pool.withConnection(logger: logger) { connection in
            connection.eventLoop.makeFutureWithTask { result.value = try await closure(connection) }
        }.get()
        return result.value!
    }
}

/// Carries a closure's result out of the pool's future. The write completes before the future does and
/// the read happens after awaiting it, so the accesses never overlap.
private final class ResultSlot<T>: @unchecked Sendable {
    var value: T?
}

/// Lets one write transaction at a time into SQLite from this process. SQLite has a single writer
/// anyway; queueing here (without holding a thread) avoids writers blocking pool threads in the busy
/// handler while the transaction that holds the lock waits for a thread to run its next statement.
/// Other processes on the same file are still covered by `busy_timeout`.
actor WriteGate {
    private var held = false
    private var waiters: [CheckedContinuation<Void, Never>] = []

    func withLock<T: Sendable>(_ body: @Sendable () async throws -> T) async throws -> T {
        if held {
            await withCheckedContinuation { waiters.append($0) }
        } else {
            held = true
        }
        defer {
            if waiters.isEmpty { held = false } else { waiters.removeFirst().resume() }
        }
        return try await body()
    }
}
