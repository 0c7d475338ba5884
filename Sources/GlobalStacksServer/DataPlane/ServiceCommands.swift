import Foundation
import GlobalStacksAgentProtocol
import GlobalStacksDomain

/// The two commands a host gets about a data-plane instance's service, sent on its connection here while the run
/// (or the reconciler) waits: `start_service` and `remove_service`. Both are idempotent on the agent, which keeps
/// what it runs on disk, so they need no outbox: a host that was away is told again when it connects.
enum ServiceCommands {
    static func start(_ instance: DataPlaneInstance, _ service: ServiceDefinition, live: LiveCommands) async throws {
        try await send(.startService(StartServicePayload(instance, service)), to: instance.agentID, live: live, action: "start the service")
    }

    static func remove(_ instance: DataPlaneInstance, live: LiveCommands) async throws {
        try await send(.removeService(ServiceReference(serviceId: instance.id.rawValue)), to: instance.agentID, live: live, action: "remove the service")
    }

    private static func send(_ body: CommandBody, to agent: AgentID, live: LiveCommands, action: String) async throws {
        guard let command = try await live.start(body, agent: agent) else {
            throw ExecutionError.transient("The host \(agent) is not connected to this server; it will be asked again.")
        }
        for await event in command.events {
            switch event {
            case .finished(.success): return
            case .finished(.failure(let failed)): throw ExecutionError.permanent("The host could not \(action): \(failed.error)")
            case .disconnected: throw ExecutionError.transient("The host disconnected before it could \(action).")
            case .frame, .credit: continue
            }
        }
        throw ExecutionError.transient("The host disconnected before it could \(action).")
    }
}

extension StartServicePayload {
    /// What the host runs for `instance`: the extension's service definition, under the instance's id and tenant.
    init(_ instance: DataPlaneInstance, _ service: ServiceDefinition) {
        self.init(
            serviceId: instance.id.rawValue, tenantId: instance.tenantID.rawValue, command: service.command, initCommand: service.initCommand,
            environment: service.environment, resources: service.resources,
            healthCheck: service.healthCheck.map {
                ServiceHealthCheck(command: $0.command, intervalSeconds: $0.intervalSeconds, timeoutSeconds: $0.timeoutSeconds, failureThreshold: $0.failureThreshold)
            }
        )
    }
}
