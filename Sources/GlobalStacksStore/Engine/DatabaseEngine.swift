import SQLKit

/// What differs between SQLite and PostgreSQL: connections, transactions, locking and error codes.
/// Every query above this layer is shared SQL, so both engines behave the same.
public protocol DatabaseEngine: Sendable {
    /// `sqlite` or `postgresql`, for logs and benchmark reports.
    var name: String { get }

    /// Runs read-only work on any connection.
    func read<T: Sendable>(_ body: @Sendable (any SQLDatabase) async throws -> T) async throws -> T

    /// Runs a hot read-only statement (see `HotStatement`).
    func readHot<Statement: HotStatement>(_ statement: Statement.Type, binds: [String]) async throws -> [any SQLRow]

    /// Runs `body` in one transaction: everything commits or nothing does.
    func transaction<T: Sendable>(_ body: @Sendable (any SQLDatabase) async throws -> T) async throws -> T

    /// Appended to a `SELECT` inside a transaction to lock the rows it reads until commit.
    /// SQLite serializes writers, so it needs nothing.
    var rowLockClause: String { get }

    /// Serializes schema migrations between replicas that start at once (called inside a transaction).
    func lockForMigrations(_ database: any SQLDatabase) async throws

    /// Whether `error` is a violated unique constraint.
    func isUniqueViolation(_ error: any Error) -> Bool

    /// Releases every connection.
    func shutdown() async
}
