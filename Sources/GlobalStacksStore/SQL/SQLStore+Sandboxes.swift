import Foundation
import GlobalStacksDomain
import SQLKit

extension SQLStore: SandboxRepository {
    public func createSandbox(
        _ spec: SandboxSpec, template: TemplateID?, createdBy: UserID, scope: TenantScope, commandDeadline: Date, at now: Date
    ) async throws -> SandboxChange {
        try await engine.transaction { database in
            // Serializes admissions in the organization: quotas are read and taken under this lock.
            try await self.lockOrganization(scope.organizationID, database)
            let tenantStatus = try await database.raw("SELECT status FROM tenants WHERE id = \(bind: scope.tenantID.rawValue)").first()?.string("status")
            guard tenantStatus == TenantStatus.active.rawValue else {
                throw DomainError.conflict("The active tenant is \(tenantStatus ?? "gone"); only an active tenant can create sandboxes.")
            }
            // Deleting a template takes the same lock: it cannot go between its lookup and this.
            if let template, try await database.raw("""
                SELECT id FROM templates WHERE id = \(bind: template.rawValue) AND deleted_at IS NULL
                    AND (tenant_id IS NULL OR tenant_id = \(bind: scope.tenantID.rawValue))
                """).first() == nil {
                throw DomainError.notFound("No template \(template) in the active tenant or the platform.")
            }
            try await self.admit(ResourceUse(sessions: 1, cpu: spec.cpu, memory: spec.memory, storage: spec.storage), for: createdBy, organizationID: scope.organizationID, database)
            let agent = try await self.place(spec, scope: scope, database)
            return try await self.insertSandbox(
                spec, templateID: template, pooled: false, createdBy: createdBy, tenantID: scope.tenantID, organizationID: scope.organizationID,
                agent: agent, commandDeadline: commandDeadline, at: now, database
            )
        }
    }

    /// Stores a placed sandbox (`pending`) with its `start_session` command.
    func insertSandbox(
        _ spec: SandboxSpec, templateID: TemplateID?, pooled: Bool, createdBy: UserID, tenantID: TenantID, organizationID: OrganizationID,
        agent: PlacedAgent, commandDeadline: Date, at now: Date, _ database: any SQLDatabase
    ) async throws -> SandboxChange {
        let sandbox = Sandbox(
            id: .generate(), tenantID: tenantID, organizationID: organizationID, createdBy: createdBy, spec: spec,
            agentID: AgentID(rawValue: agent.agentID), clusterID: agent.clusterID, state: .pending,
            stateChangedAt: now.truncatedToStoredPrecision, lastError: nil, exitStatus: nil, lastActivityAt: now.truncatedToStoredPrecision,
            createdAt: now.truncatedToStoredPrecision, updatedAt: now.truncatedToStoredPrecision,
            expiresAt: spec.lifetimeSeconds.map { now.truncatedToStoredPrecision.addingTimeInterval(TimeInterval($0)) }, templateID: templateID
        )
        try await database.raw("""
            INSERT INTO sandboxes (id, tenant_id, organization_id, created_by, agent_id, cluster_id, name, template, command,
                cpu_millicores, memory_bytes, storage_bytes, environment, labels, network, idle_timeout_seconds, idle_action, region,
                requested_cluster_id, required_capabilities, state, holds_compute, state_changed_at, last_activity_at, created_at, updated_at,
                lifetime_seconds, expires_at, public_ports, template_id, pooled)
            VALUES (\(bind: sandbox.id.rawValue), \(bind: tenantID.rawValue), \(bind: organizationID.rawValue),
                \(bind: createdBy.rawValue), \(bind: sandbox.agentID.rawValue), \(bind: sandbox.clusterID.rawValue), \(bind: spec.name),
                \(bind: spec.template), \(bind: JSONColumn.encode(spec.command)), \(bind: spec.cpu.millicores), \(bind: spec.memory.bytes),
                \(bind: spec.storage.bytes), \(bind: JSONColumn.encode(spec.environment)), \(bind: JSONColumn.encode(spec.labels)),
                \(bind: spec.network ? 1 : 0), \(bind: spec.idleTimeoutSeconds), \(bind: spec.idleAction.rawValue), \(bind: spec.region),
                \(bind: spec.clusterID?.rawValue), \(bind: JSONColumn.encode(spec.requiredCapabilities.sorted())),
                \(bind: sandbox.state.rawValue), 1, \(bind: now.storedMilliseconds), \(bind: now.storedMilliseconds),
                \(bind: now.storedMilliseconds), \(bind: now.storedMilliseconds),
                \(bind: spec.lifetimeSeconds), \(bind: sandbox.expiresAt?.storedMilliseconds), \(bind: spec.publicPorts ? 1 : 0),
                \(bind: templateID?.rawValue), \(bind: pooled ? 1 : 0))
            """).run()
        let command = try await insertCommand(.startSession, for: sandbox, deadline: commandDeadline, at: now, database)
        return SandboxChange(sandbox: sandbox, command: command)
    }

    public func sandboxes(scope: TenantScope, filter: SandboxFilter) async throws -> [Sandbox] {
        let sandboxes = try await engine.read { database in
            try await database.raw("""
                SELECT \(unsafeRaw: Columns.sandbox) FROM sandboxes s
                WHERE s.tenant_id = \(bind: scope.tenantID.rawValue) AND s.organization_id = \(bind: scope.organizationID.rawValue) AND s.pooled = 0
                    AND ((\(bind: filter.state?.rawValue) IS NULL AND s.state <> 'terminated') OR s.state = \(bind: filter.state?.rawValue))
                ORDER BY s.created_at DESC, s.id LIMIT 1000
                """).all().map { try $0.sandbox() }
        }
        return filter.labels.isEmpty ? sandboxes : sandboxes.filter(filter.matches(labelsOf:))
    }

    public func sandbox(id: SandboxID, scope: TenantScope) async throws -> Sandbox? {
        try await engine.read { database in
            try await self.sandbox(id, scope, lock: false, database)
        }
    }

    public func requestSandbox(_ request: SandboxRequest, id: SandboxID, scope: TenantScope, commandDeadline: Date, at now: Date) async throws -> SandboxChange {
        try await engine.transaction { database in
            if request == .wake { try await self.lockOrganization(scope.organizationID, database) }
            guard var sandbox = try await self.sandbox(id, scope, lock: true, database) else { throw Self.noSandbox(id) }
            let next = try request.transitionalState(from: sandbox.state)
            if request == .wake {
                // Frozen, it held neither quota nor room on its agent; it needs both again, on the same agent.
                let use = ResourceUse(sessions: 1, cpu: sandbox.spec.cpu, memory: sandbox.spec.memory, storage: .zero)
                try await self.admit(use, for: sandbox.createdBy, organizationID: scope.organizationID, database)
                try await self.requireRoom(on: sandbox.agentID, for: sandbox.spec, database)
            }
            sandbox.move(to: next, at: now.truncatedToStoredPrecision)
            sandbox.lastActivityAt = now.truncatedToStoredPrecision
            try await self.writeState(of: sandbox, database)
            let command = try await self.insertCommand(request.action, for: sandbox, deadline: commandDeadline, at: now, database)
            return SandboxChange(sandbox: sandbox, command: command)
        }
    }

    public func deleteSandbox(id: SandboxID, scope: TenantScope, commandDeadline: Date, at now: Date) async throws -> SandboxChange {
        try await engine.transaction { database in
            guard var sandbox = try await self.sandbox(id, scope, lock: true, database) else { throw Self.noSandbox(id) }
            if sandbox.state.holdsCompute || sandbox.state == .hibernated {
                throw DomainError.conflict("Sandbox \(id) is \(sandbox.state.rawValue); stop it first (POST /v1/sandboxes/\(id)/stop).")
            }
            try sandbox.state.requireTransition(to: .terminated, action: "delete")
            sandbox.move(to: .terminated, at: now.truncatedToStoredPrecision)
            try await self.writeState(of: sandbox, database)
            // Environment values may be secrets; a terminated sandbox no longer needs them.
            try await database.raw("UPDATE sandboxes SET environment = '{}' WHERE id = \(bind: id.rawValue)").run()
            // Its directory (files, output) stays on the agent until now: the agent removes it.
            let command = try await self.insertCommand(.deleteSession, for: sandbox, deadline: commandDeadline, at: now, database)
            return SandboxChange(sandbox: sandbox, command: command)
        }
    }

    public func pruneSandboxes(terminatedBefore cutoff: Date) async throws -> Int {
        try await engine.transaction { database in
            let ids: [String] = try await database.raw("""
                SELECT id FROM sandboxes WHERE state = 'terminated' AND state_changed_at < \(bind: cutoff.storedMilliseconds)
                ORDER BY state_changed_at LIMIT 500\(unsafeRaw: self.engine.skipLockedClause)
                """).all().map { try $0.string("id") }
            guard !ids.isEmpty else { return 0 }
            try await database.raw("DELETE FROM agent_commands WHERE sandbox_id IN (\(binds: ids))").run()
            try await database.raw("DELETE FROM sandbox_execs WHERE sandbox_id IN (\(binds: ids))").run()
            try await database.raw("DELETE FROM credentials WHERE sandbox_id IN (\(binds: ids))").run()
            try await database.raw("DELETE FROM sandboxes WHERE id IN (\(binds: ids))").run()
            return ids.count
        }
    }

    public func commands(sandboxID: SandboxID, scope: TenantScope) async throws -> [AgentCommand] {
        try await engine.read { database in
            guard try await self.sandbox(sandboxID, scope, lock: false, database) != nil else { throw Self.noSandbox(sandboxID) }
            return try await database.raw("""
                SELECT \(unsafeRaw: Columns.command) FROM agent_commands c WHERE c.sandbox_id = \(bind: sandboxID.rawValue)
                ORDER BY c.created_at, c.id LIMIT 1000
                """).all().map { try $0.agentCommand() }
        }
    }

    // MARK: - Shared with commands and the reconciler

    static func noSandbox(_ id: SandboxID) -> DomainError {
        .notFound("No sandbox \(id) in the active tenant.")
    }

    func sandbox(_ id: SandboxID, _ scope: TenantScope, lock: Bool, _ database: any SQLDatabase) async throws -> Sandbox? {
        try await database.raw("""
            SELECT \(unsafeRaw: Columns.sandbox) FROM sandboxes s
            WHERE s.id = \(bind: id.rawValue) AND s.tenant_id = \(bind: scope.tenantID.rawValue) AND s.pooled = 0
                AND s.organization_id = \(bind: scope.organizationID.rawValue)\(unsafeRaw: lock ? engine.rowLockClause : "")
            """).first()?.sandbox()
    }

    /// Writes the parts of a sandbox that change after creation.
    func writeState(of sandbox: Sandbox, _ database: any SQLDatabase) async throws {
        try await database.raw("""
            UPDATE sandboxes SET state = \(bind: sandbox.state.rawValue), holds_compute = \(bind: sandbox.state.holdsCompute ? 1 : 0),
                state_changed_at = \(bind: sandbox.stateChangedAt.storedMilliseconds), last_error = \(bind: sandbox.lastError),
                exit_status = \(bind: sandbox.exitStatus), last_activity_at = \(bind: sandbox.lastActivityAt.storedMilliseconds),
                updated_at = \(bind: sandbox.updatedAt.storedMilliseconds)
            WHERE id = \(bind: sandbox.id.rawValue)
            """).run()
    }

    func insertCommand(_ action: AgentCommandAction, for sandbox: Sandbox, deadline: Date, at now: Date, _ database: any SQLDatabase) async throws -> AgentCommand {
        let command = AgentCommand(
            id: .generate(), agentID: sandbox.agentID, sandboxID: sandbox.id, action: action, status: .pending, errorMessage: nil,
            deliveries: 0, deadlineAt: deadline.truncatedToStoredPrecision, createdAt: now.truncatedToStoredPrecision, sentAt: nil,
            acknowledgedAt: nil, completedAt: nil
        )
        try await database.raw("""
            INSERT INTO agent_commands (id, agent_id, sandbox_id, action, status, deliveries, deadline_at, created_at)
            VALUES (\(bind: command.id.rawValue), \(bind: command.agentID.rawValue), \(bind: command.sandboxID.rawValue),
                \(bind: action.rawValue), 'pending', 0, \(bind: deadline.storedMilliseconds), \(bind: now.storedMilliseconds))
            """).run()
        try await engine.notify(.commands, in: database)
        return command
    }

    private func lockOrganization(_ id: OrganizationID, _ database: any SQLDatabase) async throws {
        _ = try await database.raw("SELECT id FROM organizations WHERE id = \(bind: id.rawValue)\(unsafeRaw: engine.rowLockClause)").first()
    }
}
