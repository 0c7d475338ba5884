import Foundation
import GlobalStacksDomain
import GlobalStacksStore
import GlobalStacksTestSupport
import Testing

@Suite("Store conformance: provider connections and operation runs")
struct OperationRunConformanceTests {
    struct World: Sendable {
        let ada: User
        let bo: User
        let acme: Organization
        let scope: TenantScope
        let connection: ProviderConnection
    }

    static let definitions: [OperationTypeKey: OperationTypeDefinition] = Dictionary(
        uniqueKeysWithValues: [OperationTypeDefinition.directoryGroupsSync, .providerConnectionVerify, .testNoop, .testConnectionWrite].map { ($0.key, $0) }
    )

    /// ada owns acme with tenant prod and a default directory connection; bo is an admin of acme.
    static func world(_ store: any Store) async throws -> World {
        let ada = try await store.createUser(Fixtures.newUser("ada@example.com"), at: Date())
        let bo = try await store.createUser(Fixtures.newUser("bo@example.com"), at: Date())
        let acme = try await store.createOrganization(name: "Acme", Fixtures.account(ada.id), at: Date())
        let invitation = try await store.createInvitation(NewInvitation(
            email: bo.email, role: .admin, tokenHash: "bo-invite",
            tokenPrefix: "gsi_bo", expiresAt: Date().addingTimeInterval(600)
        ), Fixtures.scope(acme.id, as: ada.id), at: Date())
        _ = try await store.acceptInvitation(tokenHash: "bo-invite", Fixtures.account(bo), at: Date())
        _ = invitation
        let tenant = try await store.createTenant(name: "Prod", slug: Fixtures.slug("prod"), description: nil, Fixtures.scope(acme.id), at: Date())
        let (session, hash) = try await Fixtures.session(for: ada, store: store)
        try await store.activateOrganization(Fixtures.scope(acme.id), Fixtures.account(of: session))
        let principal = try #require(try await store.principal(tokenHash: hash, kind: .session))
        let scope = try AccessPolicy.tenantScope(for: tenant, principal)
        let connection = try await store.createProviderConnection(NewProviderConnection(
            provider: "directory-file", kind: "directory", name: "Corp", externalAccountID: "corp-1", credentialReference: "env:TOKEN",
            isDefault: true, metadata: ["directoryPath": "/srv/dir.json"]
        ), scope, at: Date())
        return World(ada: ada, bo: bo, acme: acme, scope: scope, connection: connection)
    }

    static func newRun(_ world: World, _ definition: OperationTypeDefinition = .directoryGroupsSync, by user: User? = nil, identity: String? = nil, connection: Bool = true) -> NewOperationRun {
        let connectionID = connection ? world.connection.id : nil
        return NewOperationRun(
            definition: definition, scope: world.scope, authority: user.map { .actor($0.id) } ?? .system,
            providerConnectionID: connectionID,
            identityHash: identity ?? OperationRun.identity(definition, tenantID: world.scope.tenantID, connectionID: connectionID, targetContext: [:], nonce: UUID().uuidString),
            targetContext: [:], sourceSurface: "test"
        )
    }

    /// A scope of a second tenant of acme.
    static func otherTenant(_ store: any Store, _ world: World) async throws -> TenantScope {
        let tenant = try await store.createTenant(name: "Stage \(UUID().uuidString.prefix(6))", slug: Fixtures.slug("stage-\(UUID().uuidString.prefix(6).lowercased())"), description: nil, Fixtures.scope(world.acme.id), at: Date())
        let (session, hash) = try await Fixtures.session(for: world.ada, store: store)
        try await store.activateOrganization(Fixtures.scope(world.acme.id), Fixtures.account(of: session))
        let principal = try #require(try await store.principal(tokenHash: hash, kind: .session))
        return try AccessPolicy.tenantScope(for: tenant, principal)
    }

    static func claim(_ store: any Store, _ worker: String = "w1", lease: TimeInterval = 30, at now: Date = Date()) async throws -> ClaimedRun? {
        try await store.claimRun(worker: worker, leaseDuration: lease, definitions: definitions, at: now)
    }

    @Test(arguments: TestEngine.available)
    func fiftyConcurrentIdenticalStartsAdmitOne(engine: TestEngine) async throws {
        try await TestDatabase.make(engine).withStore { store in
            let world = try await Self.world(store)
            let run = Self.newRun(world, by: world.ada)
            let admissions = try await withThrowingTaskGroup(of: RunAdmission.self) { group in
                for _ in 0..<50 { group.addTask { try await store.admitRun(run, at: Date()) } }
                return try await group.reduce(into: []) { $0.append($1) }
            }
            let accepted = admissions.compactMap { if case .accepted(let run) = $0 { run } else { nil } }
            let deduped = admissions.compactMap { if case .deduped(let run) = $0 { run } else { nil } }
            #expect(accepted.count == 1)
            #expect(deduped.count == 49)
            #expect(Set(deduped.map(\.id)) == Set(accepted.map(\.id)), "every deduped answer points at the accepted run")
            #expect(try await store.operationRuns(world.scope, status: nil, operationType: nil, limit: 100).count == 1)
        }
    }

    @Test(arguments: TestEngine.available)
    func aDifferentOperationOnTheSameScopeFindsItBusy(engine: TestEngine) async throws {
        try await TestDatabase.make(engine).withStore { store in
            let world = try await Self.world(store)
            guard case .accepted(let sync) = try await store.admitRun(Self.newRun(world, by: world.ada), at: Date()) else {
                Issue.record("first start must be accepted"); return
            }
            #expect(try await store.admitRun(Self.newRun(world, .providerConnectionVerify, by: world.ada), at: Date()) == .scopeBusy(sync))
            // Operations without a protected scope never wait for each other.
            for _ in 0..<3 {
                guard case .accepted = try await store.admitRun(Self.newRun(world, .testNoop, by: world.ada, connection: false), at: Date()) else {
                    Issue.record("unscoped unique-per-request starts are all accepted"); return
                }
            }
            // Once the holder finishes, the scope is free again.
            let claimed = try #require(try await Self.claim(store))
            #expect(claimed.run.id == sync.id)
            #expect(try await store.finishRun(id: sync.id, worker: "w1", outcome: .succeeded, reason: nil, nextSteps: [], decision: nil, result: [:], at: Date()))
            guard case .accepted = try await store.admitRun(Self.newRun(world, .providerConnectionVerify, by: world.ada), at: Date()) else {
                Issue.record("the freed scope admits the next operation"); return
            }
        }
    }

    @Test(arguments: TestEngine.available)
    func blockedStartsLeaveATerminalRun(engine: TestEngine) async throws {
        try await TestDatabase.make(engine).withStore { store in
            let world = try await Self.world(store)
            let reason = RunReason.legitimacy(.providerConnectionInvalid, detail: "Connection 1 is needs_reauth.")
            let steps = reason.nextSteps(connectionHref: "/v1/integrations/1")
            let blocked = try await store.recordBlockedRun(Self.newRun(world, by: world.ada), reason: reason, decision: nil, nextSteps: steps, at: Date())
            #expect(blocked.executionStatus == .completed && blocked.outcome == .blocked)
            #expect(blocked.reasonCode == "provider_connection_invalid" && blocked.nextSteps == steps)
            #expect(blocked.startedAt == nil && blocked.completedAt != nil)
            // A blocked run holds neither its identity nor its scope.
            guard case .accepted = try await store.admitRun(Self.newRun(world, by: world.ada, identity: "same"), at: Date()) else {
                Issue.record("blocked runs do not dedupe"); return
            }
            #expect(try await Self.claim(store) != nil)
        }
    }

    @Test(arguments: TestEngine.available)
    func anExpiredLeaseHandsTheRunToAnotherWorker(engine: TestEngine) async throws {
        try await TestDatabase.make(engine).withStore { store in
            let world = try await Self.world(store)
            guard case .accepted(let run) = try await store.admitRun(Self.newRun(world, by: world.ada), at: Date()) else { return }
            let now = Date()
            let first = try #require(try await Self.claim(store, "dead-worker", lease: 30, at: now))
            #expect(first.run.id == run.id && first.run.attempts == 1)
            #expect(first.started && first.decision.allowed, "claimed and started in one transaction")
            #expect(try await Self.claim(store, "w2", at: now.addingTimeInterval(10)) == nil, "a live lease is respected")
            // The dead worker never renews; after its lease expires another worker claims the run again.
            let second = try #require(try await Self.claim(store, "w2", at: now.addingTimeInterval(31)))
            #expect(second.run.id == run.id && second.run.attempts == 2)
            #expect(try await store.renewLease(id: run.id, worker: "dead-worker", leaseDuration: 30, at: now.addingTimeInterval(32)) == nil)
            #expect(try await !store.finishRun(id: run.id, worker: "dead-worker", outcome: .succeeded, reason: nil, nextSteps: [], decision: nil, result: [:], at: Date()), "the old owner's result is refused")
            #expect(try await store.finishRun(id: run.id, worker: "w2", outcome: .succeeded, reason: nil, nextSteps: [], decision: nil, result: ["ok": "1"], at: Date()))
            let finished = try #require(try await store.operationRun(id: run.id, world.scope))
            #expect(finished.outcome == .succeeded && finished.result == ["ok": "1"] && finished.attempts == 2)
        }
    }

    @Test(arguments: TestEngine.available)
    func concurrentWorkersClaimDifferentRuns(engine: TestEngine) async throws {
        try await TestDatabase.make(engine).withStore { store in
            let world = try await Self.world(store)
            for _ in 0..<20 {
                _ = try await store.admitRun(Self.newRun(world, .testNoop, by: world.ada, connection: false), at: Date())
            }
            let claimed = try await withThrowingTaskGroup(of: [OperationRunID].self) { group in
                for worker in 0..<4 {
                    group.addTask {
                        var mine: [OperationRunID] = []
                        while let claim = try await Self.claim(store, "w\(worker)") { mine.append(claim.run.id) }
                        return mine
                    }
                }
                return try await group.reduce(into: []) { $0 += $1 }
            }
            #expect(claimed.count == 20)
            #expect(Set(claimed).count == 20, "no run is claimed twice")
        }
    }

    @Test(arguments: TestEngine.available)
    func retriesWaitForTheirBackoff(engine: TestEngine) async throws {
        try await TestDatabase.make(engine).withStore { store in
            let world = try await Self.world(store)
            _ = try await store.admitRun(Self.newRun(world, .testNoop, by: world.ada, connection: false), at: Date())
            let now = Date()
            let claim = try #require(try await Self.claim(store, at: now))
            #expect(try await store.retryRun(id: claim.run.id, worker: "w1", availableAt: now.addingTimeInterval(60), error: "flaky", at: now))
            #expect(try await Self.claim(store, at: now.addingTimeInterval(1)) == nil)
            let again = try #require(try await Self.claim(store, at: now.addingTimeInterval(61)))
            #expect(again.run.attempts == 2 && again.run.shortReason?.contains("flaky") == true)
        }
    }

    @Test(arguments: TestEngine.available)
    func claimsCarryTheCurrentStateForLegitimacy(engine: TestEngine) async throws {
        try await TestDatabase.make(engine).withStore { store in
            let world = try await Self.world(store)
            _ = try await store.admitRun(Self.newRun(world, by: world.bo), at: Date())
            // Between queueing and execution bo is demoted to member: the decision must see the current role.
            _ = try await store.changeMemberRole(member: world.bo.id, to: .member, Fixtures.scope(world.acme.id, as: world.ada.id), at: Date())
            let claim = try #require(try await Self.claim(store))
            let decision = claim.decision
            #expect(!claim.started)
            #expect(!decision.allowed && decision.reasonCode == .missingCapability && decision.retryable == false)
            #expect(decision.targetScope.providerConnectionID == world.connection.id.rawValue)
            #expect(decision.initiator?.identityType == .user && (decision.initiator?.userID ?? 0) >= 1)
            let reason = RunReason.legitimacy(.missingCapability, detail: decision.metadata?["detail"] ?? "")
            #expect(try await store.finishRun(id: claim.run.id, worker: "w1", outcome: .blocked, reason: reason, nextSteps: [], decision: decision, result: [:], at: Date()))
            let blocked = try #require(try await store.operationRun(id: claim.run.id, world.scope))
            #expect(blocked.outcome == .blocked && blocked.startedAt == nil && blocked.legitimacy == decision)

            // A system run on a suspended tenant is refused as not operable.
            _ = try await store.updateTenant(world.scope, at: Date()) { $0.status = .suspended }
            _ = try await store.admitRun(Self.newRun(world, .testNoop, connection: false), at: Date())
            let system = try #require(try await Self.claim(store))
            #expect(system.run.authority == .system)
            #expect(system.decision.reasonCode == .tenantNotOperable && system.decision.initiator?.identityType == .system)
        }
    }

    @Test(arguments: TestEngine.available)
    func bootstrapAdmitsOneOperationAtATime(engine: TestEngine) async throws {
        try await TestDatabase.make(engine).withStore { store in
            let world = try await Self.world(store)
            let (admission, waiting) = try await store.admitBootstrap(
                first: Self.newRun(world, .providerConnectionVerify, by: world.ada),
                waiting: [Self.newRun(world, .directoryGroupsSync, by: world.ada), Self.newRun(world, .testConnectionWrite, by: world.ada)], at: Date()
            )
            guard case .accepted(let first) = admission else { Issue.record("first is accepted"); return }
            #expect(waiting.map(\.executionStatus) == [.waiting, .waiting])
            #expect(Set(waiting.compactMap(\.bootstrapID)) == [try #require(first.bootstrapID)])
            var order: [OperationTypeKey] = []
            while let claim = try await Self.claim(store) {
                order.append(claim.run.operationType)
                #expect(try await Self.claim(store, "w2") == nil, "the next one waits until this one finishes")
                #expect(try await store.finishRun(id: claim.run.id, worker: "w1", outcome: .succeeded, reason: nil, nextSteps: [], decision: nil, result: [:], at: Date()))
            }
            #expect(order == [first.operationType, waiting[0].operationType, waiting[1].operationType])
        }
    }

    @Test(arguments: TestEngine.available)
    func cancellation(engine: TestEngine) async throws {
        try await TestDatabase.make(engine).withStore { store in
            let world = try await Self.world(store)
            guard case .accepted(let queued) = try await store.admitRun(Self.newRun(world, by: world.ada), at: Date()) else { return }
            let cancelled = try await store.cancelRun(id: queued.id, world.scope, at: Date())
            #expect(cancelled.executionStatus == .completed && cancelled.outcome == .cancelled)
            #expect(await DomainError.caught { _ = try await store.cancelRun(id: queued.id, world.scope, at: Date()) }?.kind == .conflict)
            #expect(await DomainError.caught { _ = try await store.cancelRun(id: queued.id, try await Self.otherTenant(store, world), at: Date()) }?.kind == .notFound)
            #expect(try await store.operationRun(id: queued.id, try await Self.otherTenant(store, world)) == nil, "runs are read through their tenant's scope")
            #expect(try await store.operationRunTenant(id: queued.id, Fixtures.scope(world.acme.id))?.id == world.scope.tenantID, "found among the organization's tenants")
            let elsewhere = try await store.createOrganization(name: "Elsewhere", Fixtures.account(world.ada), at: Date())
            #expect(try await store.operationRunTenant(id: queued.id, Fixtures.scope(elsewhere.id)) == nil, "not from another organization")

            guard case .accepted(let running) = try await store.admitRun(Self.newRun(world, by: world.ada), at: Date()) else { return }
            let claim = try #require(try await Self.claim(store))
            #expect(claim.started)
            #expect(try await store.renewLease(id: running.id, worker: "w1", leaseDuration: 30, at: Date()) == false)
            let requested = try await store.cancelRun(id: running.id, world.scope, at: Date())
            #expect(requested.executionStatus == .running && requested.cancelRequested)
            #expect(try await store.renewLease(id: running.id, worker: "w1", leaseDuration: 30, at: Date()) == true, "the worker learns of the request")
            #expect(try await !store.retryRun(id: running.id, worker: "w1", availableAt: Date(), error: "x", at: Date()), "a cancelled run is not retried")
            // Its worker dies; the next claim sees the request and must not run it again.
            let reclaimed = try #require(try await Self.claim(store, "w2", at: Date().addingTimeInterval(31)))
            #expect(reclaimed.run.cancelRequested)
            #expect(!reclaimed.started, "a run whose cancellation was requested is not started again")
        }
    }

    @Test(arguments: TestEngine.available)
    func reaperAndRetention(engine: TestEngine) async throws {
        try await TestDatabase.make(engine).withStore { store in
            let world = try await Self.world(store)
            guard case .accepted(let stuck) = try await store.admitRun(Self.newRun(world, by: world.ada), at: Date()) else { return }
            let later = Date().addingTimeInterval(OperationTypeDefinition.directoryGroupsSync.deadline + 1)
            #expect(try await store.failOverdueRuns(at: Date()).isEmpty)
            // A live worker enforces the deadline itself; the reaper only takes runs nobody holds.
            _ = try #require(try await Self.claim(store, at: later.addingTimeInterval(-10)))
            #expect(try await store.failOverdueRuns(at: later).isEmpty)
            #expect(try await store.failOverdueRuns(at: later.addingTimeInterval(21)) == [stuck.id])
            let failed = try #require(try await store.operationRun(id: stuck.id, world.scope))
            #expect(failed.outcome == .failed && failed.reasonCode == "deadline_exceeded" && !failed.nextSteps.isEmpty)
            #expect(try await store.pruneRuns(completedBefore: Date().addingTimeInterval(-60), limit: 10) == 0)
            #expect(try await store.pruneRuns(completedBefore: later.addingTimeInterval(22), limit: 10) == 1)
            #expect(try await store.operationRun(id: stuck.id, world.scope) == nil)
        }
    }

    @Test(arguments: TestEngine.available)
    func providerConnections(engine: TestEngine) async throws {
        try await TestDatabase.make(engine).withStore { store in
            let world = try await Self.world(store)
            let second = try await store.createProviderConnection(NewProviderConnection(
                provider: "directory-file", kind: "directory", name: "Corp 2", externalAccountID: nil, credentialReference: "file:/srv/token",
                isDefault: true, metadata: [:]
            ), world.scope, at: Date())
            let connections = try await store.providerConnections(world.scope)
            #expect(connections.filter(\.isDefault).map(\.id) == [second.id], "one default per provider")
            #expect(await DomainError.caught {
                _ = try await store.createProviderConnection(NewProviderConnection(
                    provider: "directory-file", kind: "directory", name: "Corp", externalAccountID: nil, credentialReference: "env:X", isDefault: false, metadata: [:]
                ), world.scope, at: Date())
            }?.kind == .conflict)
            let paused = try await store.updateProviderConnection(id: world.connection.id, world.scope, at: Date()) {
                $0.writesPaused = true
                $0.isDefault = true
            }
            #expect(paused.writesPaused && paused.isDefault)
            #expect(try await store.providerConnection(id: second.id, world.scope)?.isDefault == false)
            try await store.deleteProviderConnection(id: second.id, world.scope, at: Date())
            #expect(try await store.providerConnections(world.scope).map(\.id) == [world.connection.id])
            #expect(await DomainError.caught { try await store.deleteProviderConnection(id: second.id, world.scope, at: Date()) }?.kind == .notFound)

            let change = try await store.replaceDirectoryGroups(connectionID: world.connection.id, world.scope, groups: [
                DirectoryGroup(externalID: "g1", displayName: "Eng"), DirectoryGroup(externalID: "g2", displayName: "Ops"),
            ], at: Date())
            #expect(change == (2, 0, 0))
            let resync = try await store.replaceDirectoryGroups(connectionID: world.connection.id, world.scope, groups: [
                DirectoryGroup(externalID: "g1", displayName: "Engineering"), DirectoryGroup(externalID: "g3", displayName: "Sales"),
            ], at: Date())
            #expect(resync == (1, 1, 1))
            #expect(try await store.directoryGroups(connectionID: world.connection.id, world.scope).map(\.externalID) == ["g1", "g3"])
        }
    }
}
