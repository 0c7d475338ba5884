import Foundation
import GlobalStacksDomain
import SQLKit

extension SQLStore: DataPlaneRepository {
    /// Rows of the scope's tenant, and only while that tenant is in the scope's organization.
    private func inScope(_ alias: String, _ scope: TenantScope) -> SQLQueryString {
        """
        \(unsafeRaw: alias).tenant_id = \(bind: scope.tenantID.rawValue)
            AND \(unsafeRaw: alias).tenant_id IN (SELECT id FROM tenants WHERE organization_id = \(bind: scope.organizationID.rawValue))
        """
    }

    // MARK: Instances

    public func dataPlaneInstances(_ scope: TenantScope) async throws -> [DataPlaneInstance] {
        try await engine.read { database in
            try await database.raw("""
                SELECT \(unsafeRaw: Columns.dataPlaneInstance) FROM data_plane_instances d
                WHERE \(self.inScope("d", scope)) ORDER BY d.created_at DESC, d.id LIMIT 1000
                """).all().map { try $0.dataPlaneInstance() }
        }
    }

    public func dataPlaneInstance(id: DataPlaneInstanceID, _ scope: TenantScope) async throws -> DataPlaneInstance? {
        try await engine.read { database in
            try await database.raw("""
                SELECT \(unsafeRaw: Columns.dataPlaneInstance) FROM data_plane_instances d WHERE d.id = \(bind: id.rawValue) AND \(self.inScope("d", scope))
                """).first()?.dataPlaneInstance()
        }
    }

    public func dataPlaneInstance(provisionRun: OperationRunID, _ scope: TenantScope) async throws -> DataPlaneInstance? {
        try await engine.read { database in
            try await database.raw("""
                SELECT \(unsafeRaw: Columns.dataPlaneInstance) FROM data_plane_instances d
                WHERE d.provision_run_id = \(bind: provisionRun.rawValue) AND \(self.inScope("d", scope))
                """).first()?.dataPlaneInstance()
        }
    }

    public func createDataPlaneInstance(_ instance: NewDataPlaneInstance, _ scope: TenantScope, at now: Date) async throws -> DataPlaneInstance {
        try await engine.transaction { database in
            // The host must be an agent of a cluster this tenant may use: its own byo clusters, or managed capacity.
            let host = try await database.raw("""
                SELECT a.id FROM agents a JOIN clusters k ON k.id = a.cluster_id
                WHERE a.id = \(bind: instance.agentID.rawValue) AND \(self.visibility(scope))
                """).first()
            guard host != nil else { throw DomainError.notFound("No host \(instance.agentID) among the agents of the active tenant's clusters.") }
            try await database.raw("""
                INSERT INTO data_plane_instances (id, tenant_id, provider, extension_key, install_id, agent_id, state, state_reason, endpoint, settings,
                    effective_settings, health, metadata, service, provision_run_id, created_by, created_at, updated_at)
                VALUES (\(bind: instance.id.rawValue), \(bind: scope.tenantID.rawValue), \(bind: instance.provider), \(bind: instance.extensionKey.rawValue),
                    \(bind: instance.installID?.rawValue), \(bind: instance.agentID.rawValue), \(bind: DataPlaneInstanceState.provisioning.rawValue), NULL, NULL,
                    \(bind: JSONColumn.encode(instance.settings)), \(bind: JSONColumn.encode(instance.effectiveSettings)), '{}',
                    \(bind: JSONColumn.encode(instance.metadata)), NULL, \(bind: instance.provisionRunID.rawValue), \(bind: instance.createdBy?.rawValue),
                    \(bind: now.storedMilliseconds), \(bind: now.storedMilliseconds))
                """).run()
            guard let created = try await self.lockedInstance(instance.id, scope, database) else {
                throw StoreError.corruptRow("data_plane_instances \(instance.id) vanished after insert")
            }
            return created
        }
    }

    public func updateDataPlaneInstance(
        id: DataPlaneInstanceID, _ scope: TenantScope, at now: Date, _ change: @Sendable (inout DataPlaneInstance) throws -> Void
    ) async throws -> DataPlaneInstance {
        try await engine.transaction { database in
            guard var instance = try await self.lockedInstance(id, scope, database) else {
                throw DomainError.notFound("No data-plane instance \(id) in the active tenant.")
            }
            try change(&instance)
            instance.updatedAt = now.truncatedToStoredPrecision
            try await self.write(instance, database, at: now)
            return instance
        }
    }

    private func lockedInstance(_ id: DataPlaneInstanceID, _ scope: TenantScope, _ database: any SQLDatabase) async throws -> DataPlaneInstance? {
        try await database.raw("""
            SELECT \(unsafeRaw: Columns.dataPlaneInstance) FROM data_plane_instances d
            WHERE d.id = \(bind: id.rawValue) AND \(inScope("d", scope))\(unsafeRaw: engine.rowLockClause)
            """).first()?.dataPlaneInstance()
    }

    fileprivate func write(_ instance: DataPlaneInstance, _ database: any SQLDatabase, at now: Date) async throws {
        try await database.raw("""
            UPDATE data_plane_instances SET state = \(bind: instance.state.rawValue), state_reason = \(bind: instance.stateReason),
                endpoint = \(bind: instance.endpoint), health = \(bind: JSONColumn.encode(instance.health)),
                service = \(bind: instance.service.map(JSONColumn.encode)), updated_at = \(bind: now.storedMilliseconds)
            WHERE id = \(bind: instance.id.rawValue)
            """).run()
    }

    // MARK: Object stores

    public func objectStores(_ scope: TenantScope) async throws -> [ObjectStore] {
        try await engine.read { database in
            try await database.raw("""
                SELECT \(unsafeRaw: Columns.objectStore) FROM object_stores o WHERE \(self.inScope("o", scope)) ORDER BY o.created_at DESC, o.id LIMIT 1000
                """).all().map { try $0.objectStore() }
        }
    }

    public func objectStore(id: ObjectStoreID, _ scope: TenantScope) async throws -> ObjectStore? {
        try await engine.read { database in
            try await database.raw("""
                SELECT \(unsafeRaw: Columns.objectStore) FROM object_stores o WHERE o.id = \(bind: id.rawValue) AND \(self.inScope("o", scope))
                """).first()?.objectStore()
        }
    }

    public func objectStore(provisionRun: OperationRunID, _ scope: TenantScope) async throws -> ObjectStore? {
        try await engine.read { database in
            try await database.raw("""
                SELECT \(unsafeRaw: Columns.objectStore) FROM object_stores o
                WHERE o.provision_run_id = \(bind: provisionRun.rawValue) AND \(self.inScope("o", scope))
                """).first()?.objectStore()
        }
    }

    public func createObjectStore(_ store: NewObjectStore, _ scope: TenantScope, at now: Date) async throws -> ObjectStore {
        try await engine.transaction { database in
            if let instance = store.dataPlaneInstanceID {
                guard let backing = try await self.lockedInstance(instance, scope, database), backing.state != .deleted, backing.state != .draining else {
                    throw DomainError.notFound("No data-plane instance \(instance) in the active tenant.")
                }
            }
            try await self.uniquely("An object store on bucket '\(store.bucket)'\(store.prefix.map { " with prefix '\($0)'" } ?? "") already exists in this tenant.") {
                try await database.raw("""
                    INSERT INTO object_stores (id, tenant_id, provider_key, hosted_mode, purpose, endpoint, bucket, prefix, credential_ref,
                        data_plane_instance_id, status, status_reason, metadata, created_bucket, provision_run_id, verified_at, created_by, created_at, updated_at)
                    VALUES (\(bind: store.id.rawValue), \(bind: scope.tenantID.rawValue), \(bind: store.providerKey.rawValue), \(bind: store.hostedMode.rawValue),
                        \(bind: store.purpose.rawValue), NULL, \(bind: store.bucket), \(bind: store.prefix ?? ""), \(bind: store.credentialRef),
                        \(bind: store.dataPlaneInstanceID?.rawValue), \(bind: ObjectStoreStatus.provisioning.rawValue), NULL,
                        \(bind: JSONColumn.encode(store.metadata)), 0, \(bind: store.provisionRunID.rawValue), NULL, \(bind: store.createdBy?.rawValue),
                        \(bind: now.storedMilliseconds), \(bind: now.storedMilliseconds))
                    """).run()
            }
            guard let created = try await self.lockedObjectStore(store.id, scope, database) else {
                throw StoreError.corruptRow("object_stores \(store.id) vanished after insert")
            }
            return created
        }
    }

    public func updateObjectStore(id: ObjectStoreID, _ scope: TenantScope, at now: Date, _ change: @Sendable (inout ObjectStore) throws -> Void) async throws -> ObjectStore {
        try await engine.transaction { database in
            guard var store = try await self.lockedObjectStore(id, scope, database) else {
                throw DomainError.notFound("No object store \(id) in the active tenant.")
            }
            try change(&store)
            store.verifiedAt = store.verifiedAt?.truncatedToStoredPrecision
            store.updatedAt = now.truncatedToStoredPrecision
            try await database.raw("""
                UPDATE object_stores SET status = \(bind: store.status.rawValue), status_reason = \(bind: store.statusReason),
                    endpoint = \(bind: store.endpoint), created_bucket = \(bind: store.createdBucket ? 1 : 0),
                    verified_at = \(bind: store.verifiedAt?.storedMilliseconds), updated_at = \(bind: now.storedMilliseconds)
                WHERE id = \(bind: id.rawValue)
                """).run()
            return store
        }
    }

    private func lockedObjectStore(_ id: ObjectStoreID, _ scope: TenantScope, _ database: any SQLDatabase) async throws -> ObjectStore? {
        try await database.raw("""
            SELECT \(unsafeRaw: Columns.objectStore) FROM object_stores o WHERE o.id = \(bind: id.rawValue) AND \(inScope("o", scope))\(unsafeRaw: engine.rowLockClause)
            """).first()?.objectStore()
    }
}

extension SQLStore: DataPlaneServiceRegistry {
    public func dataPlaneInstances(agentID: AgentID) async throws -> [DataPlaneInstance] {
        try await engine.read { database in
            try await database.raw("""
                SELECT \(unsafeRaw: Columns.dataPlaneInstance) FROM data_plane_instances d
                WHERE d.agent_id = \(bind: agentID.rawValue) AND d.state <> 'deleted' ORDER BY d.created_at
                """).all().map { try $0.dataPlaneInstance() }
        }
    }

    public func recordServiceHealth(
        _ id: DataPlaneInstanceID, agentID: AgentID, state: DataPlaneInstanceState?, reason: String?, health: [String: JSONValue], at now: Date
    ) async throws -> DataPlaneInstance? {
        try await engine.transaction { database in
            guard var instance = try await database.raw("""
                SELECT \(unsafeRaw: Columns.dataPlaneInstance) FROM data_plane_instances d
                WHERE d.id = \(bind: id.rawValue) AND d.agent_id = \(bind: agentID.rawValue)\(unsafeRaw: self.engine.rowLockClause)
                """).first()?.dataPlaneInstance(), instance.state.wantsService
            else { return nil }
            // Until provisioning stored how to run it, the run owns the state; the health is kept either way.
            if let state, instance.state != state, instance.state.canTransition(to: state), instance.service != nil {
                instance.state = state
            }
            instance.stateReason = instance.state == .healthy ? nil : reason ?? instance.stateReason
            instance.health = health
            instance.updatedAt = now.truncatedToStoredPrecision
            try await self.write(instance, database, at: now)
            return instance
        }
    }
}

extension SQLStore {
    public func recordServiceRemoved(_ id: DataPlaneInstanceID, agentID: AgentID, at now: Date) async throws -> DataPlaneInstance? {
        try await engine.transaction { database in
            guard var instance = try await database.raw("""
                SELECT \(unsafeRaw: Columns.dataPlaneInstance) FROM data_plane_instances d
                WHERE d.id = \(bind: id.rawValue) AND d.agent_id = \(bind: agentID.rawValue)\(unsafeRaw: self.engine.rowLockClause)
                """).first()?.dataPlaneInstance(), instance.state == .draining
            else { return nil }
            instance.state = .deleted
            instance.stateReason = nil
            instance.endpoint = nil
            instance.updatedAt = now.truncatedToStoredPrecision
            try await self.write(instance, database, at: now)
            return instance
        }
    }
}

extension SQLStore: ObjectStoreDirectory {
    public func objectStoreAccess(id: ObjectStoreID) async throws -> ObjectStoreAccess? {
        try await engine.read { database in
            guard let row = try await database.raw("""
                SELECT \(unsafeRaw: Columns.objectStore), i.settings AS i_settings, i.sealed_secrets AS i_sealed_secrets
                FROM object_stores o LEFT JOIN integration_installs i ON i.tenant_id = o.tenant_id AND i.extension_key = o.provider_key
                WHERE o.id = \(bind: id.rawValue)
                """).first() else { return nil }
            let settings = try row.optionalString("i_settings").map { try JSONColumn.decode([String: JSONValue].self, $0, column: "integration_installs.settings") }
            return ObjectStoreAccess(store: try row.objectStore(), settings: settings ?? [:], sealedSecrets: try row.optionalString("i_sealed_secrets"))
        }
    }
}
