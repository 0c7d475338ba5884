import GlobalStacksAPI
import GlobalStacksContract
import GlobalStacksUseCases

/// The operations of this area, mapped to its handler.
extension APIController {
    var operations: OperationsHandler { OperationsHandler(operations: useCases.operations, publicURL: settings.publicURL) }

    func listOperationTypes(_ input: Operations.ListOperationTypes.Input) async throws -> Operations.ListOperationTypes.Output { try await operations.listOperationTypes(input, caller: try caller) }
    func startOperation(_ input: Operations.StartOperation.Input) async throws -> Operations.StartOperation.Output { try await operations.startOperation(input, caller: try caller) }
    func startOnboardingBootstrap(_ input: Operations.StartOnboardingBootstrap.Input) async throws -> Operations.StartOnboardingBootstrap.Output { try await operations.startOnboardingBootstrap(input, caller: try caller) }
    func listOperationRuns(_ input: Operations.ListOperationRuns.Input) async throws -> Operations.ListOperationRuns.Output { try await operations.listOperationRuns(input, caller: try caller) }
    func getOperationRun(_ input: Operations.GetOperationRun.Input) async throws -> Operations.GetOperationRun.Output { try await operations.getOperationRun(input, caller: try caller) }
    func cancelOperationRun(_ input: Operations.CancelOperationRun.Input) async throws -> Operations.CancelOperationRun.Output { try await operations.cancelOperationRun(input, caller: try caller) }
    func listIntegrations(_ input: Operations.ListIntegrations.Input) async throws -> Operations.ListIntegrations.Output { try await operations.listIntegrations(input, caller: try caller) }
    func createIntegration(_ input: Operations.CreateIntegration.Input) async throws -> Operations.CreateIntegration.Output { try await operations.createIntegration(input, caller: try caller) }
    func getIntegration(_ input: Operations.GetIntegration.Input) async throws -> Operations.GetIntegration.Output { try await operations.getIntegration(input, caller: try caller) }
    func updateIntegration(_ input: Operations.UpdateIntegration.Input) async throws -> Operations.UpdateIntegration.Output { try await operations.updateIntegration(input, caller: try caller) }
    func deleteIntegration(_ input: Operations.DeleteIntegration.Input) async throws -> Operations.DeleteIntegration.Output { try await operations.deleteIntegration(input, caller: try caller) }
    func listDirectoryGroups(_ input: Operations.ListDirectoryGroups.Input) async throws -> Operations.ListDirectoryGroups.Output { try await operations.listDirectoryGroups(input, caller: try caller) }
}
