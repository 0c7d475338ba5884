import OpenAPIRuntime

extension GlobalStacksClient {
    public typealias CatalogItem = Components.Schemas.IntegrationCatalogItem

    /// Tenants of the active organization.
    public func tenants() async throws -> [Tenant] {
        try await call { try await client.listTenants().ok.body.json.items }
    }

    /// Sandboxes of the active tenant.
    public func sandboxes() async throws -> [Sandbox] {
        try await call { try await client.listSandboxes().ok.body.json.items }
    }

    /// Extensions the active tenant may install.
    public func catalog() async throws -> [CatalogItem] {
        try await call { try await client.listIntegrationCatalog().ok.body.json.items }
    }

    /// Ends this client's session on the server.
    public func signOut() async throws {
        _ = try await call { try await client.deleteSession().noContent }
    }
}
