import GlobalStacksStore
import Logging

/// Opens the configured database. PostgreSQL's connection pool (`StoreHandle.connectionPool`) is a service that must
/// run alongside the app.
enum StoreFactory {
    static func open(_ database: ServerConfiguration.Database, logger: Logger) async throws -> StoreHandle {
        switch database {
        case .sqlite(let path):
            logger.info("Using SQLite", metadata: ["path": "\(path)"])
            return try await StoreHandle.open(.sqlite(path: path), logger: logger)
        case .postgres(let url):
            logger.info("Using PostgreSQL")
            return try await StoreHandle.open(.postgres(url: url), logger: logger)
        }
    }
}
