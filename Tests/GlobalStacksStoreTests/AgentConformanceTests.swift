import Foundation
import GlobalStacksDomain
import GlobalStacksStore
import GlobalStacksTestSupport
import Testing

@Suite("Store conformance: provisioning tokens and agents")
struct AgentConformanceTests {
    struct World: Sendable {
        let ada: User
        let scope: TenantScope
        let otherScope: TenantScope
        let cluster: Cluster
    }

    /// ada owns tenants prod (with a byo cluster) and stage in acme.
    static func world(_ store: any Store) async throws -> World {
        let ada = try await store.createUser(Fixtures.newUser("ada@example.com"), at: Date())
        let acme = try await store.createOrganization(name: "Acme", Fixtures.account(ada.id), at: Date())
        let prod = try await store.createTenant(name: "Prod", slug: Fixtures.slug("prod"), description: nil, Fixtures.scope(acme.id), at: Date())
        let stage = try await store.createTenant(name: "Stage", slug: Fixtures.slug("stage"), description: nil, Fixtures.scope(acme.id), at: Date())
        let (session, hash) = try await Fixtures.session(for: ada, store: store)
        try await store.activateOrganization(Fixtures.scope(acme.id), Fixtures.account(of: session))
        let principal = try #require(try await store.principal(tokenHash: hash, kind: .session))
        let scope = try AccessPolicy.tenantScope(for: prod, principal)
        let cluster = try await store.createCluster(owner: .tenant(scope), name: "Rack", slug: nil, provider: "bare-metal", metadata: [:], at: Date())
        return World(ada: ada, scope: scope, otherScope: try AccessPolicy.tenantScope(for: stage, principal), cluster: cluster)
    }

    static func token(_ store: any Store, _ world: World, hash: String, singleUse: Bool = true, expiresIn: TimeInterval = 3600) async throws -> ProvisioningToken {
        try await store.createProvisioningToken(NewProvisioningToken(
            name: "rack", tokenHash: hash, tokenPrefix: "gsp_\(hash.prefix(4))", singleUse: singleUse,
            expiresAt: Date().addingTimeInterval(expiresIn), createdBy: world.ada.id
        ), clusterID: world.cluster.id, .tenant(world.scope), at: Date())
    }

    static func registration(_ name: String) -> AgentRegistration {
        AgentRegistration(
            name: name, platform: .process, region: "eu-1",
            capacity: AgentCapacity(maxSessions: 8, cpu: CPUQuantity(millicores: 4000), memory: ByteQuantity(bytes: 8 << 30)),
            capabilities: ["process", "bwrap"], metadata: ["version": "1"]
        )
    }

    @Test(arguments: TestEngine.available)
    func enrollmentAndVisibility(engine: TestEngine) async throws {
        try await TestDatabase.make(engine).withStore { store in
            let world = try await Self.world(store)
            _ = try await Self.token(store, world, hash: "t1", singleUse: false)
            #expect(await DomainError.caught { _ = try await Self.token(store, world, hash: "t0").id }?.kind == nil)
            #expect(await DomainError.caught {
                _ = try await store.provisioningTokens(clusterID: world.cluster.id, .tenant(world.otherScope))
            }?.kind == .notFound, "another tenant's cluster is not visible")

            let agent = try await store.registerAgent(Self.registration("host-1"), provisioningTokenHash: "t1", keyHash: "k1", keyPrefix: "gsa_k1", at: Date())
            #expect(agent.approval == .pending && agent.connectivity == .offline && !agent.receivesWork)
            #expect(try await store.agent(id: agent.id, visibleTo: .tenant(world.scope)) == agent, "capacity, capabilities and metadata round-trip")
            #expect(try await store.agent(id: agent.id, visibleTo: .tenant(world.otherScope)) == nil)
            #expect(try await store.agents(visibleTo: .tenant(world.scope), clusterID: nil).map(\.id) == [agent.id])
            #expect(try await store.agents(visibleTo: .platform(Fixtures.platform), clusterID: nil).isEmpty, "byo agents are tenant data")

            #expect(await DomainError.caught {
                _ = try await store.registerAgent(Self.registration("host-1"), provisioningTokenHash: "t1", keyHash: "k2", keyPrefix: "gsa_k2", at: Date())
            }?.kind == .conflict, "names are unique in a cluster")
            #expect(await DomainError.caught {
                _ = try await store.registerAgent(Self.registration("host-2"), provisioningTokenHash: "nope", keyHash: "k3", keyPrefix: "gsa_k3", at: Date())
            }?.kind == .unauthenticated)

            let approved = try await store.updateAgent(id: agent.id, .tenant(world.scope), at: Date()) {
                $0.approval = .approved
                $0.approvalChangedBy = world.ada.id
            }
            #expect(approved.approval == .approved && approved.approvalChangedBy == world.ada.id)
            #expect(await DomainError.caught { _ = try await store.updateAgent(id: agent.id, .tenant(world.otherScope), at: Date()) { $0.approval = .rejected } }?.kind == .notFound)
        }
    }

    @Test(arguments: TestEngine.available)
    func aSingleUseTokenEnrollsExactlyOneOfManyConcurrentHosts(engine: TestEngine) async throws {
        try await TestDatabase.make(engine).withStore { store in
            let world = try await Self.world(store)
            _ = try await Self.token(store, world, hash: "once")
            let results = await withTaskGroup(of: Bool.self) { group in
                for index in 0..<10 {
                    group.addTask {
                        (try? await store.registerAgent(Self.registration("host-\(index)"), provisioningTokenHash: "once", keyHash: "key-\(index)", keyPrefix: "gsa_\(index)", at: Date())) != nil
                    }
                }
                return await group.reduce(into: []) { $0.append($1) }
            }
            #expect(results.filter { $0 }.count == 1)
            #expect(try await store.agents(visibleTo: .tenant(world.scope), clusterID: world.cluster.id).count == 1)
        }
    }

    @Test(arguments: TestEngine.available)
    func expiredRevokedAndFailedEnrollments(engine: TestEngine) async throws {
        try await TestDatabase.make(engine).withStore { store in
            let world = try await Self.world(store)
            _ = try await Self.token(store, world, hash: "old", expiresIn: -1)
            #expect(await DomainError.caught {
                _ = try await store.registerAgent(Self.registration("host-1"), provisioningTokenHash: "old", keyHash: "k1", keyPrefix: "p", at: Date())
            }?.message.contains("expired") == true)
            let revoked = try await Self.token(store, world, hash: "rev")
            #expect(try await store.revokeProvisioningToken(id: revoked.id, clusterID: world.cluster.id, .tenant(world.scope), at: Date()).revokedAt != nil)
            #expect(await DomainError.caught {
                _ = try await store.revokeProvisioningToken(id: revoked.id, clusterID: world.cluster.id, .tenant(world.scope), at: Date())
            }?.kind == .conflict)
            #expect(await DomainError.caught {
                _ = try await store.registerAgent(Self.registration("host-1"), provisioningTokenHash: "rev", keyHash: "k1", keyPrefix: "p", at: Date())
            }?.message.contains("revoked") == true)

            // A failed enrollment (name taken) leaves a single-use token unused.
            _ = try await Self.token(store, world, hash: "multi", singleUse: false)
            _ = try await store.registerAgent(Self.registration("taken"), provisioningTokenHash: "multi", keyHash: "k2", keyPrefix: "p", at: Date())
            _ = try await Self.token(store, world, hash: "single")
            #expect(await DomainError.caught {
                _ = try await store.registerAgent(Self.registration("taken"), provisioningTokenHash: "single", keyHash: "k3", keyPrefix: "p", at: Date())
            }?.kind == .conflict)
            let tokens = try await store.provisioningTokens(clusterID: world.cluster.id, .tenant(world.scope))
            #expect(tokens.first { $0.tokenPrefix == "gsp_sing" }?.usedAt == nil)
            _ = try await store.registerAgent(Self.registration("fresh"), provisioningTokenHash: "single", keyHash: "k4", keyPrefix: "p", at: Date())
        }
    }

    /// After a rotation the new key connects, the previous one only until its grace period ends, and only the
    /// current key may rotate again.
    @Test(arguments: TestEngine.available)
    func rotatedKeysReplaceTheOldOneAfterAGracePeriod(engine: TestEngine) async throws {
        try await TestDatabase.make(engine).withStore { store in
            let world = try await Self.world(store)
            _ = try await Self.token(store, world, hash: "t1")
            let agent = try await store.registerAgent(Self.registration("host-1"), provisioningTokenHash: "t1", keyHash: "k1", keyPrefix: "gsa_k1", at: Date())
            let now = Date()
            let rotated = try await store.rotateAgentKey(presentedKeyHash: "k1", newKeyHash: "k2", newKeyPrefix: "gsa_k2", previousKeyValidUntil: now.addingTimeInterval(600), at: now)
            let repeated = try await store.rotateAgentKey(presentedKeyHash: "k1", newKeyHash: "k2", newKeyPrefix: "gsa_k2", previousKeyValidUntil: now.addingTimeInterval(600), at: now.addingTimeInterval(3600))
            #expect(repeated.id == agent.id, "a rotation the agent did not hear about can be repeated, even after the grace period")
            #expect(rotated.id == agent.id && rotated.keyPrefix == "gsa_k2")
            #expect(try await store.agent(keyHash: "k2", at: now)?.id == agent.id)
            #expect(try await store.agent(keyHash: "k1", at: now.addingTimeInterval(599))?.id == agent.id, "the previous key, within its grace period")
            #expect(try await store.agent(keyHash: "k1", at: now.addingTimeInterval(601)) == nil)
            #expect(await DomainError.caught {
                _ = try await store.rotateAgentKey(presentedKeyHash: "k1", newKeyHash: "k3", newKeyPrefix: "gsa_k3", previousKeyValidUntil: now, at: now)
            }?.kind == .unauthenticated, "the previous key cannot rotate to another key")
            _ = try await store.updateAgent(id: agent.id, .tenant(world.scope), at: now) { $0.revokedAt = now }
            #expect(await DomainError.caught {
                _ = try await store.rotateAgentKey(presentedKeyHash: "k2", newKeyHash: "k3", newKeyPrefix: "gsa_k3", previousKeyValidUntil: now, at: now)
            }?.kind == .unauthenticated, "a revoked agent cannot rotate")
        }
    }

    @Test(arguments: TestEngine.available)
    func presenceFollowsConnectionsAndHeartbeats(engine: TestEngine) async throws {
        try await TestDatabase.make(engine).withStore { store in
            let world = try await Self.world(store)
            _ = try await Self.token(store, world, hash: "multi", singleUse: false)
            let a = try await store.registerAgent(Self.registration("host-a"), provisioningTokenHash: "multi", keyHash: "ka", keyPrefix: "p", at: Date())
            let b = try await store.registerAgent(Self.registration("host-b"), provisioningTokenHash: "multi", keyHash: "kb", keyPrefix: "p", at: Date())
            #expect(try await store.agent(keyHash: "ka", at: Date())?.id == a.id)
            let start = Date().addingTimeInterval(-100)
            try await store.markAgentConnected(a.id, connectionID: "a1", at: start)
            try await store.markAgentConnected(b.id, connectionID: "b1", at: start)
            // More agents than one statement takes (unknown ids are ignored): every chunk is written.
            var beats = Dictionary(uniqueKeysWithValues: (0..<1_200).map { _ in (AgentID.generate(), start) })
            beats[a.id] = start.addingTimeInterval(50)
            beats[b.id] = start.addingTimeInterval(5)
            try await store.recordHeartbeats(beats)
            #expect(try await store.agent(id: a.id, visibleTo: .tenant(world.scope))?.lastHeartbeatAt == start.addingTimeInterval(50).truncatedToStoredPrecision)
            // b has been silent for more than 30 s at start + 60; a has not.
            #expect(try await store.markSilentAgentsOffline(notHeardSince: start.addingTimeInterval(30), at: start.addingTimeInterval(60)) == [b.id])
            #expect(try await store.agent(id: b.id, visibleTo: .tenant(world.scope))?.connectivity == .offline)
            #expect(try await store.agent(id: a.id, visibleTo: .tenant(world.scope))?.connectivity == .online)
            // a reconnects before its old connection's close is noticed: the late close changes nothing.
            try await store.markAgentConnected(a.id, connectionID: "a2", at: Date())
            try await store.markAgentDisconnected(a.id, connectionID: "a1", at: Date())
            #expect(try await store.agent(id: a.id, visibleTo: .tenant(world.scope))?.connectivity == .online)
            try await store.markAgentDisconnected(a.id, connectionID: "a2", at: Date())
            #expect(try await store.agent(id: a.id, visibleTo: .tenant(world.scope))?.connectivity == .offline)
            _ = try await store.updateAgent(id: a.id, .tenant(world.scope), at: Date()) { $0.revokedAt = Date() }
            #expect(try await store.agent(keyHash: "ka", at: Date()) == nil, "a revoked agent's key no longer connects")
        }
    }
}
