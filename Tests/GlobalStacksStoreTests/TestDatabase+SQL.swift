@testable import GlobalStacksStore
import GlobalStacksTestSupport

/// What only this module's tests reach: the SQL implementation and its engine, internal to the store.
extension TestDatabase {
    /// Opens a migrated store as its SQL implementation (for raw SQL and transactions), runs `body`, and closes it.
    func withSQLStore<T: Sendable>(_ body: @Sendable (SQLStore) async throws -> T) async throws -> T {
        try await withOpenedStore { opened in
            try await opened.migrate(logger: Self.logger)
            return try await body(opened.sqlStore)
        }
    }

    /// Opens the database's engine without migrating it, runs `body`, and closes it.
    func withEngine<T: Sendable>(_ body: @Sendable (any DatabaseEngine) async throws -> T) async throws -> T {
        try await withOpenedStore { try await body($0.engine) }
    }
}
