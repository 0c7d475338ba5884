import Foundation
import GlobalStacksAPI
import GlobalStacksDomain
import GlobalStacksStore
import GlobalStacksUseCases

/// Provider connections of the active tenant. Reading needs membership; changing needs `manageIntegrations`.
extension OperationsHandler {
    func listIntegrations(_ input: Operations.ListIntegrations.Input) async throws -> Operations.ListIntegrations.Output {
        let principal = try authenticator.principal()
        let scope = try AccessPolicy.requireActiveTenantScope(principal)
        let connections = try await store.providerConnections(scope)
        return .ok(.init(body: .json(.init(items: try connections.map(APIMapping.integration)))))
    }

    func createIntegration(_ input: Operations.CreateIntegration.Input) async throws -> Operations.CreateIntegration.Output {
        let principal = try authenticator.principal()
        let scope = try AccessPolicy.requireActiveTenantScope(principal)
        try AccessPolicy.require(.manageIntegrations, principal)
        guard case .json(let request) = input.body else { throw DomainError.invalidInput("Send a JSON body.") }
        let connection = NewProviderConnection(
            provider: try ProviderConnection.validateToken(request.provider, field: "provider"),
            kind: try ProviderConnection.validateToken(request.kind, field: "kind"),
            name: try Validation.name(request.name),
            externalAccountID: try request.externalAccountId.map { try Validation.name($0, field: "externalAccountId") },
            credentialReference: try ProviderConnection.validateCredentialReference(request.credentialReference),
            isDefault: request.isDefault ?? false,
            metadata: try Validation.metadata(request.metadata?.additionalProperties)
        )
        try credentialNamespace(principal).checkNamespace(
            reference: connection.credentialReference, files: connection.metadata["directoryPath"].map { [$0] } ?? []
        )
        let created = try await store.createProviderConnection(connection, scope, at: Date())
        return .created(.init(body: .json(APIMapping.integrationDetail(created))))
    }

    func getIntegration(_ input: Operations.GetIntegration.Input) async throws -> Operations.GetIntegration.Output {
        let principal = try authenticator.principal()
        let connection = try await visibleConnection(input.path.integrationId, principal)
        return .ok(.init(body: .json(APIMapping.integrationDetail(connection))))
    }

    func updateIntegration(_ input: Operations.UpdateIntegration.Input) async throws -> Operations.UpdateIntegration.Output {
        let principal = try authenticator.principal()
        let current = try await visibleConnection(input.path.integrationId, principal)
        try AccessPolicy.require(.manageIntegrations, principal)
        guard case .json(let request) = input.body else { throw DomainError.invalidInput("Send a JSON body.") }
        let name = try request.name.map { try Validation.name($0) }
        let status = request.status.flatMap { ProviderConnectionStatus(rawValue: $0.rawValue) }
        let reference = try request.credentialReference.map(ProviderConnection.validateCredentialReference)
        let metadata = try request.metadata.map { try Validation.metadata($0.additionalProperties) }
        try credentialNamespace(principal).checkNamespace(reference: reference, files: metadata?["directoryPath"].map { [$0] } ?? [])
        let scope = try AccessPolicy.requireActiveTenantScope(principal)
        let updated = try await store.updateProviderConnection(id: current.id, scope, at: Date()) { connection in
            if let name { connection.name = name }
            if let status, status != connection.status {
                guard connection.status.canTransition(to: status) else {
                    throw DomainError.conflict("A \(connection.status.rawValue) connection cannot become \(status.rawValue).")
                }
                connection.status = status
                connection.statusReason = "Set to \(status.rawValue) by a person."
            }
            if let isDefault = request.isDefault { connection.isDefault = isDefault }
            if let writesPaused = request.writesPaused { connection.writesPaused = writesPaused }
            if let reference { connection.credentialReference = reference }
            if let metadata { connection.metadata = metadata }
        }
        return .ok(.init(body: .json(APIMapping.integrationDetail(updated))))
    }

    func deleteIntegration(_ input: Operations.DeleteIntegration.Input) async throws -> Operations.DeleteIntegration.Output {
        let principal = try authenticator.principal()
        let connection = try await visibleConnection(input.path.integrationId, principal)
        try AccessPolicy.require(.manageIntegrations, principal)
        try await store.deleteProviderConnection(id: connection.id, try AccessPolicy.requireActiveTenantScope(principal), at: Date())
        return .noContent(.init())
    }

    func listDirectoryGroups(_ input: Operations.ListDirectoryGroups.Input) async throws -> Operations.ListDirectoryGroups.Output {
        let principal = try authenticator.principal()
        let connection = try await visibleConnection(input.path.integrationId, principal)
        let groups = try await store.directoryGroups(connectionID: connection.id, try AccessPolicy.requireActiveTenantScope(principal))
        return .ok(.init(body: .json(.init(items: groups.map { .init(externalId: $0.externalID, displayName: $0.displayName) }))))
    }

    /// The active tenant's credential namespace (its variables and its directory).
    private func credentialNamespace(_ principal: Principal) throws -> CredentialResolver {
        guard let tenant = principal.tenant else { throw DomainError.invalidInput("No tenant is selected; select one with POST /v1/tenants/{tenantId}/activate.") }
        return CredentialResolver(credentialsDirectory: credentialsDirectory, tenantExternalID: tenant.externalID)
    }

    /// A connection of the active tenant that is not deleted; anything else is 404.
    private func visibleConnection(_ pathValue: String, _ principal: Principal) async throws -> ProviderConnection {
        let scope = try AccessPolicy.requireActiveTenantScope(principal)
        guard let id = ProviderConnectionID(path: pathValue),
              let connection = try await store.providerConnection(id: id, scope), connection.status != .deleted
        else { throw DomainError.notFound("No provider connection '\(pathValue.prefix(64))' in the active tenant.") }
        return connection
    }
}
