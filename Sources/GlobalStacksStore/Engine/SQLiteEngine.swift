import Foundation
import Logging
import NIOCore
import NIOPosix
import SQLKit
import SQLiteKit
import SQLiteNIO
import Synchronization

/// SQLite in WAL mode: one writer connection (transactions take turns) and a few reader connections, each lent to one
/// read at a time. Reads sharing a connection would share its read transaction: SQLite keeps it (and the snapshot it
/// reads) open while any statement on the connection is running, so under steady load a reader saw no commit for tens of
/// milliseconds, and a caller could miss a row it had just been told was written.
final class SQLiteEngine: DatabaseEngine {
    let kind = DatabaseEngineKind.sqlite
    let rowLockClause = ""
    let skipLockedClause = ""

    private let connections: [SQLiteConnection]
    private let writer: AsyncLender<SQLiteConnection>
    private let readers: AsyncLender<SQLiteConnection>
    /// Channels notified by the running transaction (there is one writer, so one at a time), sent once it commits.
    private let notified = Mutex<Set<StoreChannel>>([])
    private let listeners = NotificationListeners()

    private init(writer: SQLiteConnection, readers: [SQLiteConnection]) {
        self.connections = readers + [writer]
        self.writer = AsyncLender([writer])
        self.readers = AsyncLender(readers)
    }

    /// Opens (and creates when missing) the database file at `path`.
    static func open(path: String, readerCount: Int = 4, logger: Logger) async throws -> SQLiteEngine {
        let directory = URL(fileURLWithPath: path).deletingLastPathComponent().path
        try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
        let writer = try await openConnection(path: path, logger: logger)
        for pragma in ["PRAGMA journal_mode=WAL", "PRAGMA synchronous=NORMAL", "PRAGMA foreign_keys=ON"] {
            try await writer.sql().raw(SQLQueryString(pragma)).run()
        }
        var readers: [SQLiteConnection] = []
        for _ in 0..<max(1, readerCount) {
            readers.append(try await openConnection(path: path, logger: logger))
        }
        return SQLiteEngine(writer: writer, readers: readers)
    }

    private static func openConnection(path: String, logger: Logger) async throws -> SQLiteConnection {
        let connection = try await SQLiteConnection.open(
            storage: .file(path: path), threadPool: .singleton, logger: logger,
            on: MultiThreadedEventLoopGroup.singleton.any()
        ).get()
        try await connection.sql().raw("PRAGMA busy_timeout=5000").run()
        return connection
    }

    func read<T: Sendable>(_ body: @Sendable (any SQLDatabase) async throws -> T) async throws -> T {
        try await readers.withItem { try await body($0.sql(queryLogLevel: nil)) }
    }

    /// SQLite reads `$1…$n` as parameters numbered in order of appearance, so the statement runs as written,
    /// without SQLKit's serialization.
    func readHot<Statement: HotStatement>(_ statement: Statement.Type, binds: [String]) async throws -> [any SQLRow] {
        try await readers.withItem { try await $0.query(Statement.sql, binds.map { .text($0) }).map { $0.sql() } }
    }

    func transaction<T: Sendable>(_ body: @Sendable (any SQLDatabase) async throws -> T) async throws -> T {
        try await writer.withItem { writer in
            let database = writer.sql(queryLogLevel: nil)
            do {
                try await database.raw("BEGIN IMMEDIATE").run()
                notified.withLock { $0.removeAll() }
                let result = try await body(database)
                try await uncancellable { try await database.raw("COMMIT").run() }
                listeners.send(notified.withLock { channels in defer { channels.removeAll() }; return channels })
                return result
            } catch {
                notified.withLock { $0.removeAll() }
                // After any failure (even of BEGIN or COMMIT): the single writer must leave every transaction, or every later
                // write of the process fails. Without a transaction, ROLLBACK only fails, harmlessly.
                _ = try? await uncancellable { try await database.raw("ROLLBACK").run() }
                throw error
            }
        }
    }

    func lockForMigrations(_ database: any SQLDatabase) async throws {
        // BEGIN IMMEDIATE already holds the database's write lock.
    }

    func isUniqueViolation(_ error: any Error) -> Bool {
        guard let error = error as? SQLiteError else { return false }
        return error.reason == .constraintUniqueFailed || error.reason == .constraintPrimaryKeyFailed
            || (error.reason == .constraint && error.message.contains("UNIQUE"))
    }

    func shutdown() async {
        for connection in connections {
            try? await connection.close().get()
        }
    }

    /// The process that writes is the only one that listens: the notification is sent in-process once the
    /// transaction commits (and dropped when it rolls back), as PostgreSQL does between replicas.
    func notify(_ channel: StoreChannel, in database: any SQLDatabase) async throws {
        notified.withLock { _ = $0.insert(channel) }
    }

    func listen(_ channel: StoreChannel, onNotification: @escaping @Sendable () -> Void) async throws {
        try await listeners.listen(channel, onNotification)
    }
}

