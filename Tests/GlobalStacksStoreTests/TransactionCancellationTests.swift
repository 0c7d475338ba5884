import Foundation
@testable import GlobalStacksStore
import GlobalStacksTestSupport
import SQLKit
import Testing

/// A task cancelled inside a transaction (a run past its deadline, a shutdown) must leave the store as it was and
/// fully writable: the transaction is rolled back whatever happens to the task.
@Suite("Store conformance: transactions and cancellation")
struct TransactionCancellationTests {
    @Test(arguments: TestEngine.available)
    func aCancelledTransactionRollsBackAndLeavesTheStoreWritable(engine: TestEngine) async throws {
        try await TestDatabase.make(engine).withSQLStore { store in
            try await store.engine.transaction { try await $0.raw("CREATE TABLE cancellation_probe (id INTEGER NOT NULL)").run() }
            // More rounds than PostgreSQL pool connections are likely to be reused, so a leaked transaction would show.
            for round in 0..<5 {
                let (inside, entered) = AsyncStream.makeStream(of: Void.self)
                let task = Task {
                    try await store.engine.transaction { database in
                        try await database.raw("INSERT INTO cancellation_probe (id) VALUES (\(bind: round))").run()
                        entered.yield()
                        try await Task.sleep(for: .seconds(60))
                    }
                }
                for await _ in inside { break }
                task.cancel()
                #expect(await task.result.isFailure, "round \(round): the cancelled transaction fails")
            }
            // Every write after it works, and nothing the cancelled transactions wrote was kept.
            for id in 100..<120 {
                try await store.engine.transaction { try await $0.raw("INSERT INTO cancellation_probe (id) VALUES (\(bind: id))").run() }
            }
            _ = try await store.createUser(Fixtures.newUser("after-cancel@example.com"), at: Date())
            let ids = try await store.engine.read { database in
                try await database.raw("SELECT id FROM cancellation_probe ORDER BY id").all().map { try $0.decode(column: "id", as: Int.self) }
            }
            #expect(ids == Array(100..<120))
        }
    }
}

private extension Result {
    var isFailure: Bool {
        if case .failure = self { return true }
        return false
    }
}
