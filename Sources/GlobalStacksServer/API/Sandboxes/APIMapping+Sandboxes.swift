import Foundation
import GlobalStacksAPI
import GlobalStacksContract
import GlobalStacksDomain

/// Sandboxes and their commands in the shape of the API.
extension APIMapping {
    static func sandbox(_ sandbox: Sandbox) -> Components.Schemas.SandboxDetail {
        let spec = sandbox.spec
        return .init(
            id: sandbox.id.rawValue, tenantId: sandbox.tenantID.rawValue, createdBy: sandbox.createdBy.rawValue,
            agentId: sandbox.agentID.rawValue, clusterId: sandbox.clusterID.rawValue, name: spec.name, template: spec.template,
            command: spec.command,
            resources: .init(cpu: spec.cpu.description, memory: spec.memory.description, storage: spec.storage.description),
            environmentKeys: spec.environment.keys.sorted(), labels: .init(additionalProperties: spec.labels), network: spec.network,
            idleTimeoutSeconds: spec.idleTimeoutSeconds, idleAction: .init(rawValue: spec.idleAction.rawValue)!, region: spec.region,
            requiredCapabilities: spec.requiredCapabilities.sorted(), state: .init(rawValue: sandbox.state.rawValue)!,
            stateChangedAt: sandbox.stateChangedAt, lastError: sandbox.lastError, exitStatus: sandbox.exitStatus,
            lastActivityAt: sandbox.lastActivityAt, lifetimeSeconds: spec.lifetimeSeconds, expiresAt: sandbox.expiresAt,
            publicPorts: spec.publicPorts, createdAt: sandbox.createdAt, updatedAt: sandbox.updatedAt
        )
    }

    static func command(_ command: AgentCommand) -> Components.Schemas.AgentCommand {
        .init(
            commandId: command.id.rawValue, agentId: command.agentID.rawValue, sessionId: command.sandboxID.rawValue,
            action: .init(rawValue: command.action.rawValue)!, status: .init(rawValue: command.status.rawValue)!,
            errorMessage: command.errorMessage, deliveries: command.deliveries, deadlineAt: command.deadlineAt, createdAt: command.createdAt,
            sentAt: command.sentAt, acknowledgedAt: command.acknowledgedAt, completedAt: command.completedAt
        )
    }
}
