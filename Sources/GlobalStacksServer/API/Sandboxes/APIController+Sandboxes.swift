import GlobalStacksAPI
import GlobalStacksContract
import GlobalStacksUseCases

/// The operations of this area, mapped to its handler.
extension APIController {
    var sandboxes: SandboxesHandler { SandboxesHandler(sandboxes: useCases.sandboxes) }

    func listSandboxes(_ input: Operations.ListSandboxes.Input) async throws -> Operations.ListSandboxes.Output { try await sandboxes.listSandboxes(input, caller: try caller) }
    func createSandbox(_ input: Operations.CreateSandbox.Input) async throws -> Operations.CreateSandbox.Output { try await sandboxes.createSandbox(input, caller: try caller) }
    func getSandbox(_ input: Operations.GetSandbox.Input) async throws -> Operations.GetSandbox.Output { try await sandboxes.getSandbox(input, caller: try caller) }
    func deleteSandbox(_ input: Operations.DeleteSandbox.Input) async throws -> Operations.DeleteSandbox.Output { try await sandboxes.deleteSandbox(input, caller: try caller) }
    func stopSandbox(_ input: Operations.StopSandbox.Input) async throws -> Operations.StopSandbox.Output { try await sandboxes.stopSandbox(input, caller: try caller) }
    func hibernateSandbox(_ input: Operations.HibernateSandbox.Input) async throws -> Operations.HibernateSandbox.Output { try await sandboxes.hibernateSandbox(input, caller: try caller) }
    func wakeSandbox(_ input: Operations.WakeSandbox.Input) async throws -> Operations.WakeSandbox.Output { try await sandboxes.wakeSandbox(input, caller: try caller) }
    func listSandboxCommands(_ input: Operations.ListSandboxCommands.Input) async throws -> Operations.ListSandboxCommands.Output { try await sandboxes.listSandboxCommands(input, caller: try caller) }
}
