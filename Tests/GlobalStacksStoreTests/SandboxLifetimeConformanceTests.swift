import Foundation
import GlobalStacksDomain
import GlobalStacksStore
import GlobalStacksTestSupport
import Testing

/// A sandbox's lifetime (stopped, then deleted, once it passes; moved by its client; ended at once on request) and
/// the access credentials that reach one sandbox, on both engines.
@Suite("Store conformance: sandbox lifetimes and access credentials")
struct SandboxLifetimeConformanceTests {
    static func spec(lifetime: Int?, publicPorts: Bool = true) throws -> SandboxSpec {
        try SandboxSpec(
            name: nil, template: nil, command: ["sleep", "600"], cpu: nil, memory: nil, storage: nil, environment: ["TOKEN": "secret"], labels: nil,
            network: nil, idleTimeoutSeconds: nil, idleAction: nil, region: nil, clusterID: nil, requiredCapabilities: nil,
            lifetimeSeconds: lifetime, publicPorts: publicPorts
        )
    }

    @Test(arguments: TestEngine.available)
    func anExpiredSandboxIsStoppedThenDeletedAndItsExpiryMoves(engine: TestEngine) async throws {
        try await TestDatabase.make(engine).withStore { store in
            let world = try await SandboxConformanceTests.world(store)
            let now = Date()
            let deadline = now.addingTimeInterval(300)
            let created = try await store.createSandbox(try Self.spec(lifetime: 60), createdBy: world.ada.id, scope: world.scope, commandDeadline: deadline, at: now)
            #expect(created.sandbox.expiresAt == now.truncatedToStoredPrecision.addingTimeInterval(60))
            #expect(try await store.publicSandbox(AccessPolicy.publicPortScope(created.sandbox.id))?.id == created.sandbox.id, "public ports: found by id")
            let stored = try #require(try await store.sandbox(id: created.sandbox.id, scope: world.scope))
            #expect(stored.expiresAt == created.sandbox.expiresAt && stored.spec.lifetimeSeconds == 60 && stored.spec.publicPorts)
            _ = try await store.recordCommandReport(.completed(created.command.id), agentID: world.agent.id, at: now)

            // Moved later: nothing happens at the first expiry.
            let moved = try await store.setSandboxExpiry(id: created.sandbox.id, expiresAt: now.addingTimeInterval(120), scope: world.scope, at: now)
            #expect(moved.expiresAt == now.addingTimeInterval(120).truncatedToStoredPrecision)
            #expect(try await store.reconcileExpiredSandboxes(commandDeadline: deadline, at: now.addingTimeInterval(61)).isEmpty)

            let stop = try await store.reconcileExpiredSandboxes(commandDeadline: deadline, at: now.addingTimeInterval(121))
            #expect(stop.map(\.sandbox.state) == [.stopping] && stop.map(\.command.action) == [.stopSession])
            #expect(try await store.reconcileExpiredSandboxes(commandDeadline: deadline, at: now.addingTimeInterval(122)).isEmpty, "stopping: wait")
            _ = try await store.recordCommandReport(.completed(stop[0].command.id), agentID: world.agent.id, at: now.addingTimeInterval(122))

            let delete = try await store.reconcileExpiredSandboxes(commandDeadline: deadline, at: now.addingTimeInterval(123))
            #expect(delete.map(\.sandbox.state) == [.terminated] && delete.map(\.command.action) == [.deleteSession])
            let ended = try #require(try await store.sandbox(id: created.sandbox.id, scope: world.scope))
            #expect(ended.state == .terminated && ended.spec.environment.isEmpty, "a deleted sandbox keeps no environment values")
            await #expect(throws: DomainError.self) {
                try await store.setSandboxExpiry(id: created.sandbox.id, expiresAt: now.addingTimeInterval(999), scope: world.scope, at: now)
            }
        }
    }

    @Test(arguments: TestEngine.available)
    func expiringASandboxNowStopsARunningOneAndDeletesAStoppedOne(engine: TestEngine) async throws {
        try await TestDatabase.make(engine).withStore { store in
            let world = try await SandboxConformanceTests.world(store)
            let now = Date()
            let deadline = now.addingTimeInterval(300)
            let running = try await store.createSandbox(try Self.spec(lifetime: nil, publicPorts: false), createdBy: world.ada.id, scope: world.scope, commandDeadline: deadline, at: now)
            #expect(try await store.publicSandbox(AccessPolicy.publicPortScope(running.sandbox.id)) == nil, "private ports: not found by id alone")
            _ = try await store.recordCommandReport(.completed(running.command.id), agentID: world.agent.id, at: now)
            let stop = try #require(try await store.expireSandbox(id: running.sandbox.id, scope: world.scope, commandDeadline: deadline, at: now))
            #expect(stop.sandbox.state == .stopping && stop.command.action == .stopSession && stop.sandbox.expiresAt != nil)
            #expect(try await store.expireSandbox(id: running.sandbox.id, scope: world.scope, commandDeadline: deadline, at: now) == nil, "between states")
            _ = try await store.recordCommandReport(.completed(stop.command.id), agentID: world.agent.id, at: now)
            let delete = try #require(try await store.expireSandbox(id: running.sandbox.id, scope: world.scope, commandDeadline: deadline, at: now))
            #expect(delete.sandbox.state == .terminated && delete.command.action == .deleteSession)
            await #expect(throws: DomainError.self) {
                try await store.expireSandbox(id: running.sandbox.id, scope: world.scope, commandDeadline: deadline, at: now)
            }
        }
    }

    @Test(arguments: TestEngine.available)
    func aSandboxAccessCredentialNamesItsSandboxAndOnlyTheNewestTwentyLast(engine: TestEngine) async throws {
        try await TestDatabase.make(engine).withStore { store in
            let world = try await SandboxConformanceTests.world(store)
            let now = Date()
            let created = try await store.createSandbox(try Self.spec(lifetime: nil), createdBy: world.ada.id, scope: world.scope, commandDeadline: now.addingTimeInterval(300), at: now)
            for index in 0..<21 {
                var new = NewCredential(
                    kind: .sandboxAccess, userID: world.ada.id, tokenHash: "sandbox-\(index)", tokenPrefix: "gsx_\(index)", name: "sandbox access",
                    expiresAt: nil, activeOrganizationID: world.organizationID
                )
                new.activeTenantID = world.scope.tenantID
                new.sandboxID = created.sandbox.id
                _ = try await store.createCredential(new, at: now.addingTimeInterval(Double(index)))
            }
            let newest = try #require(try await store.principal(tokenHash: "sandbox-20", kind: .sandboxAccess))
            #expect(newest.credential.sandboxID == created.sandbox.id && newest.tenant?.id == world.scope.tenantID)
            #expect(try await store.principal(tokenHash: "sandbox-1", kind: .sandboxAccess) != nil)
            #expect(try await store.principal(tokenHash: "sandbox-0", kind: .sandboxAccess) == nil, "the oldest beyond twenty is gone")
            #expect(try await store.principal(tokenHash: "sandbox-20", kind: .apiKey) == nil, "never an API key")
        }
    }
}
