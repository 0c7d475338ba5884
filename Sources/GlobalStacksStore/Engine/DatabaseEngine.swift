import Logging
import SQLKit

/// What differs between SQLite and PostgreSQL: connections, transactions, locking and error codes.
/// Every query above this layer is shared SQL, so both engines behave the same.
enum DatabaseEngineKind: String, Sendable {
    case sqlite
    case postgresql
}

protocol DatabaseEngine: Sendable {
    var kind: DatabaseEngineKind { get }

    /// Runs read-only work on any connection.
    func read<T: Sendable>(_ body: @Sendable (any SQLDatabase) async throws -> T) async throws -> T

    /// Runs a hot read-only statement (see `HotStatement`).
    func readHot<Statement: HotStatement>(_ statement: Statement.Type, binds: [String]) async throws -> [any SQLRow]

    /// Runs `body` in one transaction: everything commits or nothing does.
    func transaction<T: Sendable>(_ body: @Sendable (any SQLDatabase) async throws -> T) async throws -> T

    /// Appended to a `SELECT` inside a transaction to lock the rows it reads until commit.
    /// SQLite serializes writers, so it needs nothing.
    var rowLockClause: String { get }

    /// Like `rowLockClause`, but rows locked by another transaction are skipped instead of waited for
    /// (work queues: each worker claims different rows).
    var skipLockedClause: String { get }

    /// Wakes every replica listening on `channel` once the transaction commits (on SQLite, this process's listeners).
    func notify(_ channel: StoreChannel, in database: any SQLDatabase) async throws

    /// Calls `onNotification` for every notification on `channel` until the task is cancelled.
    func listen(_ channel: StoreChannel, onNotification: @escaping @Sendable () -> Void) async throws

    /// Serializes schema migrations between replicas that start at once (called inside a transaction).
    func lockForMigrations(_ database: any SQLDatabase) async throws

    /// Whether `error` is a violated unique constraint.
    func isUniqueViolation(_ error: any Error) -> Bool

    /// Releases every connection.
    func shutdown() async
}

extension DatabaseEngine {
    /// `sqlite` or `postgresql`, for logs and benchmark reports.
    var name: String { kind.rawValue }

    /// `listen`, reconnecting 5 s after a failure (logged, naming `what` is listened for) until the task is cancelled.
    func listenUntilCancelled(_ channel: StoreChannel, for what: String, logger: Logger, onNotification: @escaping @Sendable () -> Void) async {
        while !Task.isCancelled {
            do {
                try await listen(channel, onNotification: onNotification)
                return
            } catch {
                guard !Task.isCancelled else { return }
                logger.warning("Listening for \(what) failed; retrying", metadata: ["error": "\(error)"])
                try? await Task.sleep(for: .seconds(5))
            }
        }
    }
}
