import Foundation
import GlobalStacksDomain
import SQLKit

extension SQLStore: ClusterRepository {
    /// Managed clusters, plus the scope's own `byo` clusters (its tenant, in its organization).
    /// A NULL tenant bind matches no `byo` cluster.
    func visibility(_ scope: TenantScope?) -> SQLQueryString {
        """
        (k.ownership = 'globalstacks-managed' OR (k.tenant_id = \(bind: scope?.tenantID.rawValue)
            AND k.tenant_id IN (SELECT id FROM tenants WHERE organization_id = \(bind: scope?.organizationID.rawValue))))
        """
    }

    public func clusters(visibleTo scope: TenantScope?) async throws -> [Cluster] {
        let rows = if let scope {
            try await engine.readHot(ClustersVisibleToTenant.self, binds: [scope.tenantID.rawValue, scope.organizationID.rawValue])
        } else {
            try await engine.readHot(ManagedClusters.self, binds: [])
        }
        return try rows.map { try $0.cluster() }
    }

    public func cluster(id: ClusterID, visibleTo scope: TenantScope?) async throws -> Cluster? {
        try await engine.read { database in
            try await database.raw("""
                SELECT \(unsafeRaw: Columns.cluster) FROM clusters k WHERE k.id = \(bind: id.rawValue) AND \(self.visibility(scope))
                """).first()?.cluster()
        }
    }

    public func createCluster(owner: ClusterOwner, name: String, slug: Slug?, provider: String, metadata: [String: String], at now: Date) async throws -> Cluster {
        let (tenantID, ownership): (TenantID?, ClusterOwnership) = switch owner {
        case .tenant(let scope): (scope.tenantID, .byo)
        case .platform: (nil, .globalstacksManaged)
        }
        let id = ClusterID.generate()
        return try await engine.transaction { database in
            let insert = { (candidate: Slug) async throws -> Bool in
                try await database.raw("""
                    INSERT INTO clusters (id, tenant_id, name, slug, ownership, provider, status, metadata, created_at, updated_at)
                    VALUES (\(bind: id.rawValue), \(bind: tenantID?.rawValue), \(bind: name), \(bind: candidate.rawValue),
                            \(bind: ownership.rawValue), \(bind: provider), \(bind: ClusterStatus.active.rawValue),
                            \(bind: JSONColumn.encode(metadata)), \(bind: now.storedMilliseconds), \(bind: now.storedMilliseconds))
                    ON CONFLICT DO NOTHING RETURNING id
                    """).first() != nil
            }
            let chosenSlug: Slug
            if let slug {
                guard try await insert(slug) else {
                    throw DomainError.conflict("A cluster with the slug '\(slug)' already exists; choose another slug.")
                }
                chosenSlug = slug
            } else {
                chosenSlug = try await self.insertWithFreeSlug(Slug.derived(from: name, fallback: "cluster"), insert)
            }
            return Cluster(
                id: id, tenantID: tenantID, name: name, slug: chosenSlug, ownership: ownership, provider: provider,
                status: .active, metadata: metadata, createdAt: now.truncatedToStoredPrecision, updatedAt: now.truncatedToStoredPrecision
            )
        }
    }

    public func updateCluster(id: ClusterID, visibleTo scope: TenantScope?, at now: Date, _ change: @Sendable (Cluster) throws -> Cluster) async throws -> Cluster {
        try await engine.transaction { database in
            guard let current = try await database.raw("""
                SELECT \(unsafeRaw: Columns.cluster) FROM clusters k
                WHERE k.id = \(bind: id.rawValue) AND \(self.visibility(scope))\(unsafeRaw: self.engine.rowLockClause)
                """).first()?.cluster()
            else { throw DomainError.notFound("No cluster \(id) visible to the active tenant.") }
            let updated = try change(current)
            try await database.raw("""
                UPDATE clusters SET name = \(bind: updated.name), status = \(bind: updated.status.rawValue),
                    metadata = \(bind: JSONColumn.encode(updated.metadata)), updated_at = \(bind: now.storedMilliseconds)
                WHERE id = \(bind: id.rawValue)
                """).run()
            return updated
        }
    }
}

/// The cluster list of a tenant: every managed cluster and its own `byo` clusters (same rule as `visibility`).
struct ClustersVisibleToTenant: HotStatement {
    static let sql = """
        SELECT \(Columns.cluster) FROM clusters k
        WHERE k.ownership = 'globalstacks-managed'
           OR (k.tenant_id = $1 AND k.tenant_id IN (SELECT id FROM tenants WHERE organization_id = $2))
        ORDER BY k.created_at, k.id LIMIT 1000
        """
}

/// The cluster list when no tenant is selected.
struct ManagedClusters: HotStatement {
    static let sql = """
        SELECT \(Columns.cluster) FROM clusters k WHERE k.ownership = 'globalstacks-managed' ORDER BY k.created_at, k.id LIMIT 1000
        """
}
