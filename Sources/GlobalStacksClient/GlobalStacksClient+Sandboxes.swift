import GlobalStacksContract
import OpenAPIRuntime
extension GlobalStacksClient {
    public typealias Sandbox = Components.Schemas.SandboxDetail
    public typealias SandboxResources = Components.Schemas.SandboxResources
    public typealias AgentCommand = Components.Schemas.AgentCommand

    /// A sandbox running `command` in the active tenant, placed and admitted by the server.
    public func createSandbox(
        name: String? = nil, template: String? = nil, command: [String], resources: SandboxResources? = nil, labels: [String: String] = [:],
        environment: [String: String] = [:], network: Bool? = nil, idleTimeoutSeconds: Int? = nil, region: String? = nil, lifetimeSeconds: Int? = nil,
        publicPorts: Bool? = nil
    ) async throws -> Sandbox {
        try await call {
            try await client.createSandbox(body: .json(.init(
                name: name, template: template, command: command.isEmpty ? nil : command, resources: resources, environment: environment.isEmpty ? nil : .init(additionalProperties: environment),
                labels: labels.isEmpty ? nil : .init(additionalProperties: labels), network: network, idleTimeoutSeconds: idleTimeoutSeconds,
                region: region, lifetimeSeconds: lifetimeSeconds, publicPorts: publicPorts
            ))).created.body.json
        }
    }

    public func sandbox(_ id: String) async throws -> Sandbox {
        try await call { try await client.getSandbox(path: .init(sandboxId: id)).ok.body.json }
    }

    public func stopSandbox(_ id: String) async throws -> Sandbox {
        try await call { try await client.stopSandbox(path: .init(sandboxId: id)).accepted.body.json }
    }

    public func hibernateSandbox(_ id: String) async throws -> Sandbox {
        try await call { try await client.hibernateSandbox(path: .init(sandboxId: id)).accepted.body.json }
    }

    public func wakeSandbox(_ id: String) async throws -> Sandbox {
        try await call { try await client.wakeSandbox(path: .init(sandboxId: id)).accepted.body.json }
    }

    /// Terminates a stopped or failed sandbox.
    public func deleteSandbox(_ id: String) async throws {
        _ = try await call { try await client.deleteSandbox(path: .init(sandboxId: id)).noContent }
    }

    /// The commands sent to agents for the sandbox, oldest first.
    public func sandboxCommands(_ id: String) async throws -> [AgentCommand] {
        try await call { try await client.listSandboxCommands(path: .init(sandboxId: id)).ok.body.json.items }
    }
}
