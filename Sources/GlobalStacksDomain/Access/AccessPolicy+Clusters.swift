extension AccessPolicy {
    /// The platform's managed clusters, agents and provisioning tokens: site operators and admins only (403 otherwise).
    public static func platformScope(_ principal: Principal) throws -> PlatformScope {
        try require(.manageManagedClusters, principal)
        return PlatformScope(operatorID: principal.user.id)
    }

    /// What the caller reads of clusters and agents: its active tenant's view, or the managed clusters when it has
    /// selected no tenant.
    public static func clusterVisibility(_ principal: Principal) -> ClusterVisibility {
        activeTenantScope(principal).map(ClusterVisibility.tenant) ?? .account(accountScope(principal))
    }

    /// The scope that may change a cluster the caller sees, with its agents and provisioning tokens: the tenant's
    /// owners and admins for its `byo` clusters, the platform for managed ones (403 otherwise).
    public static func clusterManagement(_ cluster: Cluster, _ principal: Principal) throws -> ClusterVisibility {
        switch cluster.ownership {
        case .byo:
            try require(.manageTenantClusters, principal)
            return .tenant(try requireActiveTenantScope(principal))
        case .globalstacksManaged:
            return .platform(try platformScope(principal))
        }
    }
}
