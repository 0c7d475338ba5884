import Foundation
import GlobalStacksDomain
import GlobalStacksStore

/// Provisioning tokens, agent enrollment and approval. Visibility follows the cluster (`ClusterService`: 404
/// otherwise); tokens and changes need whoever may manage the cluster (403).
public struct AgentService: Sendable {
    private let store: any AgentRepository & AgentEnrollmentAuthority
    private let clusters: ClusterService
    private let connections: any AgentConnectionCloser

    /// How long an agent's previous key keeps working after a rotation, so an agent that crashes before saving its new
    /// key can still connect and rotate again.
    public static let keyGracePeriod: TimeInterval = 600

    public init(store: any AgentRepository & AgentEnrollmentAuthority, clusters: ClusterService, connections: any AgentConnectionCloser) {
        self.store = store
        self.clusters = clusters
        self.connections = connections
    }

    // MARK: Provisioning tokens

    public func provisioningTokens(of clusterID: ClusterID, caller: Caller) async throws -> [ProvisioningToken] {
        let (cluster, scope) = try await clusters.manageable(clusterID, caller: caller)
        return try await store.provisioningTokens(clusterID: cluster.id, scope)
    }

    /// A token for one cluster (`expiresInHours` 1…720, default 24; single-use by default), with its secret, shown once.
    public func issueProvisioningToken(
        for clusterID: ClusterID, name: String?, singleUse: Bool?, expiresInHours: Int?, caller: Caller
    ) async throws -> (token: ProvisioningToken, secret: String) {
        let (cluster, scope) = try await clusters.manageable(clusterID, caller: caller)
        let hours = expiresInHours ?? 24
        guard (1...720).contains(hours) else { throw DomainError.invalidInput("expiresInHours must be between 1 and 720.") }
        let now = Date()
        let secret = SecretToken.generate(prefix: SecretPrefix.provisioningToken)
        let token = try await store.createProvisioningToken(NewProvisioningToken(
            name: try name.map { try Validation.name($0) }, tokenHash: SecretHasher.hash(secret.value),
            tokenPrefix: secret.displayPrefix, singleUse: singleUse ?? true,
            expiresAt: now.addingTimeInterval(Double(hours) * 3600), createdBy: caller.user.id
        ), clusterID: cluster.id, scope, at: now)
        return (token, secret.value)
    }

    public func revokeProvisioningToken(_ id: ProvisioningTokenID, of clusterID: ClusterID, caller: Caller) async throws -> ProvisioningToken {
        let (cluster, scope) = try await clusters.manageable(clusterID, caller: caller)
        return try await store.revokeProvisioningToken(id: id, clusterID: cluster.id, scope, at: Date())
    }

    // MARK: Enrollment (no caller: the presented token or key is the proof)

    /// Enrolls a host with a provisioning token, pending approval; returns the agent's own key, shown once.
    public func enroll(_ registration: AgentRegistration, provisioningToken: String) async throws -> (agent: Agent, key: String) {
        let key = SecretToken.generate(prefix: SecretPrefix.agentKey)
        let agent = try await store.registerAgent(
            registration, provisioningTokenHash: SecretHasher.hash(provisioningToken), keyHash: SecretHasher.hash(key.value),
            keyPrefix: key.displayPrefix, at: Date()
        )
        return (agent, key.value)
    }

    /// Replaces the key the agent presented with the one it proposes, or a fresh one; the previous key keeps working
    /// for `keyGracePeriod`.
    public func rotateKey(presented: String, proposed: String?) async throws -> (agent: Agent, key: String) {
        if let proposed, !proposed.hasPrefix(SecretPrefix.agentKey) || !(40...200).contains(proposed.count)
            || !proposed.unicodeScalars.allSatisfy({ (0x21...0x7E).contains($0.value) }) {
            throw DomainError.invalidInput("newKey must be '\(SecretPrefix.agentKey)' followed by at least 36 printable ASCII characters.")
        }
        let key = proposed.map(SecretToken.init(value:)) ?? SecretToken.generate(prefix: SecretPrefix.agentKey)
        let now = Date()
        let agent = try await store.rotateAgentKey(
            presentedKeyHash: SecretHasher.hash(presented), newKeyHash: SecretHasher.hash(key.value), newKeyPrefix: key.displayPrefix,
            previousKeyValidUntil: now.addingTimeInterval(Self.keyGracePeriod), at: now
        )
        return (agent, key.value)
    }

    // MARK: Agents

    public func agents(in clusterID: ClusterID?, caller: Caller) async throws -> [Agent] {
        try await store.agents(visibleTo: AccessPolicy.clusterVisibility(caller.principal), clusterID: clusterID)
    }

    /// Agents of the managed clusters waiting for approval (neither approved, rejected nor revoked): the platform's
    /// queue, for site operators and admins (403 otherwise).
    public func awaitingApproval(caller: Caller) async throws -> [Agent] {
        let platform = try AccessPolicy.platformScope(caller.principal)
        return try await store.agents(visibleTo: .platform(platform), clusterID: nil).filter { $0.approval == .pending && $0.revokedAt == nil }
    }

    /// The agent, or 404 when the caller does not see its cluster.
    public func agent(_ id: AgentID, caller: Caller) async throws -> Agent {
        guard let agent = try await store.agent(id: id, visibleTo: AccessPolicy.clusterVisibility(caller.principal)) else {
            throw DomainError.notFound("No agent \(id) in a cluster visible to the active tenant.")
        }
        return agent
    }

    /// Approves or rejects (and back); a revoked agent is final (409).
    public func setApproval(_ approval: AgentApproval, of id: AgentID, caller: Caller) async throws -> Agent {
        try await change(id, caller) { agent in
            guard agent.revokedAt == nil else { throw DomainError.conflict("Agent \(agent.name) is revoked; enroll the host again.") }
            guard agent.approval.canTransition(to: approval) else {
                throw DomainError.conflict("Agent \(agent.name) is already \(agent.approval.rawValue).")
            }
            agent.approval = approval
            agent.approvalChangedAt = Date()
            agent.approvalChangedBy = caller.user.id
        }
    }

    /// The agent keeps what it runs and takes no new sandboxes, across reconnects.
    public func drain(_ id: AgentID, caller: Caller) async throws -> Agent {
        try await change(id, caller) { agent in
            guard agent.revokedAt == nil else { throw DomainError.conflict("Agent \(agent.name) is revoked.") }
            guard agent.drainingSince == nil else { throw DomainError.conflict("Agent \(agent.name) is already draining.") }
            agent.drainingSince = Date()
        }
    }

    /// Revokes the agent for good and closes its connections to this replica.
    public func revoke(_ id: AgentID, caller: Caller) async throws -> Agent {
        let revoked = try await change(id, caller) { agent in
            guard agent.revokedAt == nil else { throw DomainError.conflict("Agent \(agent.name) is already revoked.") }
            agent.revokedAt = Date()
        }
        await connections.close(revoked.id, reason: "This agent was revoked.")
        return revoked
    }

    /// Changes an agent the caller sees (404) in a cluster it may manage (403).
    private func change(_ id: AgentID, _ caller: Caller, _ change: @Sendable (inout Agent) throws -> Void) async throws -> Agent {
        let agent = try await agent(id, caller: caller)
        let (_, scope) = try await clusters.manageable(agent.clusterID, caller: caller)
        return try await store.updateAgent(id: agent.id, scope, at: Date(), change)
    }
}
