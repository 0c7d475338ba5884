import Foundation
import GlobalStacksAPI
import GlobalStacksDomain
import GlobalStacksStore
import GlobalStacksUseCases

/// Clusters visible to the active tenant.
struct ClustersHandler {
    let store: any RequestStore
    let authenticator: Authenticator

    func listClusters(_ input: Operations.ListClusters.Input) async throws -> Operations.ListClusters.Output {
        let principal = try authenticator.principal()
        let clusters = try await store.clusters(visibleTo: AccessPolicy.activeTenantScope(principal))
        return .ok(.init(body: .json(.init(items: clusters.map(APIMapping.cluster)))))
    }

    func createCluster(_ input: Operations.CreateCluster.Input) async throws -> Operations.CreateCluster.Output {
        let principal = try authenticator.principal()
        guard case .json(let request) = input.body else { throw DomainError.invalidInput("Send a JSON body.") }
        let ownership = ClusterOwnership(rawValue: request.ownership.rawValue)!
        let name = try Validation.name(request.name)
        let slug = try request.slug.map { try Slug(validating: $0) }
        let provider = try Validation.name(request.provider ?? Cluster.defaultProvider(for: ownership), field: "provider")
        let metadata = try Validation.metadata(request.metadata?.additionalProperties)
        let owner: ClusterOwner
        switch ownership {
        case .byo:
            try AccessPolicy.require(.manageTenantClusters, principal)
            let scope = try AccessPolicy.requireActiveTenantScope(principal)
            if let tenant = principal.tenant, !tenant.status.isOperable {
                throw DomainError.conflict("The active tenant is \(tenant.status.rawValue); only active tenants can add clusters.")
            }
            owner = .tenant(scope)
        case .globalstacksManaged:
            try AccessPolicy.require(.manageManagedClusters, principal)
            owner = .platform
        }
        let cluster = try await store.createCluster(owner: owner, name: name, slug: slug, provider: provider, metadata: metadata, at: Date())
        return .created(.init(body: .json(APIMapping.cluster(cluster))))
    }

    func getCluster(_ input: Operations.GetCluster.Input) async throws -> Operations.GetCluster.Output {
        let principal = try authenticator.principal()
        return .ok(.init(body: .json(APIMapping.cluster(try await visibleCluster(try pathID(input.path.clusterId, "cluster"), principal)))))
    }

    func updateCluster(_ input: Operations.UpdateCluster.Input) async throws -> Operations.UpdateCluster.Output {
        let principal = try authenticator.principal()
        let scope = AccessPolicy.activeTenantScope(principal)
        let current = try await visibleCluster(try pathID(input.path.clusterId, "cluster"), principal)
        try AccessPolicy.require(current.ownership == .byo ? .manageTenantClusters : .manageManagedClusters, principal)
        guard case .json(let request) = input.body else { throw DomainError.invalidInput("Send a JSON body.") }
        let change = ClusterChange(
            name: try request.name.map { try Validation.name($0) },
            status: request.status.flatMap { ClusterStatus(rawValue: $0.rawValue) },
            metadata: try request.metadata.map { try Validation.metadata($0.additionalProperties) }
        )
        let now = Date()
        let cluster = try await store.updateCluster(id: current.id, visibleTo: scope, at: now) { try change.applied(to: $0, at: now) }
        return .ok(.init(body: .json(APIMapping.cluster(cluster))))
    }

    /// A cluster the active tenant can see (its own `byo` clusters and every managed one); anything else is 404.
    private func visibleCluster(_ id: ClusterID, _ principal: Principal) async throws -> Cluster {
        guard let cluster = try await store.cluster(id: id, visibleTo: AccessPolicy.activeTenantScope(principal)) else {
            throw DomainError.notFound("No cluster \(id) visible to the active tenant.")
        }
        return cluster
    }
}
