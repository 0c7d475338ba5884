import GlobalStacksAPI
import GlobalStacksContract
import GlobalStacksDomain
import GlobalStacksUseCases

/// The v1 API's provisioning tokens, agent enrollment and approval: maps the contract's input to `AgentService` and
/// its results back.
struct AgentsHandler {
    let agents: AgentService

    func listProvisioningTokens(_ input: Operations.ListProvisioningTokens.Input, caller: Caller) async throws -> Operations.ListProvisioningTokens.Output {
        let tokens = try await agents.provisioningTokens(of: try pathID(input.path.clusterId, "cluster"), caller: caller)
        return .ok(.init(body: .json(.init(items: tokens.map(APIMapping.provisioningToken)))))
    }

    func createProvisioningToken(_ input: Operations.CreateProvisioningToken.Input, caller: Caller) async throws -> Operations.CreateProvisioningToken.Output {
        var request = Components.Schemas.CreateProvisioningTokenRequest()
        if case .json(let body)? = input.body { request = body }
        let issued = try await agents.issueProvisioningToken(
            for: try pathID(input.path.clusterId, "cluster"), name: request.name, singleUse: request.singleUse,
            expiresInHours: request.expiresInHours, caller: caller
        )
        return .created(.init(body: .json(.init(provisioningToken: APIMapping.provisioningToken(issued.token), token: issued.secret))))
    }

    func revokeProvisioningToken(_ input: Operations.RevokeProvisioningToken.Input, caller: Caller) async throws -> Operations.RevokeProvisioningToken.Output {
        let clusterID: ClusterID = try pathID(input.path.clusterId, "cluster")
        let token = try await agents.revokeProvisioningToken(
            try pathID(input.path.provisioningTokenId, "provisioning token"), of: clusterID, caller: caller
        )
        return .ok(.init(body: .json(APIMapping.provisioningToken(token))))
    }

    /// Authenticated by the provisioning token alone (the host has no user account).
    func registerAgent(_ input: Operations.RegisterAgent.Input) async throws -> Operations.RegisterAgent.Output {
        guard let bearer = try RequestEnvironment.required.presented.bearerToken, bearer.hasPrefix(SecretPrefix.provisioningToken) else {
            throw DomainError.unauthenticated("Send the provisioning token as 'Authorization: Bearer \(SecretPrefix.provisioningToken)…'.")
        }
        guard case .json(let request) = input.body else { throw DomainError.invalidInput("Send a JSON body.") }
        let enrolled = try await agents.enroll(try APIMapping.agentRegistration(request), provisioningToken: bearer)
        return .created(.init(body: .json(.init(agent: APIMapping.agent(enrolled.agent), apiKey: enrolled.key))))
    }

    /// Authenticated by the agent's current key alone.
    func rotateAgentKey(_ input: Operations.RotateAgentKey.Input) async throws -> Operations.RotateAgentKey.Output {
        guard let bearer = try RequestEnvironment.required.presented.bearerToken, bearer.hasPrefix(SecretPrefix.agentKey) else {
            throw DomainError.unauthenticated("Send the agent's current key as 'Authorization: Bearer \(SecretPrefix.agentKey)…'.")
        }
        var proposed: String?
        if case .json(let body)? = input.body { proposed = body.newKey }
        let rotated = try await agents.rotateKey(presented: bearer, proposed: proposed)
        return .ok(.init(body: .json(.init(agent: APIMapping.agent(rotated.agent), apiKey: rotated.key))))
    }

    func listAgents(_ input: Operations.ListAgents.Input, caller: Caller) async throws -> Operations.ListAgents.Output {
        let clusterID: ClusterID? = try input.query.clusterId.map { try pathID($0, "cluster") }
        return .ok(.init(body: .json(.init(items: try await agents.agents(in: clusterID, caller: caller).map(APIMapping.agent)))))
    }

    func getAgent(_ input: Operations.GetAgent.Input, caller: Caller) async throws -> Operations.GetAgent.Output {
        .ok(.init(body: .json(APIMapping.agent(try await agents.agent(try pathID(input.path.agentId, "agent"), caller: caller)))))
    }

    func approveAgent(_ input: Operations.ApproveAgent.Input, caller: Caller) async throws -> Operations.ApproveAgent.Output {
        .ok(.init(body: .json(APIMapping.agent(try await agents.setApproval(.approved, of: try pathID(input.path.agentId, "agent"), caller: caller)))))
    }

    func rejectAgent(_ input: Operations.RejectAgent.Input, caller: Caller) async throws -> Operations.RejectAgent.Output {
        .ok(.init(body: .json(APIMapping.agent(try await agents.setApproval(.rejected, of: try pathID(input.path.agentId, "agent"), caller: caller)))))
    }

    func drainAgent(_ input: Operations.DrainAgent.Input, caller: Caller) async throws -> Operations.DrainAgent.Output {
        .ok(.init(body: .json(APIMapping.agent(try await agents.drain(try pathID(input.path.agentId, "agent"), caller: caller)))))
    }

    func revokeAgent(_ input: Operations.RevokeAgent.Input, caller: Caller) async throws -> Operations.RevokeAgent.Output {
        .ok(.init(body: .json(APIMapping.agent(try await agents.revoke(try pathID(input.path.agentId, "agent"), caller: caller)))))
    }
}
