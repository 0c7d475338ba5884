import Foundation
import GlobalStacksDomain
import Logging
import SQLKit

/// The store: one SQL implementation of every repository, run on SQLite or PostgreSQL through a `DatabaseEngine`.
/// Internal with its engine: outside this module the store is its repository protocols, opened through `StoreHandle`.
final class SQLStore: StoreMaintenance {
    let engine: any DatabaseEngine

    init(engine: any DatabaseEngine) {
        self.engine = engine
    }

    /// Applies pending schema migrations; safe when several replicas start at once.
    public func migrate(logger: Logger) async throws {
        try await Migrator(engine: engine, logger: logger).migrate()
    }

    /// Succeeds when the database answers a query (readiness).
    public func ping() async throws {
        _ = try await engine.read { database in
            try await database.raw("SELECT 1 AS one").first()
        }
    }

    /// Runs `body` and turns a unique-constraint violation into a conflict with `message`.
    func uniquely<T>(_ message: @autoclosure () -> String, _ body: () async throws -> T) async throws -> T {
        do {
            return try await body()
        } catch where engine.isUniqueViolation(error) {
            throw DomainError.conflict(message())
        }
    }

    /// Inserts a row under the first free slug among `base`, `base-2`, … `base-100`, then a random number.
    /// `insert` runs `INSERT … ON CONFLICT DO NOTHING RETURNING …` and says whether a row went in, so a slug taken
    /// by a concurrent transaction moves on to the next candidate instead of failing the transaction.
    func insertWithFreeSlug(_ base: Slug, _ insert: (Slug) async throws -> Bool) async throws -> Slug {
        let candidates = [base] + (2...100).map { base.suffixed($0) } + [base.suffixed(Int.random(in: 1_000...999_999))]
        for candidate in candidates where try await insert(candidate) {
            return candidate
        }
        throw DomainError.conflict("No free slug near '\(base)'; choose a different name or slug.")
    }
}
