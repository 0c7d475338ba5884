import Foundation
import GlobalStacksDomain
import Logging
import SQLKit

/// The store: one SQL implementation of every repository, run on SQLite or PostgreSQL through a `DatabaseEngine`.
public final class SQLStore: Sendable {
    public let engine: any DatabaseEngine

    public init(engine: any DatabaseEngine) {
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

    /// The first free slug among `base`, `base-2`, `base-3`, … where `isTaken` says which are used.
    func firstFreeSlug(_ base: Slug, isTaken: (Slug) async throws -> Bool) async throws -> Slug {
        if try await !isTaken(base) { return base }
        for number in 2...100 where try await !isTaken(base.suffixed(number)) {
            return base.suffixed(number)
        }
        return base.suffixed(Int.random(in: 1_000...999_999))
    }
}
