import GlobalStacksAPI
import GlobalStacksContract
import GlobalStacksUseCases

/// The operations of this area, mapped to its handler.
extension APIController {
    var agents: AgentsHandler { AgentsHandler(agents: useCases.agents) }

    func listProvisioningTokens(_ input: Operations.ListProvisioningTokens.Input) async throws -> Operations.ListProvisioningTokens.Output { try await agents.listProvisioningTokens(input, caller: try caller) }
    func createProvisioningToken(_ input: Operations.CreateProvisioningToken.Input) async throws -> Operations.CreateProvisioningToken.Output { try await agents.createProvisioningToken(input, caller: try caller) }
    func revokeProvisioningToken(_ input: Operations.RevokeProvisioningToken.Input) async throws -> Operations.RevokeProvisioningToken.Output { try await agents.revokeProvisioningToken(input, caller: try caller) }
    func registerAgent(_ input: Operations.RegisterAgent.Input) async throws -> Operations.RegisterAgent.Output { try await agents.registerAgent(input) }
    func rotateAgentKey(_ input: Operations.RotateAgentKey.Input) async throws -> Operations.RotateAgentKey.Output { try await agents.rotateAgentKey(input) }
    func listAgents(_ input: Operations.ListAgents.Input) async throws -> Operations.ListAgents.Output { try await agents.listAgents(input, caller: try caller) }
    func getAgent(_ input: Operations.GetAgent.Input) async throws -> Operations.GetAgent.Output { try await agents.getAgent(input, caller: try caller) }
    func approveAgent(_ input: Operations.ApproveAgent.Input) async throws -> Operations.ApproveAgent.Output { try await agents.approveAgent(input, caller: try caller) }
    func rejectAgent(_ input: Operations.RejectAgent.Input) async throws -> Operations.RejectAgent.Output { try await agents.rejectAgent(input, caller: try caller) }
    func drainAgent(_ input: Operations.DrainAgent.Input) async throws -> Operations.DrainAgent.Output { try await agents.drainAgent(input, caller: try caller) }
    func revokeAgent(_ input: Operations.RevokeAgent.Input) async throws -> Operations.RevokeAgent.Output { try await agents.revokeAgent(input, caller: try caller) }
}
