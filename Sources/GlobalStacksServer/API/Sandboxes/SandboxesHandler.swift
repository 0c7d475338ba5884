import GlobalStacksAPI
import GlobalStacksContract
import GlobalStacksDomain
import GlobalStacksUseCases

/// The v1 API's sandboxes: maps the contract's input to `SandboxService` and its results back.
struct SandboxesHandler {
    let sandboxes: SandboxService

    func listSandboxes(_ input: Operations.ListSandboxes.Input, caller: Caller) async throws -> Operations.ListSandboxes.Output {
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
            filter.labels = [String(parts[0]): String(parts[1])]
        }
        let items = try await sandboxes.sandboxes(filter, caller: caller)
        return .ok(.init(body: .json(.init(items: items.map(APIMapping.sandbox)))))
    }

    func createSandbox(_ input: Operations.CreateSandbox.Input, caller: Caller) async throws -> Operations.CreateSandbox.Output {
        guard case .json(let request) = input.body else { throw DomainError.invalidInput("Send a JSON body.") }
        let spec = try SandboxSpec(
            name: request.name, template: request.template, command: request.command ?? [],
            cpu: try request.resources?.cpu.map { try CPUQuantity(parsing: $0) },
            memory: try request.resources?.memory.map { try ByteQuantity(parsing: $0) },
            storage: try request.resources?.storage.map { try ByteQuantity(parsing: $0) },
            environment: request.environment?.additionalProperties, labels: request.labels?.additionalProperties, network: request.network,
            idleTimeoutSeconds: request.idleTimeoutSeconds, idleAction: request.idleAction.flatMap { IdleAction(rawValue: $0.rawValue) },
            region: request.region, clusterID: try request.clusterId.map { try pathID($0, "cluster") },
            requiredCapabilities: request.requiredCapabilities, lifetimeSeconds: request.lifetimeSeconds, publicPorts: request.publicPorts
        )
        return .created(.init(body: .json(APIMapping.sandbox(try await sandboxes.create(spec, caller: caller)))))
    }

    func getSandbox(_ input: Operations.GetSandbox.Input, caller: Caller) async throws -> Operations.GetSandbox.Output {
        .ok(.init(body: .json(APIMapping.sandbox(try await sandboxes.sandbox(try pathID(input.path.sandboxId, "sandbox"), caller: caller)))))
    }

    func deleteSandbox(_ input: Operations.DeleteSandbox.Input, caller: Caller) async throws -> Operations.DeleteSandbox.Output {
        try await sandboxes.delete(try pathID(input.path.sandboxId, "sandbox"), caller: caller)
        return .noContent(.init())
    }

    func stopSandbox(_ input: Operations.StopSandbox.Input, caller: Caller) async throws -> Operations.StopSandbox.Output {
        .accepted(.init(body: .json(APIMapping.sandbox(try await request(.stop, input.path.sandboxId, caller)))))
    }

    func hibernateSandbox(_ input: Operations.HibernateSandbox.Input, caller: Caller) async throws -> Operations.HibernateSandbox.Output {
        .accepted(.init(body: .json(APIMapping.sandbox(try await request(.hibernate, input.path.sandboxId, caller)))))
    }

    func wakeSandbox(_ input: Operations.WakeSandbox.Input, caller: Caller) async throws -> Operations.WakeSandbox.Output {
        .accepted(.init(body: .json(APIMapping.sandbox(try await request(.wake, input.path.sandboxId, caller)))))
    }

    func listSandboxCommands(_ input: Operations.ListSandboxCommands.Input, caller: Caller) async throws -> Operations.ListSandboxCommands.Output {
        let commands = try await sandboxes.commands(try pathID(input.path.sandboxId, "sandbox"), caller: caller)
        return .ok(.init(body: .json(.init(items: commands.map(APIMapping.command)))))
    }

    private func request(_ request: SandboxRequest, _ pathValue: String, _ caller: Caller) async throws -> Sandbox {
        try await sandboxes.request(request, try pathID(pathValue, "sandbox"), caller: caller)
    }
}
