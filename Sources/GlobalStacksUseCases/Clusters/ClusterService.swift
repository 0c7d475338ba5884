import Foundation
import GlobalStacksDomain
import GlobalStacksStore

/// Clusters. A caller sees its active tenant's `byo` clusters and every managed one (only the managed ones with no
/// tenant selected; anything else is 404). The tenant's owners and admins change its `byo` clusters, site operators
/// and admins the managed ones (403 otherwise).
public struct ClusterService: Sendable {
    private let store: any ClusterRepository

    public init(store: any ClusterRepository) {
        self.store = store
    }

    public func clusters(caller: Caller) async throws -> [Cluster] {
        try await store.clusters(visibleTo: AccessPolicy.clusterVisibility(caller.principal))
    }

    /// The cluster, or 404 when the caller does not see it.
    public func cluster(_ id: ClusterID, caller: Caller) async throws -> Cluster {
        guard let cluster = try await store.cluster(id: id, visibleTo: AccessPolicy.clusterVisibility(caller.principal)) else {
            throw DomainError.notFound("No cluster \(id) visible to the active tenant.")
        }
        return cluster
    }

    /// A `byo` cluster of the active tenant (which must be operable), or a managed cluster.
    public func create(_ new: NewCluster, caller: Caller) async throws -> Cluster {
        let owner: ClusterOwner
        switch new.ownership {
        case .byo:
            try caller.require(.manageTenantClusters)
            let scope = try caller.activeTenant()
            if let tenant = caller.principal.tenant, !tenant.status.isOperable {
                throw DomainError.conflict("The active tenant is \(tenant.status.rawValue); only active tenants can add clusters.")
            }
            owner = .tenant(scope)
        case .globalstacksManaged:
            owner = .platform(try AccessPolicy.platformScope(caller.principal))
        }
        return try await store.createCluster(owner: owner, name: new.name, slug: new.slug, provider: new.provider, metadata: new.metadata, at: Date())
    }

    /// Renames, moves the status (409 for an illegal transition) or replaces the metadata; the values are validated
    /// once the caller is known to be allowed.
    public func update(_ id: ClusterID, name: String?, status: ClusterStatus?, metadata: [String: String]?, caller: Caller) async throws -> Cluster {
        let scope = try AccessPolicy.clusterManagement(try await cluster(id, caller: caller), caller.principal)
        let change = ClusterChange(
            name: try name.map { try Validation.name($0) }, status: status, metadata: try metadata.map { try Validation.metadata($0) }
        )
        let now = Date()
        return try await store.updateCluster(id: id, scope, at: now) { try change.applied(to: $0, at: now) }
    }

    /// A cluster the caller sees and the scope that may manage it (its agents and provisioning tokens).
    func manageable(_ id: ClusterID, caller: Caller) async throws -> (cluster: Cluster, scope: ClusterVisibility) {
        let cluster = try await cluster(id, caller: caller)
        return (cluster, try AccessPolicy.clusterManagement(cluster, caller.principal))
    }
}
