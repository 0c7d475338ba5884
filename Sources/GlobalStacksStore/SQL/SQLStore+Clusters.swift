import Foundation
import GlobalStacksDomain
import SQLKit

extension SQLStore: ClusterRepository {
    /// The clusters the scope reads: managed clusters, plus a tenant's own `byo` clusters (its tenant, in its organization).
    func visibility(_ scope: ClusterVisibility) -> SQLQueryString {
        switch scope {
        case .tenant(let tenant):
            "(k.ownership = 'globalstacks-managed' OR \(ownClusters(tenant)))"
        case .platform, .account:
            Self.managedClusters
        }
    }

    /// Every managed cluster (`k`), what the platform reads and changes.
    static var managedClusters: SQLQueryString { "k.ownership = 'globalstacks-managed'" }

    func visibility(_ scope: TenantScope) -> SQLQueryString {
        visibility(.tenant(scope))
    }

    /// The clusters the scope may change (and whose agents and provisioning tokens it manages): a tenant its own
    /// `byo` clusters, the platform the managed ones, a caller without a tenant none.
    func management(_ scope: ClusterVisibility) -> SQLQueryString {
        switch scope {
        case .tenant(let tenant): ownClusters(tenant)
        case .platform: Self.managedClusters
        case .account: "1 = 0"
        }
    }

    private func ownClusters(_ scope: TenantScope) -> SQLQueryString {
        """
        (k.ownership = 'byo' AND k.tenant_id = \(bind: scope.tenantID.rawValue)
            AND k.tenant_id IN (SELECT id FROM tenants WHERE organization_id = \(bind: scope.organizationID.rawValue)))
        """
    }

    public func clusters(visibleTo scope: ClusterVisibility) async throws -> [Cluster] {
        let rows = switch scope {
        case .tenant(let tenant):
            try await engine.readHot(ClustersVisibleToTenant.self, binds: [tenant.tenantID.rawValue, tenant.organizationID.rawValue])
        case .platform, .account:
            try await engine.readHot(ManagedClusters.self, binds: [])
        }
        return try rows.map { try $0.cluster() }
    }

    public func cluster(id: ClusterID, visibleTo scope: ClusterVisibility) async throws -> Cluster? {
        try await engine.read { database in
            try await database.raw("""
                SELECT \(unsafeRaw: Columns.cluster) FROM clusters k WHERE k.id = \(bind: id.rawValue) AND \(self.visibility(scope))
                """).first()?.cluster()
        }
    }

    public func createCluster(owner: ClusterOwner, name: String, slug: Slug?, provider: String, metadata: [String: String], at now: Date) async throws -> Cluster {
        let tenantID: TenantID? = switch owner {
        case .tenant(let scope): scope.tenantID
        case .platform: nil
        }
        return try await insertCluster(tenantID: tenantID, name: name, slug: slug, provider: provider, metadata: metadata, at: now)
    }

    public func updateCluster(id: ClusterID, _ scope: ClusterVisibility, at now: Date, _ change: @Sendable (Cluster) throws -> Cluster) async throws -> Cluster {
        try await engine.transaction { database in
            guard let current = try await database.raw("""
                SELECT \(unsafeRaw: Columns.cluster) FROM clusters k
                WHERE k.id = \(bind: id.rawValue) AND \(self.management(scope))\(unsafeRaw: self.engine.rowLockClause)
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

    /// A `byo` cluster of `tenantID`, or a managed cluster when it is nil.
    private func insertCluster(tenantID: TenantID?, name: String, slug: Slug?, provider: String, metadata: [String: String], at now: Date) async throws -> Cluster {
        let ownership: ClusterOwnership = tenantID == nil ? .globalstacksManaged : .byo
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
}

extension SQLStore: EmbeddedAgentBootstrap {
    public func managedCluster(slug: Slug, creatingWithName name: String, provider: String, metadata: [String: String], at now: Date) async throws -> Cluster {
        let existing = { () async throws -> Cluster? in
            try await self.engine.read { database in
                try await database.raw("""
                    SELECT \(unsafeRaw: Columns.cluster) FROM clusters k
                    WHERE k.ownership = 'globalstacks-managed' AND k.slug = \(bind: slug.rawValue)
                    """).first()?.cluster()
            }
        }
        if let cluster = try await existing() { return cluster }
        do {
            return try await insertCluster(tenantID: nil, name: name, slug: slug, provider: provider, metadata: metadata, at: now)
        } catch let error as DomainError where error.kind == .conflict {
            // Another replica created it a moment ago.
            guard let cluster = try await existing() else { throw error }
            return cluster
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

/// The cluster list of the platform, and of a caller with no tenant selected.
struct ManagedClusters: HotStatement {
    static let sql = """
        SELECT \(Columns.cluster) FROM clusters k WHERE k.ownership = 'globalstacks-managed' ORDER BY k.created_at, k.id LIMIT 1000
        """
}
