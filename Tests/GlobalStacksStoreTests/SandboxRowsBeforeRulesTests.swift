import Foundation
import GlobalStacksDomain
@testable import GlobalStacksStore
import GlobalStacksTestSupport
import SQLKit
import Testing

/// A rule for new sandboxes never makes a stored one unreadable: a sandbox created before the process-input rule
/// (a DEL in an argument was accepted then) is still listed, shown and delivered, else its tenant's list answered 500.
@Suite("Store conformance: sandboxes stored before a rule")
struct SandboxRowsBeforeRulesTests {
    @Test(arguments: TestEngine.available)
    func aSandboxWithControlCharactersStoredBeforeTheRuleIsStillRead(engine: TestEngine) async throws {
        try await TestDatabase.make(engine).withSQLStore { store in
            let world = try await SandboxConformanceTests.world(store)
            let created = try await store.createSandbox(
                try SandboxConformanceTests.spec(), createdBy: world.ada.id, scope: world.scope, commandDeadline: SandboxConformanceTests.deadline, at: Date()
            )
            let command = #"["printf","a\u007f"]"#
            try await store.engine.transaction { sql in
                try await sql.raw("""
                    UPDATE sandboxes SET command = \(bind: command) WHERE id = \(bind: created.sandbox.id.rawValue)
                    """).run()
            }
            let read = try await store.sandbox(id: created.sandbox.id, scope: world.scope)
            #expect(read?.spec.command == ["printf", "a\u{7F}"])
            #expect(try await store.sandboxes(scope: world.scope, filter: SandboxFilter()).map(\.id) == [created.sandbox.id])
            #expect(try await store.pendingCommands(agentIDs: [world.agent.id], limit: 10).map(\.sandbox.id) == [created.sandbox.id])
        }
    }
}
