import Foundation
import GlobalStacksAPI
import GlobalStacksDomain
import GlobalStacksStore
import GlobalStacksUseCases

/// Provisioning tokens, agent enrollment and approval. Visibility follows the cluster (the active tenant's `byo`
/// clusters and every managed cluster: 404 otherwise); managing needs the cluster's capability (403).
struct AgentsHandler {
    let store: any RequestStore
    let authenticator: Authenticator
    let anonymous: AnonymousAccess
    let connections: AgentConnections


    func listProvisioningTokens(_ input: Operations.ListProvisioningTokens.Input) async throws -> Operations.ListProvisioningTokens.Output {
        let principal = try authenticator.principal()
        let cluster = try await manageableCluster(input.path.clusterId, principal)
        let tokens = try await store.provisioningTokens(clusterID: cluster.id, visibleTo: AccessPolicy.activeTenantScope(principal))
        return .ok(.init(body: .json(.init(items: tokens.map(APIMapping.provisioningToken)))))
    }

    func createProvisioningToken(_ input: Operations.CreateProvisioningToken.Input) async throws -> Operations.CreateProvisioningToken.Output {
        let principal = try authenticator.principal()
        let cluster = try await manageableCluster(input.path.clusterId, principal)
        var request = Components.Schemas.CreateProvisioningTokenRequest()
        if case .json(let body)? = input.body { request = body }
        let hours = request.expiresInHours ?? 24
        guard (1...720).contains(hours) else { throw DomainError.invalidInput("expiresInHours must be between 1 and 720.") }
        let now = Date()
        let secret = SecretToken.generate(prefix: SecretPrefix.provisioningToken)
        let token = try await store.createProvisioningToken(NewProvisioningToken(
            name: try request.name.map { try Validation.name($0) }, tokenHash: SecretHasher.hash(secret.value),
            tokenPrefix: secret.displayPrefix, singleUse: request.singleUse ?? true,
            expiresAt: now.addingTimeInterval(Double(hours) * 3600), createdBy: principal.user.id
        ), clusterID: cluster.id, visibleTo: AccessPolicy.activeTenantScope(principal), at: now)
        return .created(.init(body: .json(.init(provisioningToken: APIMapping.provisioningToken(token), token: secret.value))))
    }

    func revokeProvisioningToken(_ input: Operations.RevokeProvisioningToken.Input) async throws -> Operations.RevokeProvisioningToken.Output {
        let principal = try authenticator.principal()
        let cluster = try await manageableCluster(input.path.clusterId, principal)
        let token = try await store.revokeProvisioningToken(
            id: try pathID(input.path.provisioningTokenId, "provisioning token"), clusterID: cluster.id,
            visibleTo: AccessPolicy.activeTenantScope(principal), at: Date()
        )
        return .ok(.init(body: .json(APIMapping.provisioningToken(token))))
    }

    /// Authenticated by the provisioning token alone (the host has no user account).
    func registerAgent(_ input: Operations.RegisterAgent.Input) async throws -> Operations.RegisterAgent.Output {
        guard let bearer = try RequestEnvironment.required.presented.bearerToken, bearer.hasPrefix(SecretPrefix.provisioningToken) else {
            throw DomainError.unauthenticated("Send the provisioning token as 'Authorization: Bearer \(SecretPrefix.provisioningToken)…'.")
        }
        guard case .json(let request) = input.body else { throw DomainError.invalidInput("Send a JSON body.") }
        guard let platform = AgentPlatform(rawValue: request.platform.rawValue) else {
            throw DomainError.invalidInput("Unknown platform '\(request.platform.rawValue)'.")
        }
        let registration = AgentRegistration(
            name: try Agent.validateName(request.agentId), platform: platform,
            region: try request.region.map { try Validation.name($0, field: "region") },
            capacity: try request.capacity.map { capacity in
                guard (0...100_000).contains(capacity.maxSessions) else { throw DomainError.invalidInput("capacity.maxSessions must be 0 to 100000.") }
                return AgentCapacity(maxSessions: capacity.maxSessions, cpu: try CPUQuantity(parsing: capacity.cpu), memory: try ByteQuantity(parsing: capacity.memory))
            },
            capabilities: try Agent.validateCapabilities(request.capabilities ?? []),
            metadata: try Validation.metadata(request.metadata?.additionalProperties)
        )
        let key = SecretToken.generate(prefix: SecretPrefix.agentKey)
        let agent = try await anonymous.registerAgent(registration, provisioningToken: bearer, key: key, at: Date())
        return .created(.init(body: .json(.init(agent: APIMapping.agent(agent), apiKey: key.value))))
    }

    /// Authenticated by the agent's current key alone. The previous key keeps working for `agentKeyGracePeriod`,
    /// so an agent that crashes before saving its new key can still connect and rotate again.
    func rotateAgentKey(_ input: Operations.RotateAgentKey.Input) async throws -> Operations.RotateAgentKey.Output {
        guard let bearer = try RequestEnvironment.required.presented.bearerToken, bearer.hasPrefix(SecretPrefix.agentKey) else {
            throw DomainError.unauthenticated("Send the agent's current key as 'Authorization: Bearer \(SecretPrefix.agentKey)…'.")
        }
        var proposed: String?
        if case .json(let body)? = input.body { proposed = body.newKey }
        if let proposed, !proposed.hasPrefix(SecretPrefix.agentKey) || !(40...200).contains(proposed.count) || !proposed.unicodeScalars.allSatisfy({ (0x21...0x7E).contains($0.value) }) {
            throw DomainError.invalidInput("newKey must be '\(SecretPrefix.agentKey)' followed by at least 36 printable ASCII characters.")
        }
        let key = proposed.map(SecretToken.init(value:)) ?? SecretToken.generate(prefix: SecretPrefix.agentKey)
        let now = Date()
        let agent = try await anonymous.rotateAgentKey(
            presented: bearer, to: key, previousKeyValidUntil: now.addingTimeInterval(Self.agentKeyGracePeriod), at: now
        )
        return .ok(.init(body: .json(.init(agent: APIMapping.agent(agent), apiKey: key.value))))
    }

    static let agentKeyGracePeriod: TimeInterval = 600

    func listAgents(_ input: Operations.ListAgents.Input) async throws -> Operations.ListAgents.Output {
        let principal = try authenticator.principal()
        var clusterID: ClusterID?
        if let value = input.query.clusterId {
            clusterID = try pathID(value, "cluster")
        }
        let agents = try await store.agents(visibleTo: AccessPolicy.activeTenantScope(principal), clusterID: clusterID)
        return .ok(.init(body: .json(.init(items: agents.map(APIMapping.agent)))))
    }

    func getAgent(_ input: Operations.GetAgent.Input) async throws -> Operations.GetAgent.Output {
        let principal = try authenticator.principal()
        return .ok(.init(body: .json(APIMapping.agent(try await visibleAgent(input.path.agentId, principal)))))
    }

    func approveAgent(_ input: Operations.ApproveAgent.Input) async throws -> Operations.ApproveAgent.Output {
        .ok(.init(body: .json(APIMapping.agent(try await changeApproval(input.path.agentId, to: .approved)))))
    }

    func rejectAgent(_ input: Operations.RejectAgent.Input) async throws -> Operations.RejectAgent.Output {
        .ok(.init(body: .json(APIMapping.agent(try await changeApproval(input.path.agentId, to: .rejected)))))
    }

    /// The agent keeps what it runs and takes no new sandboxes, across reconnects.
    func drainAgent(_ input: Operations.DrainAgent.Input) async throws -> Operations.DrainAgent.Output {
        let principal = try authenticator.principal()
        let agent = try await manageableAgent(input.path.agentId, principal)
        let drained = try await store.updateAgent(id: agent.id, visibleTo: AccessPolicy.activeTenantScope(principal), at: Date()) { agent in
            guard agent.revokedAt == nil else { throw DomainError.conflict("Agent \(agent.name) is revoked.") }
            guard agent.drainingSince == nil else { throw DomainError.conflict("Agent \(agent.name) is already draining.") }
            agent.drainingSince = Date()
        }
        return .ok(.init(body: .json(APIMapping.agent(drained))))
    }

    func revokeAgent(_ input: Operations.RevokeAgent.Input) async throws -> Operations.RevokeAgent.Output {
        let principal = try authenticator.principal()
        let agent = try await manageableAgent(input.path.agentId, principal)
        let revoked = try await store.updateAgent(id: agent.id, visibleTo: AccessPolicy.activeTenantScope(principal), at: Date()) { agent in
            guard agent.revokedAt == nil else { throw DomainError.conflict("Agent \(agent.name) is already revoked.") }
            agent.revokedAt = Date()
        }
        await connections.close(revoked.id, reason: "This agent was revoked.")
        return .ok(.init(body: .json(APIMapping.agent(revoked))))
    }

    // MARK: Helpers

    private func changeApproval(_ pathValue: String, to approval: AgentApproval) async throws -> Agent {
        let principal = try authenticator.principal()
        let agent = try await manageableAgent(pathValue, principal)
        return try await store.updateAgent(id: agent.id, visibleTo: AccessPolicy.activeTenantScope(principal), at: Date()) { agent in
            guard agent.revokedAt == nil else { throw DomainError.conflict("Agent \(agent.name) is revoked; enroll the host again.") }
            guard agent.approval.canTransition(to: approval) else {
                throw DomainError.conflict("Agent \(agent.name) is already \(agent.approval.rawValue).")
            }
            agent.approval = approval
            agent.approvalChangedAt = Date()
            agent.approvalChangedBy = principal.user.id
        }
    }

    /// A cluster visible to the caller that they may manage: byo clusters need the tenant's owners/admins,
    /// managed clusters an operator.
    private func manageableCluster(_ pathValue: String, _ principal: Principal) async throws -> Cluster {
        let id: ClusterID = try pathID(pathValue, "cluster")
        guard let cluster = try await store.cluster(id: id, visibleTo: AccessPolicy.activeTenantScope(principal)) else {
            throw DomainError.notFound("No cluster \(id) visible to the active tenant.")
        }
        try AccessPolicy.require(cluster.ownership == .byo ? .manageTenantClusters : .manageManagedClusters, principal)
        return cluster
    }

    private func visibleAgent(_ pathValue: String, _ principal: Principal) async throws -> Agent {
        let id: AgentID = try pathID(pathValue, "agent")
        guard let agent = try await store.agent(id: id, visibleTo: AccessPolicy.activeTenantScope(principal)) else {
            throw DomainError.notFound("No agent \(id) in a cluster visible to the active tenant.")
        }
        return agent
    }

    private func manageableAgent(_ pathValue: String, _ principal: Principal) async throws -> Agent {
        let agent = try await visibleAgent(pathValue, principal)
        _ = try await manageableCluster(agent.clusterID.rawValue, principal)
        return agent
    }
}
