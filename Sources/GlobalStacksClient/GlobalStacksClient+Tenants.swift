import GlobalStacksContract
import OpenAPIRuntime
extension GlobalStacksClient {
    public typealias Tenant = Components.Schemas.Tenant
    public typealias Cluster = Components.Schemas.Cluster

    public func createTenant(name: String, slug: String, description: String? = nil) async throws -> Tenant {
        try await call { try await client.createTenant(body: .json(.init(name: name, slug: slug, description: description))).created.body.json }
    }

    /// Makes the tenant the active one of this client's credential.
    public func activateTenant(_ id: String) async throws {
        _ = try await call { try await client.activateTenant(path: .init(tenantId: id)).ok }
    }

    /// A cluster of the active tenant (`byo`), or a platform cluster (`globalstacks-managed`, operators only).
    public func createCluster(name: String, managed: Bool = false, metadata: [String: String] = [:]) async throws -> Cluster {
        try await call {
            try await client.createCluster(body: .json(.init(
                name: name, ownership: managed ? .globalstacksManaged : .byo, metadata: .init(additionalProperties: metadata)
            ))).created.body.json
        }
    }

    public func clusters() async throws -> [Cluster] {
        try await call { try await client.listClusters().ok.body.json.items }
    }
}

