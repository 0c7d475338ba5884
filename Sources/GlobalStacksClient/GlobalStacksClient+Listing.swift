import GlobalStacksContract
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

extension GlobalStacksClient {
    public typealias Organization = Components.Schemas.Organization
    public typealias IntegrationInstall = Components.Schemas.IntegrationInstall

    /// The caller's organizations.
    public func organizations() async throws -> [Organization] {
        try await call { try await client.listOrganizations().ok.body.json.items }
    }

    /// Creates a business organization (the caller is its owner).
    public func createOrganization(name: String) async throws -> Organization {
        try await call { try await client.createOrganization(body: .json(.init(name: name))).created.body.json }
    }

    /// Makes the organization the active one of this client's credential.
    public func activateOrganization(_ id: String) async throws {
        _ = try await call { try await client.activateOrganization(path: .init(organizationId: id)).ok }
    }

    /// Operation runs of the active organization, newest first.
    public func operationRuns(limit: Int? = nil) async throws -> [OperationRun] {
        try await call { try await client.listOperationRuns(query: .init(limit: limit)).ok.body.json.items }
    }

    /// Extensions installed in the active tenant.
    public func integrationInstalls() async throws -> [IntegrationInstall] {
        try await call { try await client.listIntegrationInstalls().ok.body.json.items }
    }
}
