import Foundation
import GlobalStacksAgentProtocol
import GlobalStacksDomain
import GlobalStacksStore
import GlobalStacksUseCases
import Logging

/// `data-plane.instance.provision`: asks the instance's extension how to run the service (`provision`, through the
/// broker, on the host when it runs extensions), keeps the answer, has the host start the service (`start_service`),
/// and waits for its first passing health check. Safe to run again: a kept answer is not asked for twice, and the
/// agent treats a repeated start of the same service as one. When the run ends without success the instance is
/// `failed` with the reason, so nothing stays half-created without saying so.
struct DataPlaneProvisionExecutor: OperationExecutor {
    let store: any DataPlaneRepository & AgentRepository
    let dispatch: ExtensionDispatch
    let live: LiveCommands
    /// How long the service has to pass its first health check.
    var healthWait: Duration = .seconds(120)

    func execute(_ context: ExecutionContext) async throws -> [String: String] {
        let scope = context.scope
        let instance = try await context.recordOfRun(missing: "The instance of this run is not recorded yet.") {
            try await store.dataPlaneInstance(provisionRun: context.run.id, scope)
        }
        do {
            return try await provision(instance, context)
        } catch {
            if let reason = ExecutionError.finalReason(of: error, attempt: context.run) {
                _ = try? await store.updateDataPlaneInstance(id: instance.id, scope, at: Date()) { instance in
                    guard instance.state != .failed, instance.state.canTransition(to: .failed) else { return }
                    instance.state = .failed
                    instance.stateReason = reason
                }
            }
            throw error
        }
    }

    private func provision(_ recorded: DataPlaneInstance, _ context: ExecutionContext) async throws -> [String: String] {
        let scope = context.scope
        var instance = recorded
        guard instance.state.wantsService else { return ["instanceId": instance.id.rawValue, "skipped": instance.state.rawValue] }
        if instance.service == nil {
            let cluster = try await ExtensionRunTarget.cluster(for: scope, store: store, connected: dispatch.connectedAgents, preferring: instance.agentID)
            let input: [String: JSONValue] = ["instanceId": .string(instance.id.rawValue), "settings": .object(instance.effectiveSettings)]
            let answer = try await dispatch.dispatch(
                ExtensionRunTarget.invocation(instance.extensionKey, "provision", cluster: cluster, input: input), context, preferring: instance.agentID
            )
            let service: ServiceDefinition
            do {
                service = try ServiceDefinition(provisionOutputs: answer.answer.outputs)
            } catch let error as DomainError {
                throw ExecutionError.permanent("'\(instance.extensionKey)' answered provision with a service the host cannot run: \(error.message)")
            }
            instance = try await store.updateDataPlaneInstance(id: instance.id, scope, at: Date()) { instance in
                instance.service = service
                instance.endpoint = service.endpoint(socketDirectory: DataPlaneInstance.socketDirectory(instance.id))
            }
        }
        guard let service = instance.service else { throw ExecutionError.permanent("The instance has no service to start.") }
        try await ServiceCommands.start(instance, service, live: live)
        context.logger.info("Data-plane service started", metadata: ["instance_id": "\(instance.id)", "agent_id": "\(instance.agentID)"])
        let deadline = ContinuousClock.now + healthWait
        while ContinuousClock.now < deadline {
            guard let current = try await store.dataPlaneInstance(id: instance.id, scope) else {
                throw ExecutionError.permanent("The instance is gone.")
            }
            switch current.state {
            case .healthy, .degraded:
                return ["instanceId": instance.id.rawValue, "agentId": instance.agentID.rawValue, "state": current.state.rawValue]
            case .failed:
                throw ExecutionError.permanent(current.stateReason ?? "The service failed on its host.")
            case .draining, .deleted:
                return ["instanceId": instance.id.rawValue, "skipped": current.state.rawValue]
            case .provisioning:
                try await Task.sleep(for: .milliseconds(250))
            }
        }
        throw ExecutionError.permanent("The service did not pass a health check within \(healthWait.components.seconds) s of starting.")
    }
}

/// `data-plane.instance.delete`: the host stops the service and deletes it with its data (`remove_service`); the
/// instance is then `deleted`. A host that is away gets the removal when it connects again (`ServiceReconciler`).
struct DataPlaneDeleteExecutor: OperationExecutor {
    let store: any DataPlaneRepository & AgentRepository
    let live: LiveCommands

    func execute(_ context: ExecutionContext) async throws -> [String: String] {
        let scope = context.scope
        guard let id = context.run.targetContext["instanceId"].flatMap(DataPlaneInstanceID.init(path:)),
              let instance = try await store.dataPlaneInstance(id: id, scope)
        else { throw ExecutionError.permanent("The run names no data-plane instance of the tenant.") }
        guard instance.state == .draining else { return ["instanceId": id.rawValue, "skipped": instance.state.rawValue] }
        try await ServiceCommands.remove(instance, live: live)
        _ = try await store.updateDataPlaneInstance(id: id, scope, at: Date()) { instance in
            guard instance.state == .draining else { return }
            instance.state = .deleted
            instance.stateReason = nil
            instance.endpoint = nil
        }
        return ["instanceId": id.rawValue, "agentId": instance.agentID.rawValue]
    }
}
