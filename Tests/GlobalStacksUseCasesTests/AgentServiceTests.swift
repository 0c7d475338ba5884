import Foundation
import GlobalStacksDomain
import GlobalStacksStore
import Synchronization
import Testing
@testable import GlobalStacksUseCases

/// `AgentService` asks who may manage the agent's cluster before the store changes anything, and a revoke closes the
/// agent's connections.
@Suite("Agent service")
struct AgentServiceTests {
    /// One agent in the managed cluster of `ClusterServiceTests`; records the scopes of the changes it was asked for.
    final class Agents: AgentRepository, AgentEnrollmentAuthority, Sendable {
        let stored = Agent(
            id: .generate(), clusterID: ClusterServiceTests.managed.id, name: "rack-1", platform: .process, region: nil, capacity: nil,
            capabilities: [], metadata: [:], approval: .approved, approvalChangedAt: nil, approvalChangedBy: nil, connectivity: .online,
            drainingSince: nil, lastHeartbeatAt: nil, keyPrefix: "gsa_x", revokedAt: nil, createdAt: Date(), updatedAt: Date()
        )
        let changes = Mutex<[ClusterVisibility]>([])

        func agent(id: AgentID, visibleTo scope: ClusterVisibility) async throws -> Agent? { id == stored.id ? stored : nil }
        func updateAgent(id: AgentID, _ scope: ClusterVisibility, at now: Date, _ change: @Sendable (inout Agent) throws -> Void) async throws -> Agent {
            changes.withLock { $0.append(scope) }
            var agent = stored
            try change(&agent)
            return agent
        }
        func agents(visibleTo scope: ClusterVisibility, clusterID: ClusterID?) async throws -> [Agent] { [stored] }
        func provisioningTokens(clusterID: ClusterID, _ scope: ClusterVisibility) async throws -> [ProvisioningToken] { [] }
        func createProvisioningToken(_ token: NewProvisioningToken, clusterID: ClusterID, _ scope: ClusterVisibility, at now: Date) async throws -> ProvisioningToken {
            Issue.record("no token is issued in these tests")
            throw DomainError.conflict("unexpected")
        }
        func revokeProvisioningToken(id: ProvisioningTokenID, clusterID: ClusterID, _ scope: ClusterVisibility, at now: Date) async throws -> ProvisioningToken {
            throw DomainError.notFound("No provisioning token \(id).")
        }
        func registerAgent(_ registration: AgentRegistration, provisioningTokenHash: String, keyHash: String, keyPrefix: String, at now: Date) async throws -> Agent {
            stored
        }
        func rotateAgentKey(presentedKeyHash: String, newKeyHash: String, newKeyPrefix: String, previousKeyValidUntil: Date, at now: Date) async throws -> Agent {
            stored
        }
    }

    final class Connections: AgentConnectionCloser {
        let closed = Mutex<[AgentID]>([])
        func close(_ agent: AgentID, reason: String) async { closed.withLock { $0.append(agent) } }
    }

    @Test func onlyAnOperatorRevokesAManagedAgentAndTheRevokeClosesItsConnections() async throws {
        let agents = Agents()
        let connections = Connections()
        let service = AgentService(store: agents, clusters: ClusterService(store: ClusterServiceTests.Clusters([ClusterServiceTests.managed])), connections: connections)
        let owner = try ClusterServiceTests.caller(site: .user, role: .owner)
        #expect(try await service.agent(agents.stored.id, caller: owner) == agents.stored, "a managed cluster's agents are visible to every tenant")
        let refused = await #expect(throws: DomainError.self) { _ = try await service.revoke(agents.stored.id, caller: owner) }
        #expect(refused?.kind == .forbidden)
        let tooLong = await #expect(throws: DomainError.self) {
            _ = try await service.issueProvisioningToken(for: ClusterServiceTests.managed.id, name: nil, singleUse: nil, expiresInHours: 0, caller: owner)
        }
        #expect(tooLong?.kind == .forbidden, "who may issue is decided before what is asked for")
        #expect(agents.changes.withLock { $0 }.isEmpty && connections.closed.withLock { $0 }.isEmpty)

        let operatorMember = try ClusterServiceTests.caller(site: .operator, role: .member)
        #expect(try await service.revoke(agents.stored.id, caller: operatorMember).revokedAt != nil)
        #expect(agents.changes.withLock { $0 } == [.platform(try AccessPolicy.platformScope(operatorMember.principal))])
        #expect(connections.closed.withLock { $0 } == [agents.stored.id])
        let badLifetime = await #expect(throws: DomainError.self) {
            _ = try await service.issueProvisioningToken(for: ClusterServiceTests.managed.id, name: nil, singleUse: nil, expiresInHours: 0, caller: operatorMember)
        }
        #expect(badLifetime == DomainError.invalidInput("expiresInHours must be between 1 and 720."))
    }
}
