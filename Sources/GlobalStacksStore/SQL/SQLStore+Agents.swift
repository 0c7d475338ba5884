import Foundation
import GlobalStacksDomain
import SQLKit

extension SQLStore: AgentRepository, AgentEnrollmentAuthority {
    public func createProvisioningToken(_ token: NewProvisioningToken, clusterID: ClusterID, _ scope: ClusterVisibility, at now: Date) async throws -> ProvisioningToken {
        try await insertProvisioningToken(token, clusterID: clusterID, management: management(scope), at: now)
    }

    private func insertProvisioningToken(_ token: NewProvisioningToken, clusterID: ClusterID, management: SQLQueryString, at now: Date) async throws -> ProvisioningToken {
        try await engine.transaction { database in
            try await self.requireCluster(clusterID, management, database)
            let id = ProvisioningTokenID.generate()
            try await database.raw("""
                INSERT INTO provisioning_tokens (id, cluster_id, name, token_hash, token_prefix, single_use, expires_at, created_by, created_at)
                VALUES (\(bind: id.rawValue), \(bind: clusterID.rawValue), \(bind: token.name), \(bind: token.tokenHash), \(bind: token.tokenPrefix),
                    \(bind: token.singleUse ? 1 : 0), \(bind: token.expiresAt.storedMilliseconds), \(bind: token.createdBy.rawValue),
                    \(bind: now.storedMilliseconds))
                """).run()
            return ProvisioningToken(
                id: id, clusterID: clusterID, name: token.name, tokenPrefix: token.tokenPrefix, singleUse: token.singleUse,
                expiresAt: token.expiresAt.truncatedToStoredPrecision, usedAt: nil, revokedAt: nil, createdBy: token.createdBy,
                createdAt: now.truncatedToStoredPrecision
            )
        }
    }

    public func provisioningTokens(clusterID: ClusterID, _ scope: ClusterVisibility) async throws -> [ProvisioningToken] {
        try await engine.read { database in
            try await self.requireCluster(clusterID, self.management(scope), database)
            return try await database.raw("""
                SELECT \(unsafeRaw: Columns.provisioningToken) FROM provisioning_tokens pt
                WHERE pt.cluster_id = \(bind: clusterID.rawValue) ORDER BY pt.created_at DESC, pt.id LIMIT 500
                """).all().map { try $0.provisioningToken() }
        }
    }

    public func revokeProvisioningToken(id: ProvisioningTokenID, clusterID: ClusterID, _ scope: ClusterVisibility, at now: Date) async throws -> ProvisioningToken {
        try await engine.transaction { database in
            try await self.requireCluster(clusterID, self.management(scope), database)
            guard var token = try await database.raw("""
                SELECT \(unsafeRaw: Columns.provisioningToken) FROM provisioning_tokens pt
                WHERE pt.id = \(bind: id.rawValue) AND pt.cluster_id = \(bind: clusterID.rawValue)\(unsafeRaw: self.engine.rowLockClause)
                """).first()?.provisioningToken()
            else { throw DomainError.notFound("No provisioning token \(id) for cluster \(clusterID).") }
            guard token.revokedAt == nil else { throw DomainError.conflict("Provisioning token \(id) is already revoked.") }
            try await database.raw("""
                UPDATE provisioning_tokens SET revoked_at = \(bind: now.storedMilliseconds) WHERE id = \(bind: id.rawValue)
                """).run()
            token.revokedAt = now.truncatedToStoredPrecision
            return token
        }
    }

    public func registerAgent(_ registration: AgentRegistration, provisioningTokenHash: String, keyHash: String, keyPrefix: String, at now: Date) async throws -> Agent {
        try await engine.transaction { database in
            // Locked, so concurrent enrollments with one single-use token admit exactly one.
            guard let token = try await database.raw("""
                SELECT \(unsafeRaw: Columns.provisioningToken) FROM provisioning_tokens pt
                WHERE pt.token_hash = \(bind: provisioningTokenHash)\(unsafeRaw: self.engine.rowLockClause)
                """).first()?.provisioningToken()
            else { throw DomainError.unauthenticated("Unknown provisioning token; ask a tenant admin or an operator for one.") }
            if let refusal = token.refusal(at: now) { throw DomainError.unauthenticated(refusal) }
            if token.singleUse {
                try await database.raw("UPDATE provisioning_tokens SET used_at = \(bind: now.storedMilliseconds) WHERE id = \(bind: token.id.rawValue)").run()
            }
            let agent = Agent(
                id: .generate(), clusterID: token.clusterID, name: registration.name, platform: registration.platform,
                region: registration.region, capacity: registration.capacity, capabilities: registration.capabilities,
                metadata: registration.metadata, approval: .pending, approvalChangedAt: nil, approvalChangedBy: nil,
                connectivity: .offline, drainingSince: nil, lastHeartbeatAt: nil, keyPrefix: keyPrefix, revokedAt: nil,
                createdAt: now.truncatedToStoredPrecision, updatedAt: now.truncatedToStoredPrecision
            )
            let inserted = try await database.raw("""
                INSERT INTO agents (id, cluster_id, name, platform, region, capacity, capabilities, metadata, approval, connectivity,
                    key_hash, key_prefix, key_created_at, provisioning_token_id, created_at, updated_at)
                VALUES (\(bind: agent.id.rawValue), \(bind: agent.clusterID.rawValue), \(bind: agent.name), \(bind: agent.platform.rawValue),
                    \(bind: agent.region), \(bind: agent.capacity.map { JSONColumn.encode(StoredCapacity($0)) }),
                    \(bind: JSONColumn.encode(agent.capabilities.sorted())), \(bind: JSONColumn.encode(agent.metadata)),
                    \(bind: agent.approval.rawValue), \(bind: agent.connectivity.rawValue), \(bind: keyHash), \(bind: keyPrefix),
                    \(bind: now.storedMilliseconds), \(bind: token.id.rawValue), \(bind: now.storedMilliseconds), \(bind: now.storedMilliseconds))
                ON CONFLICT DO NOTHING RETURNING id
                """).first()
            guard inserted != nil else {
                // Nothing was written (the token stays unused: the transaction ends with this error).
                throw DomainError.conflict("An agent named '\(registration.name)' is already enrolled in this cluster; choose another agentId.")
            }
            return agent
        }
    }

    public func agents(visibleTo scope: ClusterVisibility, clusterID: ClusterID?) async throws -> [Agent] {
        try await engine.read { database in
            try await database.raw("""
                SELECT \(unsafeRaw: Columns.agent) FROM agents a JOIN clusters k ON k.id = a.cluster_id
                WHERE \(self.visibility(scope)) AND (\(bind: clusterID?.rawValue) IS NULL OR a.cluster_id = \(bind: clusterID?.rawValue))
                ORDER BY a.created_at, a.id LIMIT 1000
                """).all().map { try $0.agent() }
        }
    }

    public func agent(id: AgentID, visibleTo scope: ClusterVisibility) async throws -> Agent? {
        try await engine.read { database in
            try await database.raw("""
                SELECT \(unsafeRaw: Columns.agent) FROM agents a JOIN clusters k ON k.id = a.cluster_id
                WHERE a.id = \(bind: id.rawValue) AND \(self.visibility(scope))
                """).first()?.agent()
        }
    }

    public func updateAgent(id: AgentID, _ scope: ClusterVisibility, at now: Date, _ change: @Sendable (inout Agent) throws -> Void) async throws -> Agent {
        try await changeAgent(id: id, management: management(scope), at: now, change)
    }

    /// Changes an agent of a cluster `management` selects (`k`); not found otherwise.
    private func changeAgent(id: AgentID, management: SQLQueryString, at now: Date, _ change: @Sendable (inout Agent) throws -> Void) async throws -> Agent {
        try await engine.transaction { database in
            guard var agent = try await database.raw("""
                SELECT \(unsafeRaw: Columns.agent) FROM agents a JOIN clusters k ON k.id = a.cluster_id
                WHERE a.id = \(bind: id.rawValue) AND \(management)\(unsafeRaw: self.engine.rowLockClause)
                """).first()?.agent()
            else { throw DomainError.notFound("No agent \(id) in a cluster visible to the active tenant.") }
            try change(&agent)
            agent.updatedAt = now.truncatedToStoredPrecision
            try await database.raw("""
                UPDATE agents SET approval = \(bind: agent.approval.rawValue), approval_changed_at = \(bind: agent.approvalChangedAt.storedMilliseconds),
                    approval_changed_by = \(bind: agent.approvalChangedBy?.rawValue), connectivity = \(bind: agent.connectivity.rawValue),
                    draining_since = \(bind: agent.drainingSince.storedMilliseconds), revoked_at = \(bind: agent.revokedAt.storedMilliseconds), updated_at = \(bind: now.storedMilliseconds)
                WHERE id = \(bind: id.rawValue)
                """).run()
            return agent
        }
    }

    /// 404 unless `management` (over `k`) selects the cluster.
    private func requireCluster(_ clusterID: ClusterID, _ management: SQLQueryString, _ database: any SQLDatabase) async throws {
        guard try await database.raw("""
            SELECT k.id FROM clusters k WHERE k.id = \(bind: clusterID.rawValue) AND \(management)
            """).first() != nil
        else { throw DomainError.notFound("No cluster \(clusterID) visible to the active tenant.") }
    }
}

/// The embedded agent's enrollment: managed clusters only.
extension SQLStore {
    public func createProvisioningToken(_ token: NewProvisioningToken, managedClusterID: ClusterID, at now: Date) async throws -> ProvisioningToken {
        try await insertProvisioningToken(token, clusterID: managedClusterID, management: Self.managedClusters, at: now)
    }

    public func approveManagedAgent(id: AgentID, by approver: UserID, at now: Date) async throws -> Agent {
        try await changeAgent(id: id, management: Self.managedClusters, at: now) { agent in
            agent.approval = .approved
            agent.approvalChangedAt = now
            agent.approvalChangedBy = approver
        }
    }
}
