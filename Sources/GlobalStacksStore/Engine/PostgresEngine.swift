import Logging
import PostgresKit
import PostgresNIO
import SQLKit
import ServiceLifecycle

/// PostgreSQL through a PostgresNIO connection pool. Run it as a service (`run()`) while the store is in use.
final class PostgresEngine: DatabaseEngine, Service {
    let kind = DatabaseEngineKind.postgresql
    let rowLockClause = " FOR UPDATE"
    let skipLockedClause = " FOR UPDATE SKIP LOCKED"

    private let client: PostgresClient
    private let logger: Logger

    /// - Parameter url: `postgres://user:password@host:port/database`; `?sslmode=require` asks for TLS.
    init(url: String, maximumConnections: Int = 20, logger: Logger) throws {
        var configuration = try PostgresURL.clientConfiguration(from: url)
        configuration.options.maximumConnections = maximumConnections
        self.client = PostgresClient(configuration: configuration, backgroundLogger: logger)
        self.logger = logger
    }

    func run() async throws {
        await client.run()
    }

    func read<T: Sendable>(_ body: @Sendable (any SQLDatabase) async throws -> T) async throws -> T {
        try await client.withConnection { connection in
            try await body(connection.sql(queryLogLevel: nil))
        }
    }

    func readHot<Statement: HotStatement>(_ statement: Statement.Type, binds: [String]) async throws -> [any SQLRow] {
        try await client.withConnection { connection in
            var rows: [any SQLRow] = []
            for try await row in try await connection.execute(Prepared<Statement>(binds: binds), logger: logger) {
                rows.append(row.sql())
            }
            return rows
        }
    }

    /// A transaction PostgreSQL aborted to break a deadlock (40P01) or a serialization conflict (40001) is run
    /// again, up to two more times: it rolled back, so running it again is safe.
    func transaction<T: Sendable>(_ body: @Sendable (any SQLDatabase) async throws -> T) async throws -> T {
        var attempt = 1
        while true {
            do {
                return try await client.withConnection { connection in
                    try await Self.transaction(on: connection, logger: logger, body)
                }
            } catch {
                if attempt < 3, let state = (error as? PSQLError)?.serverInfo?[.sqlState], state == "40P01" || state == "40001" {
                    logger.notice("Transaction aborted by PostgreSQL; running it again", metadata: ["sqlstate": "\(state)", "attempt": "\(attempt)"])
                    attempt += 1
                    continue
                }
                throw error
            }
        }
    }

    /// BEGIN, `body`, then COMMIT, or ROLLBACK on any error. COMMIT and ROLLBACK run even when the task is cancelled,
    /// so the connection never goes back to the pool inside a transaction. Throws the body's own error (a domain
    /// refusal, a unique violation), not a wrapper.
    private static func transaction<T: Sendable>(
        on connection: PostgresConnection, logger: Logger, _ body: @Sendable (any SQLDatabase) async throws -> T
    ) async throws -> T {
        do {
            try await connection.query("BEGIN", logger: logger)
            let result = try await body(connection.sql(queryLogLevel: nil))
            try await uncancellable { try await connection.query("COMMIT", logger: logger) }
            return result
        } catch {
            _ = try? await uncancellable { try await connection.query("ROLLBACK", logger: logger) }
            throw error
        }
    }

    func lockForMigrations(_ database: any SQLDatabase) async throws {
        try await database.raw("SELECT pg_advisory_xact_lock(7261746963)").run()
    }

    func isUniqueViolation(_ error: any Error) -> Bool {
        guard let error = error as? PSQLError else { return false }
        return error.serverInfo?[.sqlState] == "23505"
    }

    func notify(_ channel: StoreChannel, in database: any SQLDatabase) async throws {
        try await database.raw("SELECT pg_notify(\(bind: channel.rawValue), '')").run()
    }

    /// Holds one pooled connection for as long as it listens.
    func listen(_ channel: StoreChannel, onNotification: @escaping @Sendable () -> Void) async throws {
        try await client.withConnection { connection in
            try await connection.listen(on: channel.rawValue) { notifications in
                for try await _ in notifications {
                    onNotification()
                }
            }
        }
    }

    /// Nothing to do here: the pool closes its connections when the task running `run()` is cancelled,
    /// which the service group does on shutdown.
    func shutdown() async {}
}

/// A `HotStatement` as a PostgresNIO prepared statement (prepared once per connection, named by its type).
private struct Prepared<Statement: HotStatement>: PostgresPreparedStatement {
    typealias Row = PostgresRow
    static var sql: String { Statement.sql }
    /// Short and unique: PostgreSQL truncates names to 63 bytes, and the default (the full generic type name)
    /// is longer, so different statements would collide.
    static var name: String { "gs_\(Statement.self)" }

    let binds: [String]

    func makeBindings() throws -> PostgresBindings {
        var bindings = PostgresBindings(capacity: binds.count)
        for bind in binds { bindings.append(bind) }
        return bindings
    }

    func decodeRow(_ row: PostgresRow) throws -> PostgresRow { row }
}
