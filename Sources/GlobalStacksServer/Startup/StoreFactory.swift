import GlobalStacksStore
import Logging
import ServiceLifecycle

/// Opens the configured database engine. PostgreSQL's connection pool is a service that must run alongside the app.
enum StoreFactory {
    static func open(_ database: ServerConfiguration.Database, logger: Logger) async throws -> (SQLStore, (any Service)?) {
        switch database {
        case .sqlite(let path):
            logger.info("Using SQLite", metadata: ["path": "\(path)"])
            return (SQLStore(engine: try await SQLiteEngine.open(path: path, logger: logger)), nil)
        case .postgres(let url):
            logger.info("Using PostgreSQL")
            let engine = try PostgresEngine(url: url, logger: logger)
            return (SQLStore(engine: engine), engine)
        }
    }
}
