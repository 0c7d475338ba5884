import Foundation
import GlobalStacksAPI
import GlobalStacksContract
import GlobalStacksDomain

/// Agents and provisioning tokens in the shape of the API, and an enrollment request as a domain value.
extension APIMapping {
    /// The contract's AgentRegistrationRequest, validated.
    static func agentRegistration(_ request: Components.Schemas.AgentRegistrationRequest) throws -> AgentRegistration {
        guard let platform = AgentPlatform(rawValue: request.platform.rawValue) else {
            throw DomainError.invalidInput("Unknown platform '\(request.platform.rawValue)'.")
        }
        return AgentRegistration(
            name: try Agent.validateName(request.agentId), platform: platform,
            region: try request.region.map { try Validation.name($0, field: "region") },
            capacity: try request.capacity.map { capacity in
                guard (0...100_000).contains(capacity.maxSessions) else { throw DomainError.invalidInput("capacity.maxSessions must be 0 to 100000.") }
                return AgentCapacity(maxSessions: capacity.maxSessions, cpu: try CPUQuantity(parsing: capacity.cpu), memory: try ByteQuantity(parsing: capacity.memory))
            },
            capabilities: try Agent.validateCapabilities(request.capabilities ?? []),
            metadata: try Validation.metadata(request.metadata?.additionalProperties)
        )
    }

    static func agentCapacity(_ capacity: AgentCapacity) -> Components.Schemas.AgentCapacity {
        .init(maxSessions: capacity.maxSessions, cpu: capacity.cpu.description, memory: capacity.memory.description)
    }

    static func agent(_ agent: Agent) -> Components.Schemas.AgentDetail {
        .init(
            id: agent.id.rawValue, clusterId: agent.clusterID.rawValue, agentId: agent.name, platform: agent.platform.rawValue,
            region: agent.region, status: .init(rawValue: agent.status.rawValue)!,
            approvalStatus: .init(rawValue: agent.approval.rawValue)!, drainingSince: agent.drainingSince, approvedAt: agent.approvalChangedAt,
            approvedBy: agent.approvalChangedBy?.rawValue, capacity: agent.capacity.map(agentCapacity),
            capabilities: agent.capabilities.sorted(), metadata: .init(additionalProperties: agent.metadata),
            lastHeartbeat: agent.lastHeartbeatAt, revoked: agent.revokedAt != nil,
            createdAt: agent.createdAt, updatedAt: agent.updatedAt
        )
    }

    static func provisioningToken(_ token: ProvisioningToken) -> Components.Schemas.ProvisioningTokenInfo {
        .init(
            id: token.id.rawValue, clusterId: token.clusterID.rawValue, name: token.name, prefix: token.tokenPrefix,
            singleUse: token.singleUse, expiresAt: token.expiresAt, usedAt: token.usedAt, revokedAt: token.revokedAt,
            createdAt: token.createdAt
        )
    }
}
