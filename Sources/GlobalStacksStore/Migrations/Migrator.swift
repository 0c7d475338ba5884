import Foundation
import Logging
import SQLKit

/// Applies pending migrations in one transaction, under a lock, so replicas that start together apply each once.
struct Migrator: Sendable {
    let engine: any DatabaseEngine
    let migrations: [Migration]
    let logger: Logger

    init(engine: any DatabaseEngine, migrations: [Migration] = Schema.migrations, logger: Logger) {
        self.engine = engine
        self.migrations = migrations
        self.logger = logger
    }

    /// - Returns: the versions applied by this call.
    @discardableResult
    func migrate() async throws -> [Int] {
        let migrations = self.migrations
        let applied = try await engine.transaction { database in
            try await engine.lockForMigrations(database)
            try await database.raw("""
                CREATE TABLE IF NOT EXISTS schema_migrations (
                    version INTEGER PRIMARY KEY, name TEXT NOT NULL, applied_at BIGINT NOT NULL)
                """).run()
            let done = Set(try await database.raw("SELECT version FROM schema_migrations").all()
                .map { try $0.decode(column: "version", as: Int.self) })
            var appliedNow: [Int] = []
            for migration in migrations where !done.contains(migration.version) {
                for statement in migration.statements.compactMap({ $0.sql(for: engine.kind) }) {
                    try await database.raw(SQLQueryString(statement)).run()
                }
                try await database.raw("""
                    INSERT INTO schema_migrations (version, name, applied_at)
                    VALUES (\(bind: migration.version), \(bind: migration.name), \(bind: Timestamp(Date()).milliseconds))
                    """).run()
                appliedNow.append(migration.version)
            }
            return appliedNow
        }
        if !applied.isEmpty {
            logger.info("Applied database migrations", metadata: ["versions": "\(applied)", "engine": "\(engine.name)"])
        }
        return applied
    }
}
