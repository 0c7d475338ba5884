import Foundation
import GlobalStacksDomain
import SQLKit

/// Warm pools: sandboxes started ahead of demand (`pooled = 1`), hidden from their tenant and counted against nobody's
/// quota until a create claims one.
extension SQLStore: WarmPoolKeeping {
    public func setWarmPool(templateID: TemplateID, size: Int, by user: UserID, _ scope: TenantScope, at now: Date) async throws -> WarmPool? {
        try WarmPool.checkSize(size)
        return try await engine.transaction { database in
            try await self.lockOrganization(scope.organizationID, in: database)
            guard try await database.raw("""
                SELECT t.id FROM templates t WHERE t.id = \(bind: templateID.rawValue) AND t.deleted_at IS NULL
                    AND (t.tenant_id IS NULL OR t.tenant_id = \(bind: scope.tenantID.rawValue))
                    AND \(bind: scope.tenantID.rawValue) IN (SELECT id FROM tenants WHERE organization_id = \(bind: scope.organizationID.rawValue))
                """).first() != nil
            else { throw DomainError.notFound("No template \(templateID) in the active tenant.") }
            let others = try await database.raw("""
                SELECT CAST(COALESCE(SUM(size), 0) AS BIGINT) AS n FROM warm_pools
                WHERE tenant_id = \(bind: scope.tenantID.rawValue) AND template_id <> \(bind: templateID.rawValue)
                """).first()?.decode(column: "n", as: Int64.self) ?? 0
            guard Int(others) + size <= WarmPool.maximumWaitingPerTenant else {
                throw DomainError.forbidden(
                    "The tenant's pools would keep \(Int(others) + size) sandboxes waiting per agent; together they may keep \(WarmPool.maximumWaitingPerTenant). Shrink another pool first."
                )
            }
            try await database.raw("""
                DELETE FROM warm_pools WHERE tenant_id = \(bind: scope.tenantID.rawValue) AND template_id = \(bind: templateID.rawValue)
                """).run()
            guard size > 0 else { return nil }
            try await database.raw("""
                INSERT INTO warm_pools (tenant_id, template_id, size, created_by, updated_at)
                VALUES (\(bind: scope.tenantID.rawValue), \(bind: templateID.rawValue), \(bind: size), \(bind: user.rawValue), \(bind: now.storedMilliseconds))
                """).run()
            return WarmPool(
                tenantID: scope.tenantID, organizationID: scope.organizationID, templateID: templateID, size: size, createdBy: user,
                updatedAt: now.truncatedToStoredPrecision
            )
        }
    }

    public func warmPools(_ scope: TenantScope) async throws -> [WarmPool] {
        try await engine.read { database in
            try await database.raw("""
                SELECT \(unsafeRaw: Columns.warmPool) FROM warm_pools w
                WHERE w.tenant_id = \(bind: scope.tenantID.rawValue)
                    AND w.tenant_id IN (SELECT id FROM tenants WHERE organization_id = \(bind: scope.organizationID.rawValue))
                ORDER BY w.template_id
                """).all().map { try $0.warmPool() }
        }
    }

    public func claimPooledSandbox(templateID: TemplateID, _ spec: SandboxSpec, createdBy: UserID, _ scope: TenantScope, at now: Date) async throws -> Sandbox? {
        try await engine.transaction { database in
            try await self.lockOrganization(scope.organizationID, in: database)
            guard var sandbox = try await database.raw("""
                SELECT \(unsafeRaw: Columns.sandbox) FROM sandboxes s
                WHERE s.pooled = 1 AND s.state = 'running' AND s.template_id = \(bind: templateID.rawValue)
                    AND s.tenant_id = \(bind: scope.tenantID.rawValue) AND s.organization_id = \(bind: scope.organizationID.rawValue)
                    AND s.tenant_id IN (SELECT id FROM tenants WHERE status = 'active')
                    AND s.cpu_millicores = \(bind: spec.cpu.millicores) AND s.memory_bytes = \(bind: spec.memory.bytes)
                    AND s.storage_bytes = \(bind: spec.storage.bytes) AND s.network = \(bind: spec.network ? 1 : 0)
                    AND s.command = \(bind: JSONColumn.encode(spec.command))
                ORDER BY s.created_at LIMIT 1\(unsafeRaw: self.engine.skipLockedClause)
                """).first()?.sandbox()
            else { return nil }
            try await self.admit(
                ResourceUse(sessions: 1, cpu: spec.cpu, memory: spec.memory, storage: spec.storage), for: createdBy, organizationID: scope.organizationID, database
            )
            let claimed = Sandbox(
                id: sandbox.id, tenantID: sandbox.tenantID, organizationID: sandbox.organizationID, createdBy: createdBy, spec: spec,
                agentID: sandbox.agentID, clusterID: sandbox.clusterID, state: sandbox.state, stateChangedAt: sandbox.stateChangedAt,
                lastError: nil, exitStatus: nil, lastActivityAt: now.truncatedToStoredPrecision, createdAt: now.truncatedToStoredPrecision,
                updatedAt: now.truncatedToStoredPrecision,
                expiresAt: spec.lifetimeSeconds.map { now.truncatedToStoredPrecision.addingTimeInterval(TimeInterval($0)) },
                templateID: sandbox.templateID
            )
            sandbox = claimed
            try await database.raw("""
                UPDATE sandboxes SET pooled = 0, created_by = \(bind: createdBy.rawValue), name = \(bind: spec.name), template = \(bind: spec.template),
                    environment = \(bind: JSONColumn.encode(spec.environment)), labels = \(bind: JSONColumn.encode(spec.labels)),
                    idle_timeout_seconds = \(bind: spec.idleTimeoutSeconds), idle_action = \(bind: spec.idleAction.rawValue),
                    lifetime_seconds = \(bind: spec.lifetimeSeconds), expires_at = \(bind: sandbox.expiresAt?.storedMilliseconds),
                    public_ports = \(bind: spec.publicPorts ? 1 : 0), last_activity_at = \(bind: now.storedMilliseconds),
                    created_at = \(bind: now.storedMilliseconds), updated_at = \(bind: now.storedMilliseconds)
                WHERE id = \(bind: sandbox.id.rawValue)
                """).run()
            return sandbox
        }
    }

    public func refillWarmPools(connectedAgents agents: [AgentID], commandDeadline: Date, at now: Date) async throws -> WarmPoolRefill {
        // Waiting sandboxes that failed or ended, or whose pool or template is gone, go first.
        let retired = try await engine.transaction { database in
            try await self.retirePooled(where: """
                (s.state IN ('failed', 'stopped') OR NOT EXISTS (
                    SELECT 1 FROM warm_pools w JOIN templates t ON t.id = w.template_id
                    WHERE w.tenant_id = s.tenant_id AND w.template_id = s.template_id AND t.deleted_at IS NULL))
                """, commandDeadline: commandDeadline, at: now, database)
        }
        guard !agents.isEmpty else { return WarmPoolRefill(started: [], retired: retired) }
        // Pools of active tenants only: a suspended tenant's pools stay empty (the query above retires nothing of theirs
        // that runs, so a resumed tenant's pool is still warm).
        let pools = try await engine.read { database in
            try await database.raw("""
                SELECT \(unsafeRaw: Columns.warmPool) FROM warm_pools w JOIN tenants tn ON tn.id = w.tenant_id WHERE tn.status = 'active'
                ORDER BY w.tenant_id, w.template_id
                """).all().map { try $0.warmPool() }
        }
        var started: [SandboxChange] = []
        var extra: [SandboxChange] = []
        for pool in pools {
            // The agents the tenant's sandboxes may be placed on: managed clusters' and its own `byo` clusters'.
            let eligible = try await engine.read { database in
                try await database.raw("""
                    SELECT a.id FROM agents a JOIN clusters k ON k.id = a.cluster_id
                    WHERE (k.ownership = 'globalstacks-managed' OR (k.ownership = 'byo' AND k.tenant_id = \(bind: pool.tenantID.rawValue)))
                        AND k.status = 'active' AND a.revoked_at IS NULL AND a.approval = 'approved' AND a.id IN (\(binds: agents.map(\.rawValue)))
                    ORDER BY a.id
                    """).all().map { AgentID(rawValue: try $0.string("id")) }
            }
            // One transaction per pool and agent: a refill holds one agent's row at a time, as a create does.
            for agentID in eligible {
                let changes = try await engine.transaction { database in
                    try await self.refill(pool, on: agentID, commandDeadline: commandDeadline, at: now, database)
                }
                started += changes.started
                extra += changes.retired
            }
        }
        return WarmPoolRefill(started: started, retired: retired + extra)
    }

    /// One pool on one agent: start what is missing, retire what is more than asked for. The pool and its template are
    /// read again under the organization's lock, which deletes and pool changes take too.
    private func refill(_ listed: WarmPool, on agentID: AgentID, commandDeadline: Date, at now: Date, _ database: any SQLDatabase) async throws -> WarmPoolRefill {
        try await lockOrganization(listed.organizationID, in: database)
        guard let pool = try await database.raw("""
                SELECT \(unsafeRaw: Columns.warmPool) FROM warm_pools w
                WHERE w.tenant_id = \(bind: listed.tenantID.rawValue) AND w.template_id = \(bind: listed.templateID.rawValue)
                """).first()?.warmPool(),
              let template = try await template(id: pool.templateID, database), try await database.raw("""
                SELECT id FROM templates WHERE id = \(bind: pool.templateID.rawValue) AND deleted_at IS NULL
                """).first() != nil
        else { return WarmPoolRefill(started: [], retired: []) }
        let spec = try SandboxSpec(
            name: nil, template: template.reference, command: template.config.command ?? TemplateConfig.waitingCommand, cpu: nil, memory: nil,
            storage: nil, environment: nil, labels: nil, network: nil, idleTimeoutSeconds: nil, idleAction: nil, region: nil, clusterID: nil,
            requiredCapabilities: nil
        )
        let waiting = try await database.raw("""
            SELECT s.id FROM sandboxes s WHERE s.pooled = 1 AND s.agent_id = \(bind: agentID.rawValue) AND s.tenant_id = \(bind: pool.tenantID.rawValue)
                AND s.template_id = \(bind: pool.templateID.rawValue) AND s.state IN ('pending', 'starting', 'running')
            ORDER BY s.created_at
            """).all().map { try $0.string("id") }
        if waiting.count > pool.size {
            let retired = try await retirePooled(where: "s.id IN (\(binds: Array(waiting.dropFirst(pool.size))))", commandDeadline: commandDeadline, at: now, database)
            return WarmPoolRefill(started: [], retired: retired)
        }
        var started: [SandboxChange] = []
        for _ in waiting.count..<pool.size {
            guard try await hasRoom(on: agentID, for: spec, database),
                  let clusterID = try await database.raw("SELECT cluster_id FROM agents WHERE id = \(bind: agentID.rawValue)").first()?.string("cluster_id")
            else { break }
            started.append(try await insertSandbox(
                spec, templateID: template.id, pooled: true, createdBy: pool.createdBy, tenantID: pool.tenantID, organizationID: pool.organizationID,
                agent: PlacedAgent(agentID: agentID.rawValue, clusterID: ClusterID(rawValue: clusterID)), commandDeadline: commandDeadline, at: now, database
            ))
        }
        return WarmPoolRefill(started: started, retired: [])
    }

    /// Stops waiting sandboxes that run and deletes those that do not (the next round deletes the stopped ones).
    func retirePooled(where condition: SQLQueryString, commandDeadline: Date, at now: Date, _ database: any SQLDatabase) async throws -> [SandboxChange] {
        let sandboxes = try await database.raw("""
            SELECT \(unsafeRaw: Columns.sandbox) FROM sandboxes s WHERE s.pooled = 1 AND s.state IN ('running', 'hibernated', 'stopped', 'failed')
                AND \(condition) LIMIT 100\(unsafeRaw: engine.skipLockedClause)
            """).all().map { try $0.sandbox() }
        var changes: [SandboxChange] = []
        for var sandbox in sandboxes {
            let action: AgentCommandAction
            if sandbox.state == .running || sandbox.state == .hibernated {
                sandbox.move(to: .stopping, at: now.truncatedToStoredPrecision)
                action = .stopSession
            } else {
                sandbox.move(to: .terminated, at: now.truncatedToStoredPrecision)
                action = .deleteSession
            }
            try await writeState(of: sandbox, database)
            changes.append(SandboxChange(sandbox: sandbox, command: try await insertCommand(action, for: sandbox, deadline: commandDeadline, at: now, database)))
        }
        return changes
    }
}
