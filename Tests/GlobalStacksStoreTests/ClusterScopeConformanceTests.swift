import Foundation
import GlobalStacksDomain
import GlobalStacksStore
import GlobalStacksTestSupport
import Testing

/// Managed clusters, their agents and provisioning tokens are the platform's: a tenant scope reads them and changes
/// nothing, a caller without a tenant only reads, and the platform scope changes them but no tenant's `byo` cluster.
@Suite("Store conformance: cluster scopes")
struct ClusterScopeConformanceTests {
    static func newToken(_ hash: String, by user: UserID) -> NewProvisioningToken {
        NewProvisioningToken(
            name: hash, tokenHash: hash, tokenPrefix: "gsp_\(hash)", singleUse: true, expiresAt: Date().addingTimeInterval(3600), createdBy: user
        )
    }

    @Test(arguments: TestEngine.available)
    func onlyThePlatformChangesManagedClustersTheirAgentsAndTokens(engine: TestEngine) async throws {
        try await TestDatabase.make(engine).withStore { store in
            let world = try await AgentConformanceTests.world(store)
            let tenant = ClusterVisibility.tenant(world.scope)
            let account = ClusterVisibility.account(Fixtures.account(world.ada))
            let platform = ClusterVisibility.platform(Fixtures.platform)
            let local = Fixtures.slug("local")
            let managed = try await store.managedCluster(slug: local, creatingWithName: "local", provider: "process", metadata: [:], at: Date())
            #expect(managed.ownership == .globalstacksManaged)
            #expect(try await store.managedCluster(slug: local, creatingWithName: "other", provider: "p", metadata: [:], at: Date()).id == managed.id)
            let token = try await store.createProvisioningToken(Self.newToken("m1", by: world.ada.id), managedClusterID: managed.id, at: Date())
            let agent = try await store.registerAgent(AgentConformanceTests.registration("managed-1"), provisioningTokenHash: "m1", keyHash: "km1", keyPrefix: "gsa_km1", at: Date())

            // A tenant and a caller without a tenant see the managed cluster and its agent, and change nothing of them.
            for scope in [tenant, account] {
                #expect(try await store.cluster(id: managed.id, visibleTo: scope) == managed)
                #expect(try await store.agents(visibleTo: scope, clusterID: managed.id).map(\.id) == [agent.id])
                #expect(await DomainError.caught { _ = try await store.updateCluster(id: managed.id, scope, at: Date()) { $0 } }?.kind == .notFound)
                #expect(await DomainError.caught {
                    _ = try await store.createProvisioningToken(Self.newToken("x-\(scope)", by: world.ada.id), clusterID: managed.id, scope, at: Date())
                }?.kind == .notFound)
                #expect(await DomainError.caught { _ = try await store.provisioningTokens(clusterID: managed.id, scope) }?.kind == .notFound)
                #expect(await DomainError.caught {
                    _ = try await store.revokeProvisioningToken(id: token.id, clusterID: managed.id, scope, at: Date())
                }?.kind == .notFound)
                #expect(await DomainError.caught { _ = try await store.updateAgent(id: agent.id, scope, at: Date()) { $0.approval = .approved } }?.kind == .notFound)
            }
            #expect(await DomainError.caught { _ = try await store.provisioningTokens(clusterID: world.cluster.id, account) }?.kind == .notFound)
            #expect(try await store.agent(id: agent.id, visibleTo: tenant)?.approval == .pending, "nothing changed")

            // The platform changes managed clusters, their tokens and agents.
            let paused = try await store.updateCluster(id: managed.id, platform, at: Date()) { try ClusterChange(status: .paused).applied(to: $0, at: Date()) }
            #expect(paused.status == .paused)
            #expect(try await store.provisioningTokens(clusterID: managed.id, platform).map(\.id) == [token.id])
            #expect(try await store.revokeProvisioningToken(id: token.id, clusterID: managed.id, platform, at: Date()).revokedAt != nil)
            #expect(try await store.updateAgent(id: agent.id, platform, at: Date()) { $0.drainingSince = Date() }.drainingSince != nil)

            // …and no tenant's byo cluster, nor its agents, not even through the embedded agent's system methods.
            _ = try await AgentConformanceTests.token(store, world, hash: "b1")
            let byoAgent = try await store.registerAgent(AgentConformanceTests.registration("byo-1"), provisioningTokenHash: "b1", keyHash: "kb1", keyPrefix: "gsa_kb1", at: Date())
            #expect(try await store.cluster(id: world.cluster.id, visibleTo: platform) == nil)
            #expect(try await store.agent(id: byoAgent.id, visibleTo: platform) == nil)
            #expect(await DomainError.caught { _ = try await store.updateCluster(id: world.cluster.id, platform, at: Date()) { $0 } }?.kind == .notFound)
            #expect(await DomainError.caught { _ = try await store.provisioningTokens(clusterID: world.cluster.id, platform) }?.kind == .notFound)
            #expect(await DomainError.caught { _ = try await store.updateAgent(id: byoAgent.id, platform, at: Date()) { $0.approval = .approved } }?.kind == .notFound)
            #expect(await DomainError.caught {
                _ = try await store.createProvisioningToken(Self.newToken("b2", by: world.ada.id), managedClusterID: world.cluster.id, at: Date())
            }?.kind == .notFound)
            #expect(await DomainError.caught { _ = try await store.approveManagedAgent(id: byoAgent.id, by: world.ada.id, at: Date()) }?.kind == .notFound)
            #expect(try await store.approveManagedAgent(id: agent.id, by: world.ada.id, at: Date()).approval == .approved)
        }
    }
}
