import Foundation
import GlobalStacksAPI
import GlobalStacksDomain
import GlobalStacksStore

/// Sandboxes of the active tenant. Every member of the organization may run sandboxes in its tenants; each one
/// counts against the quotas of the user who created it. Changes store a command for the agent and wake the
/// dispatcher; the agent's answers move the sandbox on.
struct SandboxesHandler {
    let store: any RequestStore
    let authenticator: Authenticator
    let dispatcher: CommandDispatcher
    let commandDeadline: TimeInterval
    /// Explains "no agent" refusals on a single-node installation.
    let embeddedAgent: EmbeddedAgentStatus?

    func listSandboxes(_ input: Operations.ListSandboxes.Input) async throws -> Operations.ListSandboxes.Output {
        let scope = try await sandboxScope()
        var filter = SandboxFilter()
        if let state = input.query.state {
            guard let parsed = SandboxState(rawValue: state) else {
                throw DomainError.invalidInput("Unknown state '\(state.prefix(32))'; use one of \(SandboxState.allCases.map(\.rawValue).joined(separator: ", ")).")
            }
            filter.state = parsed
        }
        if let label = input.query.label {
            let parts = label.split(separator: "=", maxSplits: 1, omittingEmptySubsequences: false)
            guard parts.count == 2, !parts[0].isEmpty else { throw DomainError.invalidInput("label must be key=value.") }
            filter.label = (String(parts[0]), String(parts[1]))
        }
        let sandboxes = try await store.sandboxes(scope: scope, filter: filter)
        return .ok(.init(body: .json(.init(items: sandboxes.map(APIMapping.sandbox)))))
    }

    func createSandbox(_ input: Operations.CreateSandbox.Input) async throws -> Operations.CreateSandbox.Output {
        let principal = try authenticator.principal()
        let scope = try AccessPolicy.requireActiveTenantScope(principal)
        guard case .json(let request) = input.body else { throw DomainError.invalidInput("Send a JSON body.") }
        let spec = try SandboxSpec(
            name: request.name, template: request.template, command: request.command ?? [],
            cpu: try request.resources?.cpu.map { try CPUQuantity(parsing: $0) },
            memory: try request.resources?.memory.map { try ByteQuantity(parsing: $0) },
            storage: try request.resources?.storage.map { try ByteQuantity(parsing: $0) },
            environment: request.environment?.additionalProperties, labels: request.labels?.additionalProperties, network: request.network,
            idleTimeoutSeconds: request.idleTimeoutSeconds, idleAction: request.idleAction.flatMap { IdleAction(rawValue: $0.rawValue) },
            region: request.region, clusterID: try request.clusterId.map { try pathID($0, "cluster") },
            requiredCapabilities: request.requiredCapabilities
        )
        let now = Date()
        let change: SandboxChange
        do {
            change = try await store.createSandbox(
                spec, createdBy: principal.user.id, scope: scope, commandDeadline: now.addingTimeInterval(commandDeadline), at: now
            )
        } catch let error as DomainError {
            throw embeddedAgent?.explain(error) ?? error
        }
        dispatcher.signal()
        return .created(.init(body: .json(APIMapping.sandbox(change.sandbox))))
    }

    func getSandbox(_ input: Operations.GetSandbox.Input) async throws -> Operations.GetSandbox.Output {
        .ok(.init(body: .json(APIMapping.sandbox(try await visibleSandbox(input.path.sandboxId)))))
    }

    func deleteSandbox(_ input: Operations.DeleteSandbox.Input) async throws -> Operations.DeleteSandbox.Output {
        let scope = try await sandboxScope()
        let now = Date()
        _ = try await store.deleteSandbox(
            id: try pathID(input.path.sandboxId, "sandbox"), scope: scope, commandDeadline: now.addingTimeInterval(commandDeadline), at: now
        )
        dispatcher.signal()
        return .noContent(.init())
    }

    func stopSandbox(_ input: Operations.StopSandbox.Input) async throws -> Operations.StopSandbox.Output {
        .accepted(.init(body: .json(APIMapping.sandbox(try await request(.stop, input.path.sandboxId)))))
    }

    func hibernateSandbox(_ input: Operations.HibernateSandbox.Input) async throws -> Operations.HibernateSandbox.Output {
        .accepted(.init(body: .json(APIMapping.sandbox(try await request(.hibernate, input.path.sandboxId)))))
    }

    func wakeSandbox(_ input: Operations.WakeSandbox.Input) async throws -> Operations.WakeSandbox.Output {
        .accepted(.init(body: .json(APIMapping.sandbox(try await request(.wake, input.path.sandboxId)))))
    }

    func listSandboxCommands(_ input: Operations.ListSandboxCommands.Input) async throws -> Operations.ListSandboxCommands.Output {
        let scope = try await sandboxScope()
        let commands = try await store.commands(sandboxID: try pathID(input.path.sandboxId, "sandbox"), scope: scope)
        return .ok(.init(body: .json(.init(items: commands.map(APIMapping.command)))))
    }

    private func request(_ request: SandboxRequest, _ pathValue: String) async throws -> Sandbox {
        let scope = try await sandboxScope()
        let now = Date()
        let change = try await store.requestSandbox(
            request, id: try pathID(pathValue, "sandbox"), scope: scope, commandDeadline: now.addingTimeInterval(commandDeadline), at: now
        )
        dispatcher.signal()
        return change.sandbox
    }

    private func visibleSandbox(_ pathValue: String) async throws -> Sandbox {
        let id: SandboxID = try pathID(pathValue, "sandbox")
        guard let sandbox = try await store.sandbox(id: id, scope: try await sandboxScope()) else { throw DomainError.notFound("No sandbox \(id) in the active tenant.") }
        return sandbox
    }

    private func sandboxScope() async throws -> TenantScope {
        try AccessPolicy.requireActiveTenantScope(try authenticator.principal())
    }
}
