import Foundation
import GlobalStacksDomain
import GlobalStacksStore
import GlobalStacksTestSupport
import Testing

@Suite("Store conformance: sandboxes, commands and quotas")
struct SandboxConformanceTests {
    struct World: Sendable {
        let ada: User
        let scope: TenantScope
        let organizationID: OrganizationID
        let agent: Agent
    }

    /// ada's tenant with one approved agent online (capacity: `maxSessions` sandboxes, 4 CPUs, 8Gi).
    static func world(_ store: any Store, maxSessions: Int = 50) async throws -> World {
        let agents = try await AgentConformanceTests.world(store)
        _ = try await AgentConformanceTests.token(store, agents, hash: "t1", singleUse: false)
        var registration = AgentConformanceTests.registration("host-1")
        registration = AgentRegistration(
            name: registration.name, platform: registration.platform, region: "eu-1",
            capacity: AgentCapacity(maxSessions: maxSessions, cpu: CPUQuantity(millicores: 4000), memory: ByteQuantity(bytes: 8 << 30)),
            capabilities: registration.capabilities, metadata: [:]
        )
        let enrolled = try await store.registerAgent(registration, provisioningTokenHash: "t1", keyHash: "k1", keyPrefix: "gsa_k1", at: Date())
        let agent = try await store.updateAgent(id: enrolled.id, .tenant(agents.scope), at: Date()) { $0.approval = .approved }
        try await store.markAgentConnected(agent.id, connectionID: "c1", at: Date())
        return World(ada: agents.ada, scope: agents.scope, organizationID: agents.scope.organizationID, agent: agent)
    }

    static func spec(cpu: Int64 = 500, memory: Int64 = 256 << 20, region: String? = nil, capabilities: [String] = []) throws -> SandboxSpec {
        try SandboxSpec(
            name: nil, template: nil, command: ["sleep", "600"], cpu: CPUQuantity(millicores: cpu), memory: ByteQuantity(bytes: memory),
            storage: nil, environment: ["TOKEN": "secret"], labels: ["team": "a"], network: nil, idleTimeoutSeconds: nil, idleAction: nil,
            region: region, clusterID: nil, requiredCapabilities: capabilities
        )
    }

    static let deadline = Date().addingTimeInterval(300)

    @Test(arguments: TestEngine.available)
    func aSandboxIsPlacedStoredWithItsStartCommandAndDrivenByReports(engine: TestEngine) async throws {
        try await TestDatabase.make(engine).withStore { store in
            let world = try await Self.world(store)
            let created = try await store.createSandbox(try Self.spec(), createdBy: world.ada.id, scope: world.scope, commandDeadline: Self.deadline, at: Date())
            #expect(created.sandbox.state == .pending && created.sandbox.agentID == world.agent.id)
            #expect(created.command.action == .startSession && created.command.status == .pending)
            #expect(try await store.sandbox(id: created.sandbox.id, scope: world.scope) == created.sandbox, "the spec round-trips")
            #expect(try await store.sandboxes(scope: world.scope, filter: SandboxFilter(labels: ["team": "a"])).count == 1)
            #expect(try await store.sandboxes(scope: world.scope, filter: SandboxFilter(state: .running)).isEmpty)

            let pending = try await store.pendingCommands(agentIDs: [world.agent.id], limit: 10)
            #expect(pending.map(\.command.id) == [created.command.id] && pending.first?.sandbox.spec.environment == ["TOKEN": "secret"])
            try await store.markCommandsSent([created.command.id], at: Date())
            #expect(try await store.pendingCommands(agentIDs: [world.agent.id], limit: 10).isEmpty)
            #expect(try await store.unfinishedCommands(agentID: world.agent.id).map(\.command.status) == [.sent], "sent commands are redelivered on reconnect")

            let acked = try await store.recordCommandReport(.acknowledged(created.command.id), agentID: world.agent.id, at: Date())
            #expect(acked?.status == .ack)
            #expect(try await store.sandbox(id: created.sandbox.id, scope: world.scope)?.state == .starting)
            #expect(try await store.recordCommandReport(.completed(created.command.id), agentID: AgentID.generate(), at: Date()) == nil, "another agent's report changes nothing")
            #expect(try await store.recordCommandReport(.completed(created.command.id), agentID: world.agent.id, at: Date())?.status == .completed)
            #expect(try await store.recordCommandReport(.completed(created.command.id), agentID: world.agent.id, at: Date()) == nil, "a repeated report is ignored")
            #expect(try await store.sandbox(id: created.sandbox.id, scope: world.scope)?.state == .running)

            let stop = try await store.requestSandbox(.stop, id: created.sandbox.id, scope: world.scope, commandDeadline: Self.deadline, at: Date())
            #expect(stop.sandbox.state == .stopping && stop.command.action == .stopSession)
            #expect(await DomainError.caught {
                _ = try await store.requestSandbox(.hibernate, id: created.sandbox.id, scope: world.scope, commandDeadline: Self.deadline, at: Date())
            }?.kind == .conflict)
            // The process ended on its own while the stop was on its way: the report and the completion agree.
            let reported = try await store.recordSandboxStatus(created.sandbox.id, state: .stopped, exitStatus: 0, error: nil, agentID: world.agent.id, at: Date())
            #expect(reported?.state == .stopped && reported?.exitStatus == 0)
            _ = try await store.recordCommandReport(.completed(stop.command.id), agentID: world.agent.id, at: Date())
            #expect(try await store.sandbox(id: created.sandbox.id, scope: world.scope)?.state == .stopped)
            #expect(try await store.commands(sandboxID: created.sandbox.id, scope: world.scope).map(\.status) == [.completed, .completed])
            #expect(try await store.recordSandboxStatus(created.sandbox.id, state: .running, exitStatus: nil, error: nil, agentID: world.agent.id, at: Date()) == nil,
                    "agents report only that a process ended")
            let deleted = try await store.deleteSandbox(id: created.sandbox.id, scope: world.scope, commandDeadline: Self.deadline, at: Date())
            #expect(deleted.sandbox.state == .terminated && deleted.command.action == .deleteSession, "the agent is told to remove its directory")
            _ = try await store.recordCommandReport(.failed(deleted.command.id, error: "no such directory"), agentID: world.agent.id, at: Date())
            #expect(try await store.sandbox(id: created.sandbox.id, scope: world.scope)?.state == .terminated, "a failed clean-up leaves it deleted")
            #expect(try await store.sandbox(id: created.sandbox.id, scope: world.scope)?.spec.environment == [:], "secrets are dropped on delete")
            #expect(try await store.sandboxes(scope: world.scope, filter: SandboxFilter()).isEmpty, "terminated sandboxes are listed only on request")
            #expect(try await store.sandboxes(scope: world.scope, filter: SandboxFilter(state: .terminated)).count == 1)
            #expect(try await store.pruneSandboxes(terminatedBefore: Date().addingTimeInterval(-60)) == 0)
            #expect(try await store.pruneSandboxes(terminatedBefore: Date().addingTimeInterval(60)) == 1)
            #expect(try await store.sandbox(id: created.sandbox.id, scope: world.scope) == nil)
        }
    }

    /// A reconnecting agent's inventory: running sandboxes it no longer has fail; processes it still runs for
    /// sandboxes that ended get a stop command (once).
    @Test(arguments: TestEngine.available)
    func anAgentsInventoryFailsLostSandboxesAndStopsOrphans(engine: TestEngine) async throws {
        try await TestDatabase.make(engine).withStore { store in
            let world = try await Self.world(store)
            func running() async throws -> Sandbox {
                let created = try await store.createSandbox(try Self.spec(), createdBy: world.ada.id, scope: world.scope, commandDeadline: Self.deadline, at: Date().addingTimeInterval(-10))
                _ = try await store.recordCommandReport(.completed(created.command.id), agentID: world.agent.id, at: Date().addingTimeInterval(-10))
                return created.sandbox
            }
            let kept = try await running()
            let lost = try await running()
            let orphan = try await running()
            // The orphan's stop missed its deadline: the control plane gave up, the agent still runs it.
            let stop = try await store.requestSandbox(.stop, id: orphan.id, scope: world.scope, commandDeadline: Date().addingTimeInterval(-1), at: Date().addingTimeInterval(-5))
            #expect(try await store.failOverdueCommands(at: Date()).map(\.id) == [stop.command.id])
            let stranger = SandboxID.generate()
            let partial = try await store.reconcileAgentInventory(
                world.agent.id, holding: [kept.id], complete: false, connectedAt: Date(), commandDeadline: Self.deadline, at: Date()
            )
            #expect(partial.lost.isEmpty, "an incomplete list fails nothing")
            let result = try await store.reconcileAgentInventory(
                world.agent.id, holding: [kept.id, orphan.id, stranger], complete: true, connectedAt: Date(), commandDeadline: Self.deadline, at: Date()
            )
            #expect(result.lost.map(\.id) == [lost.id] && result.lost.first?.state == .failed)
            #expect(result.stops.map(\.sandboxID) == [orphan.id] && result.stops.first?.action == .stopSession)
            #expect(result.unknown == [stranger], "a process of no known sandbox is reported for a direct stop")
            #expect(try await store.sandbox(id: kept.id, scope: world.scope)?.state == .running)
            let again = try await store.reconcileAgentInventory(
                world.agent.id, holding: [kept.id, orphan.id], complete: true, connectedAt: Date(), commandDeadline: Self.deadline, at: Date()
            )
            #expect(again.stops.isEmpty && again.lost.isEmpty, "a stop under way is not repeated")
        }
    }

    @Test(arguments: TestEngine.available)
    func placementRefusalsSayWhy(engine: TestEngine) async throws {
        try await TestDatabase.make(engine).withStore { store in
            let world = try await Self.world(store, maxSessions: 1)
            func refusal(_ spec: SandboxSpec) async -> String? {
                await DomainError.caught { _ = try await store.createSandbox(spec, createdBy: world.ada.id, scope: world.scope, commandDeadline: Self.deadline, at: Date()) }?.message
            }
            #expect(await refusal(try Self.spec(region: "us-1"))?.contains("region 'us-1'") == true)
            #expect(await refusal(try Self.spec(capabilities: ["gpu"]))?.contains("gpu") == true)
            #expect(await refusal(try Self.spec(cpu: 8000))?.contains("No agent is large enough") == true, "larger than the agent is not full")
            _ = try await store.createSandbox(try Self.spec(), createdBy: world.ada.id, scope: world.scope, commandDeadline: Self.deadline, at: Date())
            #expect(await refusal(try Self.spec())?.contains("full") == true, "one session of capacity is taken")
            _ = try await store.updateAgent(id: world.agent.id, .tenant(world.scope), at: Date()) { $0.drainingSince = Date() }
            #expect(await refusal(try Self.spec())?.contains("draining") == true)
            try await store.markAgentDisconnected(world.agent.id, connectionID: "c1", at: Date())
            #expect(await refusal(try Self.spec())?.contains("online") == true)
            #expect(try await store.sandboxes(scope: world.scope, filter: SandboxFilter()).count == 1, "refused sandboxes are not stored")
        }
    }

    /// 20 concurrent admissions against a user quota of 5 sandboxes: exactly 5 get in, and the refusals name the quota.
    @Test(arguments: TestEngine.available)
    func concurrentAdmissionsNeverExceedAQuota(engine: TestEngine) async throws {
        try await TestDatabase.make(engine).withStore { store in
            let world = try await Self.world(store)
            _ = try await store.setQuota(.user(world.ada.id), Fixtures.scope(world.organizationID), change: QuotaLimits(maxSessions: 5), at: Date())
            let outcomes = try await withThrowingTaskGroup(of: String?.self) { group in
                for _ in 0..<20 {
                    group.addTask {
                        await DomainError.caught {
                            _ = try await store.createSandbox(try Self.spec(cpu: 100), createdBy: world.ada.id, scope: world.scope, commandDeadline: Self.deadline, at: Date())
                        }?.message
                    }
                }
                return try await group.reduce(into: [String?]()) { $0.append($1) }
            }
            #expect(outcomes.filter { $0 == nil }.count == 5, "\(outcomes)")
            #expect(outcomes.compactMap { $0 }.allSatisfy { $0.contains("Your user quota allows 5 sandboxes; 5 are running.") }, "\(outcomes)")
            let usage = try await store.quotaUsage(.user(world.ada.id), Fixtures.scope(world.organizationID))
            #expect(usage.used.sessions == 5 && usage.used.cpu == CPUQuantity(millicores: 500) && usage.limits.maxSessions == 5)
        }
    }

    @Test(arguments: TestEngine.available)
    func groupAndOrganizationQuotasApplyAndTheMostRestrictiveWins(engine: TestEngine) async throws {
        try await TestDatabase.make(engine).withStore { store in
            let world = try await Self.world(store)
            let org = world.organizationID
            let engineering = try await store.createGroup(NewGroup(name: Fixtures.slug("engineering"), displayName: "Engineering", description: nil, kind: .department, parentID: nil), Fixtures.scope(org), at: Date())
            let platform = try await store.createGroup(NewGroup(name: Fixtures.slug("platform"), displayName: "Platform", description: nil, kind: .team, parentID: engineering.id), Fixtures.scope(org), at: Date())
            #expect(await DomainError.caught {
                _ = try await store.createGroup(NewGroup(name: Fixtures.slug("platform"), displayName: "Again", description: nil, kind: .team, parentID: nil), Fixtures.scope(org), at: Date())
            }?.kind == .conflict)
            _ = try await store.addGroupMember(groupID: platform.id, userID: world.ada.id, role: .member, Fixtures.scope(org), at: Date())
            let counts = try await store.groupMemberCounts(Fixtures.scope(org))
            #expect(counts == [platform.id: 1])
            // The parent department's memory quota binds ada through her team.
            _ = try await store.setQuota(.group(engineering.id), Fixtures.scope(org), change: QuotaLimits(maxMemory: ByteQuantity(bytes: 1 << 30)), at: Date())
            _ = try await store.setQuota(.organization, Fixtures.scope(org), change: QuotaLimits(maxSessions: 10), at: Date())
            let applicable = try await store.applicableQuotas(Fixtures.scope(org, as: world.ada.id)).map { $0.target }
            #expect(applicable == [.group(engineering.id), .organization], "only quotas that are set apply; nearest first")

            _ = try await store.createSandbox(try Self.spec(memory: 768 << 20), createdBy: world.ada.id, scope: world.scope, commandDeadline: Self.deadline, at: Date())
            let refusal = await DomainError.caught {
                _ = try await store.createSandbox(try Self.spec(memory: 512 << 20), createdBy: world.ada.id, scope: world.scope, commandDeadline: Self.deadline, at: Date())
            }
            #expect(refusal?.kind == .conflict && refusal?.message == "The quota of group 'engineering' allows 1Gi memory; 768Mi is in use and this sandbox asks for 512Mi.")
            let groupUsage = try await store.quotaUsage(.group(engineering.id), Fixtures.scope(org))
            #expect(groupUsage.used.memory == ByteQuantity(bytes: 768 << 20) && groupUsage.used.sessions == 1)
            #expect(await DomainError.caught { try await store.deleteGroup(id: engineering.id, Fixtures.scope(org)) }?.kind == .conflict, "it has a subgroup")

            // Removing the quota lifts its limits; removing it again is no error; an unknown group is.
            try await store.removeQuota(.group(engineering.id), Fixtures.scope(org))
            try await store.removeQuota(.group(engineering.id), Fixtures.scope(org))
            #expect(try await store.quotaUsage(.group(engineering.id), Fixtures.scope(org)).limits == QuotaLimits())
            #expect(try await store.applicableQuotas(Fixtures.scope(org, as: world.ada.id)).map { $0.target } == [.organization])
            _ = try await store.createSandbox(try Self.spec(memory: 512 << 20), createdBy: world.ada.id, scope: world.scope, commandDeadline: Self.deadline, at: Date())
            #expect(await DomainError.caught { try await store.removeQuota(.group(GroupID.generate()), Fixtures.scope(org)) }?.kind == .notFound)
        }
    }

    /// A removed member's quota and group places go with the membership: an invitation back starts clean.
    @Test(arguments: TestEngine.available)
    func removingAMemberRemovesTheirQuotaAndGroupPlaces(engine: TestEngine) async throws {
        try await TestDatabase.make(engine).withStore { store in
            let world = try await Self.world(store)
            let org = world.organizationID
            let bo = try await store.createUser(Fixtures.newUser("bo@example.com"), at: Date())
            func invite(_ hash: String, to organization: OrganizationID) async throws {
                _ = try await store.createInvitation(NewInvitation(
                    email: bo.email, role: .member,
                    tokenHash: hash, tokenPrefix: "gsi_", expiresAt: Date().addingTimeInterval(3600)
                ), Fixtures.scope(organization, as: world.ada.id), at: Date())
                _ = try await store.acceptInvitation(tokenHash: hash, Fixtures.account(bo), at: Date())
            }
            func team(in organization: OrganizationID) async throws -> GroupID {
                let team = try await store.createGroup(NewGroup(name: Fixtures.slug("team"), displayName: "Team", description: nil, kind: .team, parentID: nil), Fixtures.scope(organization), at: Date())
                _ = try await store.addGroupMember(groupID: team.id, userID: bo.id, role: .member, Fixtures.scope(organization), at: Date())
                return team.id
            }
            try await invite("first", to: org)
            let here = try await team(in: org)
            _ = try await store.setQuota(.user(bo.id), Fixtures.scope(org), change: QuotaLimits(maxSessions: 1), at: Date())
            let elsewhere = try await store.createOrganization(name: "Elsewhere", Fixtures.account(world.ada.id), at: Date()).id
            try await invite("other", to: elsewhere)
            let there = try await team(in: elsewhere)

            try await store.removeMember(bo.id, Fixtures.scope(org, as: world.ada.id), at: Date())
            #expect(try await store.groupMemberCounts(Fixtures.scope(org))[here] == nil)
            #expect(try await store.groupMemberCounts(Fixtures.scope(elsewhere))[there] == 1, "places in other organizations stay")
            // A former member can be given neither again.
            #expect(await DomainError.caught { _ = try await store.addGroupMember(groupID: here, userID: bo.id, role: .member, Fixtures.scope(org), at: Date()) }?.kind == .notFound)
            #expect(await DomainError.caught { _ = try await store.setQuota(.user(bo.id), Fixtures.scope(org), change: QuotaLimits(maxSessions: 1), at: Date()) }?.kind == .notFound)
            try await invite("second", to: org)
            #expect(try await store.quotaUsage(.user(bo.id), Fixtures.scope(org)).limits == QuotaLimits())
            #expect(try await store.applicableQuotas(Fixtures.scope(org, as: bo.id)).isEmpty)
        }
    }

    @Test(arguments: TestEngine.available)
    func overdueCommandsFailWithAReasonAndIdleSandboxesAreStopped(engine: TestEngine) async throws {
        try await TestDatabase.make(engine).withStore { store in
            let world = try await Self.world(store)
            // Times are given, not read from the clock, so a slow machine cannot pass the deadline early.
            let now = Date()
            let deadline = now.addingTimeInterval(60)
            let created = try await store.createSandbox(try Self.spec(), createdBy: world.ada.id, scope: world.scope, commandDeadline: deadline, at: now)
            try await store.markAgentDisconnected(world.agent.id, connectionID: "c1", at: now)
            #expect(try await store.failOverdueCommands(at: deadline.addingTimeInterval(-1)).isEmpty)
            let failed = try await store.failOverdueCommands(at: deadline.addingTimeInterval(1))
            #expect(failed.map(\.id) == [created.command.id] && failed.first?.errorMessage?.contains("stayed offline") == true)
            let sandbox = try #require(try await store.sandbox(id: created.sandbox.id, scope: world.scope))
            #expect(sandbox.state == .failed && sandbox.lastError?.contains("stayed offline") == true)

            try await store.markAgentConnected(world.agent.id, connectionID: "c2", at: Date())
            let idleSpec = try SandboxSpec(
                name: nil, template: nil, command: ["sleep", "600"], cpu: nil, memory: nil, storage: nil, environment: nil, labels: nil,
                network: nil, idleTimeoutSeconds: 60, idleAction: .hibernate, region: nil, clusterID: nil, requiredCapabilities: nil
            )
            let idle = try await store.createSandbox(idleSpec, createdBy: world.ada.id, scope: world.scope, commandDeadline: Self.deadline, at: now)
            _ = try await store.recordCommandReport(.completed(idle.command.id), agentID: world.agent.id, at: now)
            #expect(try await store.reconcileIdleSandboxes(commandDeadline: Self.deadline, at: now.addingTimeInterval(59)).isEmpty)
            let changes = try await store.reconcileIdleSandboxes(commandDeadline: Self.deadline, at: now.addingTimeInterval(61))
            #expect(changes.map(\.sandbox.state) == [.hibernating] && changes.map(\.command.action) == [.hibernateSession])
        }
    }
}
