import Foundation
import GlobalStacksDomain
import GlobalStacksStore
import GlobalStacksTestSupport
import Testing

/// A write that stores an agent command wakes whoever listens on the commands channel once it commits: PostgreSQL
/// through NOTIFY, SQLite in-process. The dispatcher relies on it; no writer signals it.
@Suite("Store conformance: notifications")
struct StoreNotificationTests {
    @Test(arguments: TestEngine.available)
    func aStoredCommandNotifiesItsListenersOnCommit(_ engine: TestEngine) async throws {
        try await TestDatabase.make(engine).withOpenedStore { opened in
            try await opened.migrate(logger: TestDatabase.logger)
            let store = opened.store
            let world = try await SandboxConformanceTests.world(store)
            let (notifications, received) = AsyncStream.makeStream(of: Void.self)
            let listener = Task {
                await opened.listen(.commands, for: "test", logger: TestDatabase.logger) { received.yield() }
            }
            defer { listener.cancel() }
            // PostgreSQL's LISTEN is issued on a connection of the listening task: give it a moment to be in place.
            try await Task.sleep(for: .milliseconds(500))
            _ = try await store.createSandbox(
                try SandboxConformanceTests.spec(), createdBy: world.ada.id, scope: world.scope, commandDeadline: SandboxConformanceTests.deadline,
                at: Date()
            )
            let notified = await withTaskGroup(of: Bool.self) { group in
                group.addTask {
                    for await _ in notifications { return true }
                    return false
                }
                group.addTask {
                    try? await Task.sleep(for: .seconds(5))
                    return false
                }
                let first = await group.next() ?? false
                group.cancelAll()
                return first
            }
            received.finish()
            #expect(notified, "no notification on the commands channel within 5 s of storing a start_session command")
        }
    }
}
