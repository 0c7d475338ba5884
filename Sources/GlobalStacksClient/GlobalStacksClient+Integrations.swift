import Foundation
import GlobalStacksContract

extension GlobalStacksClient {
    public typealias Integration = Components.Schemas.Integration
    public typealias IntegrationDetail = Components.Schemas.IntegrationDetail
    public typealias ProvisioningTokenInfo = Components.Schemas.ProvisioningTokenInfo

    /// The active tenant's provider connections (never their credentials).
    public func integrations() async throws -> [Integration] {
        try await call { try await client.listIntegrations().ok.body.json.items }
    }

    public func integration(_ id: String) async throws -> IntegrationDetail {
        try await call { try await client.getIntegration(path: .init(integrationId: id)).ok.body.json }
    }

    /// Connects a provider account; `credentialReference` names where the server finds the secret (README).
    public func createIntegration(
        provider: String, kind: String, name: String, credentialReference: String, isDefault: Bool?, metadata: [String: String]
    ) async throws -> IntegrationDetail {
        try await call {
            try await client.createIntegration(body: .json(.init(
                provider: provider, kind: kind, name: name, credentialReference: credentialReference, isDefault: isDefault,
                metadata: metadata.isEmpty ? nil : .init(additionalProperties: metadata)
            ))).created.body.json
        }
    }

    public func deleteIntegration(_ id: String) async throws {
        _ = try await call { try await client.deleteIntegration(path: .init(integrationId: id)).noContent }
    }

    public func provisioningTokens(cluster: String) async throws -> [ProvisioningTokenInfo] {
        try await call { try await client.listProvisioningTokens(path: .init(clusterId: cluster)).ok.body.json.items }
    }

    public func revokeProvisioningToken(cluster: String, id: String) async throws {
        _ = try await call { try await client.revokeProvisioningToken(path: .init(clusterId: cluster, provisioningTokenId: id)).ok }
    }
}
