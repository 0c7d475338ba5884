import Foundation
import GlobalStacksStore
import Logging
import ServiceLifecycle

/// The two engines every store and end-to-end test runs on.
public enum TestEngine: String, CaseIterable, Sendable {
    case sqlite
    case postgres

    /// SQLite always; PostgreSQL when its server is installed (always in CI, where it is required).
    public static let available: [TestEngine] = {
        if TemporaryPostgres.isAvailable { return [.sqlite, .postgres] }
        if TemporaryPostgres.isRequired { fatalError("GSTACKS_REQUIRE_POSTGRES=1 but the PostgreSQL server is not installed.") }
        FileHandle.standardError.write(Data("NOTE: PostgreSQL server binaries not found; PostgreSQL store tests are skipped. Install the postgresql package to run them.\n".utf8))
        return [.sqlite]
    }()
}

/// A fresh, empty database of one engine, described as a location and opened as a store.
public struct TestDatabase: Sendable {
    public let engine: TestEngine
    /// The SQLite file path or the PostgreSQL URL.
    public let location: String

    public static func make(_ engine: TestEngine) async throws -> TestDatabase {
        switch engine {
        case .sqlite:
            let directory = FileManager.default.temporaryDirectory.appendingPathComponent("gstacks-test-\(UUID().uuidString)")
            return TestDatabase(engine: engine, location: directory.appendingPathComponent("gstacks.sqlite").path)
        case .postgres:
            return TestDatabase(engine: engine, location: try await TemporaryPostgres.shared.makeDatabase())
        }
    }

    public static var logger: Logger {
        var logger = Logger(label: "gstacks.test")
        logger.logLevel = .warning
        return logger
    }

    /// Opens a migrated store, runs `body`, and closes the store again.
    public func withStore<T: Sendable>(_ body: @Sendable (any Store) async throws -> T) async throws -> T {
        try await withOpenedStore { opened in
            try await opened.migrate(logger: Self.logger)
            return try await body(opened.store)
        }
    }

    /// Opens the database without migrating it (migration tests start from earlier versions), runs `body`, and
    /// closes it again.
    public func withOpenedStore<T: Sendable>(_ body: @Sendable (StoreHandle) async throws -> T) async throws -> T {
        let opened = try await StoreHandle.open(engine == .sqlite ? .sqlite(path: location) : .postgres(url: location), logger: Self.logger)
        guard let connectionPool = opened.connectionPool else {
            do {
                let result = try await body(opened)
                await opened.shutdown()
                return result
            } catch {
                await opened.shutdown()
                throw error
            }
        }
        return try await withThrowingTaskGroup(of: Void.self) { group in
            group.addTask { try await connectionPool.run() }
            defer { group.cancelAll() }
            return try await body(opened)
        }
    }
}
