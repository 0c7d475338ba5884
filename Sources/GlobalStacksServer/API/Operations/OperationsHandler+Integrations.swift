import GlobalStacksAPI
import GlobalStacksContract
import GlobalStacksDomain
import GlobalStacksUseCases

/// Provider connections of the active tenant (`/v1/integrations`), through `OperationService`.
extension OperationsHandler {
    func listIntegrations(_ input: Operations.ListIntegrations.Input, caller: Caller) async throws -> Operations.ListIntegrations.Output {
        .ok(.init(body: .json(.init(items: try await operations.connections(caller: caller).map(APIMapping.integration)))))
    }

    func createIntegration(_ input: Operations.CreateIntegration.Input, caller: Caller) async throws -> Operations.CreateIntegration.Output {
        guard case .json(let request) = input.body else { throw DomainError.invalidInput("Send a JSON body.") }
        let draft = ProviderConnectionDraft(
            provider: request.provider, kind: request.kind, name: request.name, externalAccountID: request.externalAccountId,
            credentialReference: request.credentialReference, isDefault: request.isDefault ?? false, metadata: request.metadata?.additionalProperties
        )
        return .created(.init(body: .json(APIMapping.integrationDetail(try await operations.createConnection(draft, caller: caller)))))
    }

    func getIntegration(_ input: Operations.GetIntegration.Input, caller: Caller) async throws -> Operations.GetIntegration.Output {
        .ok(.init(body: .json(APIMapping.integrationDetail(try await operations.connection(try connectionID(input.path.integrationId), caller: caller)))))
    }

    func updateIntegration(_ input: Operations.UpdateIntegration.Input, caller: Caller) async throws -> Operations.UpdateIntegration.Output {
        guard case .json(let request) = input.body else { throw DomainError.invalidInput("Send a JSON body.") }
        let change = ProviderConnectionChange(
            name: request.name, status: request.status.flatMap { ProviderConnectionStatus(rawValue: $0.rawValue) }, isDefault: request.isDefault,
            writesPaused: request.writesPaused, credentialReference: request.credentialReference, metadata: request.metadata?.additionalProperties
        )
        let updated = try await operations.updateConnection(try connectionID(input.path.integrationId), change, caller: caller)
        return .ok(.init(body: .json(APIMapping.integrationDetail(updated))))
    }

    func deleteIntegration(_ input: Operations.DeleteIntegration.Input, caller: Caller) async throws -> Operations.DeleteIntegration.Output {
        try await operations.deleteConnection(try connectionID(input.path.integrationId), caller: caller)
        return .noContent(.init())
    }

    func listDirectoryGroups(_ input: Operations.ListDirectoryGroups.Input, caller: Caller) async throws -> Operations.ListDirectoryGroups.Output {
        let groups = try await operations.directoryGroups(try connectionID(input.path.integrationId), caller: caller)
        return .ok(.init(body: .json(.init(items: groups.map { .init(externalId: $0.externalID, displayName: $0.displayName) }))))
    }

    /// A connection id from the path; a malformed one names no connection (404).
    private func connectionID(_ pathValue: String) throws -> ProviderConnectionID {
        guard let id = ProviderConnectionID(path: pathValue) else { throw OperationService.noConnection(pathValue) }
        return id
    }
}
