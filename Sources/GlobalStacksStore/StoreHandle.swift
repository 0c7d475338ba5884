import Logging
import ServiceLifecycle

/// Where the store's database lives.
public enum StoreLocation: Sendable, Equatable {
    /// A SQLite file (created when missing).
    case sqlite(path: String)
    /// `postgres://user:password@host:port/database`; `?sslmode=require` asks for TLS.
    case postgres(url: String)
}

/// The opened store: all of it the rest of the server sees. The SQL implementation and its engine stay inside this
/// module, so no holder of a repository protocol can cast its way to system methods or raw SQL.
public final class StoreHandle: StoreNotifications {
    let sqlStore: SQLStore
    /// Every repository; the composition root hands each component only the protocols it needs.
    public var store: any Store { sqlStore }
    /// PostgreSQL's connection pool, a service that must run while the store is in use; nil on SQLite.
    public let connectionPool: (any Service)?

    init(engine: any DatabaseEngine, connectionPool: (any Service)?) {
        self.sqlStore = SQLStore(engine: engine)
        self.connectionPool = connectionPool
    }

    /// Opens the database at `location`, without migrating it.
    public static func open(_ location: StoreLocation, logger: Logger) async throws -> StoreHandle {
        switch location {
        case .sqlite(let path):
            return StoreHandle(engine: try await SQLiteEngine.open(path: path, logger: logger), connectionPool: nil)
        case .postgres(let url):
            let engine = try PostgresEngine(url: url, logger: logger)
            return StoreHandle(engine: engine, connectionPool: engine)
        }
    }

    var engine: any DatabaseEngine { sqlStore.engine }

    public func migrate(logger: Logger) async throws {
        try await sqlStore.migrate(logger: logger)
    }

    public func listen(_ channel: StoreChannel, for what: String, logger: Logger, onNotification: @escaping @Sendable () -> Void) async {
        await engine.listenUntilCancelled(channel, for: what, logger: logger, onNotification: onNotification)
    }

    /// Releases every connection (PostgreSQL's pool closes when the task running `connectionPool` ends).
    public func shutdown() async {
        await engine.shutdown()
    }
}
