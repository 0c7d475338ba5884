import Foundation
import GlobalStacksDomain
import SQLKit

extension SQLStore: OperationRunRepository, RunQueue {
    private static let active = "('queued', 'running')"

    public func admitRun(_ run: NewOperationRun, at now: Date) async throws -> RunAdmission {
        try await engine.transaction { database in
            try await self.admit(run, bootstrapID: nil, database, now)
        }
    }

    public func admitBootstrap(first: NewOperationRun, waiting: [NewOperationRun], at now: Date) async throws -> (admission: RunAdmission, waiting: [OperationRun]) {
        try await engine.transaction { database in
            let bootstrapID = UUID().uuidString.lowercased()
            let admission = try await self.admit(first, bootstrapID: bootstrapID, database, now)
            guard case .accepted = admission else { return (admission, []) }
            var pending: [OperationRun] = []
            for run in waiting {
                let id = try await self.insert(run, status: .waiting, bootstrapID: bootstrapID, database, now)
                pending.append(try await self.run(id: id, database))
            }
            return (admission, pending)
        }
    }

    public func recordBlockedRun(_ run: NewOperationRun, reason: RunReason, decision: LegitimacyDecision?, nextSteps: [NextStep], at now: Date) async throws -> OperationRun {
        try await engine.transaction { database in
            let id = try await self.insert(run, status: .completed, bootstrapID: nil, database, now)
            try await database.raw("""
                UPDATE operation_runs SET outcome = 'blocked', reason_code = \(bind: reason.code), short_reason = \(bind: reason.shortReason),
                    next_steps = \(bind: JSONColumn.encode(nextSteps)), legitimacy = \(bind: decision.map(JSONColumn.encode)),
                    completed_at = \(bind: now.storedMilliseconds)
                WHERE id = \(bind: id.rawValue)
                """).run()
            return try await self.run(id: id, database)
        }
    }

    public func operationRun(id: OperationRunID, _ scope: TenantScope) async throws -> OperationRun? {
        try await engine.read { database in
            try await database.raw("""
                SELECT \(unsafeRaw: Columns.operationRun) FROM operation_runs r WHERE r.id = \(bind: id.rawValue) AND \(self.inScope(scope))
                """).first()?.operationRun()
        }
    }

    /// Runs of the scope's tenant, and only while that tenant is in the scope's organization.
    private func inScope(_ scope: TenantScope) -> SQLQueryString {
        """
        r.tenant_id = \(bind: scope.tenantID.rawValue) AND r.organization_id = \(bind: scope.organizationID.rawValue)
            AND r.tenant_id IN (SELECT id FROM tenants WHERE organization_id = \(bind: scope.organizationID.rawValue))
        """
    }

    public func operationRuns(_ scope: TenantScope, status: RunExecutionStatus?, operationType: OperationTypeKey?, limit: Int) async throws -> [OperationRun] {
        try await engine.read { database in
            try await database.raw("""
                SELECT \(unsafeRaw: Columns.operationRun) FROM operation_runs r
                WHERE \(self.inScope(scope))
                    AND (\(bind: status?.rawValue) IS NULL OR r.execution_status = \(bind: status?.rawValue))
                    AND (\(bind: operationType?.rawValue) IS NULL OR r.operation_type = \(bind: operationType?.rawValue))
                ORDER BY r.id DESC LIMIT \(literal: max(1, min(limit, 1000)))
                """).all().map { try $0.operationRun() }
        }
    }

    public func operationRunTenant(id: OperationRunID, _ scope: OrganizationScope) async throws -> Tenant? {
        try await engine.read { database in
            try await database.raw("""
                SELECT \(unsafeRaw: Columns.tenant) FROM operation_runs r JOIN tenants t ON t.id = r.tenant_id
                WHERE r.id = \(bind: id.rawValue) AND r.organization_id = \(bind: scope.organizationID.rawValue)
                    AND t.organization_id = \(bind: scope.organizationID.rawValue)
                """).first()?.tenant()
        }
    }

    public func cancelRun(id: OperationRunID, _ scope: TenantScope, at now: Date) async throws -> OperationRun {
        let (run, freedScope) = try await engine.transaction { database -> (OperationRun, String?) in
            guard let run = try await database.raw("""
                SELECT \(unsafeRaw: Columns.operationRun) FROM operation_runs r
                WHERE r.id = \(bind: id.rawValue) AND \(self.inScope(scope))\(unsafeRaw: self.engine.rowLockClause)
                """).first()?.operationRun()
            else { throw DomainError.notFound("No operation run \(id) in the active tenant.") }
            switch run.executionStatus {
            case .completed:
                throw DomainError.conflict("Run \(id) already finished (\(run.outcome?.rawValue ?? "completed")); there is nothing to cancel.")
            case .running:
                try await database.raw("""
                    UPDATE operation_runs SET cancel_requested_at = \(bind: now.storedMilliseconds), updated_at = \(bind: now.storedMilliseconds)
                    WHERE id = \(bind: id.rawValue)
                    """).run()
                return (try await self.run(id: id, database), nil)
            case .waiting, .queued:
                try await self.complete(id: id, outcome: .cancelled, reason: .cancelled, nextSteps: [], decision: nil, result: [:], database, now)
                return (try await self.run(id: id, database), run.executionStatus == .queued ? run.scopeKey : nil)
            }
        }
        if let freedScope {
            _ = try await admitWaiting(scopeKey: freedScope, now)
        }
        return run
    }

    // MARK: Workers

    public func claimRun(worker: String, leaseDuration: TimeInterval, definitions: [OperationTypeKey: OperationTypeDefinition], at now: Date) async throws -> ClaimedRun? {
        guard !definitions.isEmpty else { return nil }
        let types: [any Encodable & Sendable] = definitions.keys.map(\.rawValue)
        return try await engine.transaction { database -> ClaimedRun? in
            // A row that cannot be read fails instead of blocking the queue head forever; the next one is tried.
            for _ in 0..<10 {
                guard let row = try await database.raw("""
                    SELECT r.id FROM operation_runs r
                    WHERE r.execution_status IN \(unsafeRaw: Self.active) AND r.available_at <= \(bind: now.storedMilliseconds)
                        AND (r.lease_expires_at IS NULL OR r.lease_expires_at < \(bind: now.storedMilliseconds))
                        AND r.operation_type IN (\(binds: types))
                    ORDER BY r.available_at, r.id LIMIT 1\(unsafeRaw: self.engine.skipLockedClause)
                    """).first()
                else { return nil }
                let id = OperationRunID(rawValue: try row.decode(column: "id", as: Int64.self))
                try await database.raw("""
                    UPDATE operation_runs SET lease_owner = \(bind: worker),
                        lease_expires_at = \(bind: now.addingTimeInterval(leaseDuration).storedMilliseconds),
                        attempts = attempts + 1, updated_at = \(bind: now.storedMilliseconds)
                    WHERE id = \(bind: id.rawValue)
                    """).run()
                do {
                    guard let claimed = try await self.claimed(id: id, definitions: definitions, database) else { return nil }
                    if claimed.started {
                        // Judged allowed on the state read in this transaction: it starts in the same commit.
                        try await database.raw("""
                            UPDATE operation_runs SET execution_status = 'running', started_at = \(bind: now.storedMilliseconds),
                                legitimacy = \(bind: JSONColumn.encode(claimed.decision)), updated_at = \(bind: now.storedMilliseconds)
                            WHERE id = \(bind: id.rawValue)
                            """).run()
                    }
                    return claimed
                } catch let error as StoreError {
                    let reason = RunReason.executionFailed("The stored run could not be read (\(error)).")
                    try await self.complete(id: id, outcome: .failed, reason: reason, nextSteps: [], decision: nil, result: [:], database, now)
                }
            }
            return nil
        }
    }

    public func renewLease(id: OperationRunID, worker: String, leaseDuration: TimeInterval, at now: Date) async throws -> Bool? {
        try await engine.transaction { database in
            guard let row = try await database.raw("""
                UPDATE operation_runs SET lease_expires_at = \(bind: now.addingTimeInterval(leaseDuration).storedMilliseconds)
                WHERE id = \(bind: id.rawValue) AND lease_owner = \(bind: worker) AND execution_status IN \(unsafeRaw: Self.active)
                RETURNING cancel_requested_at
                """).first()
            else { return nil }
            return try row.decode(column: "cancel_requested_at", as: Int64?.self) != nil
        }
    }

    public func finishRun(id: OperationRunID, worker: String, outcome: RunOutcome, reason: RunReason?, nextSteps: [NextStep], decision: LegitimacyDecision?, result: [String: String], at now: Date) async throws -> Bool {
        let scopeKey = try await engine.transaction { database -> String?? in
            guard let row = try await database.raw("""
                SELECT r.scope_key FROM operation_runs r
                WHERE r.id = \(bind: id.rawValue) AND r.lease_owner = \(bind: worker) AND r.execution_status IN \(unsafeRaw: Self.active)\(unsafeRaw: self.engine.rowLockClause)
                """).first()
            else { return .none }
            try await self.complete(id: id, outcome: outcome, reason: reason, nextSteps: nextSteps, decision: decision, result: result, database, now)
            return .some(try row.decode(column: "scope_key", as: String?.self))
        }
        guard let scopeKey else { return false }
        if let scopeKey {
            _ = try await admitWaiting(scopeKey: scopeKey, now)
        }
        return true
    }

    public func retryRun(id: OperationRunID, worker: String, availableAt: Date, error: String, at now: Date) async throws -> Bool {
        try await engine.transaction { database in
            try await database.raw("""
                UPDATE operation_runs SET execution_status = 'queued', available_at = \(bind: availableAt.storedMilliseconds),
                    lease_owner = NULL, lease_expires_at = NULL, short_reason = \(bind: "Attempt failed, retrying: \(error)"),
                    updated_at = \(bind: now.storedMilliseconds)
                WHERE id = \(bind: id.rawValue) AND lease_owner = \(bind: worker) AND execution_status IN \(unsafeRaw: Self.active)
                    AND cancel_requested_at IS NULL
                RETURNING id
                """).first() != nil
        }
    }

    public func releaseRun(id: OperationRunID, worker: String, at now: Date) async throws -> Bool {
        try await engine.transaction { database in
            try await database.raw("""
                UPDATE operation_runs SET execution_status = 'queued', available_at = \(bind: now.storedMilliseconds),
                    lease_owner = NULL, lease_expires_at = NULL, attempts = attempts - 1, updated_at = \(bind: now.storedMilliseconds)
                WHERE id = \(bind: id.rawValue) AND lease_owner = \(bind: worker) AND execution_status IN \(unsafeRaw: Self.active)
                RETURNING id
                """).first() != nil
        }
    }

    public func failOverdueRuns(at now: Date) async throws -> [OperationRunID] {
        let reason = RunReason.deadlineExceeded
        let overdue = try await engine.transaction { database in
            try await database.raw("""
                UPDATE operation_runs SET execution_status = 'completed', outcome = 'failed', reason_code = \(bind: reason.code),
                    short_reason = \(bind: reason.shortReason), next_steps = \(bind: JSONColumn.encode(reason.nextSteps(connectionHref: nil))),
                    lease_owner = NULL, lease_expires_at = NULL, completed_at = \(bind: now.storedMilliseconds), updated_at = \(bind: now.storedMilliseconds)
                WHERE id IN (SELECT id FROM operation_runs WHERE \(self.overdue(now)) ORDER BY id LIMIT 500\(unsafeRaw: self.engine.skipLockedClause))
                    AND \(self.overdue(now))
                RETURNING id
                """).all().map { OperationRunID(rawValue: try $0.decode(column: "id", as: Int64.self)) }
        }
        return overdue
    }

    /// Active, past the deadline, and not held by a live worker (a worker enforces the deadline of the run it holds).
    /// Waiting runs have no deadline yet: it starts when they are admitted. Repeated in the outer WHERE because on
    /// PostgreSQL a row can finish between the subquery's snapshot and the update.
    private func overdue(_ now: Date) -> SQLQueryString {
        """
        execution_status IN \(unsafeRaw: Self.active) AND deadline_at < \(bind: now.storedMilliseconds)
            AND (lease_expires_at IS NULL OR lease_expires_at < \(bind: now.storedMilliseconds))
        """
    }

    public func admitWaitingRuns(at now: Date) async throws -> Int {
        try await admitWaiting(scopeKey: nil, now)
    }

    public func pruneRuns(completedBefore cutoff: Date, limit: Int) async throws -> Int {
        try await engine.transaction { database in
            try await database.raw("""
                DELETE FROM operation_runs WHERE id IN (SELECT id FROM operation_runs
                    WHERE execution_status = 'completed' AND completed_at < \(bind: cutoff.storedMilliseconds)
                    ORDER BY completed_at LIMIT \(literal: max(1, limit)))
                RETURNING id
                """).all().count
        }
    }

    // MARK: Helpers

    /// Inserts `run` as queued; on a unique conflict reports the active run it collides with. A conflicting run can
    /// finish between the insert and the lookup, so the insert is tried again a few times.
    private func admit(_ run: NewOperationRun, bootstrapID: String?, _ database: any SQLDatabase, _ now: Date) async throws -> RunAdmission {
        for _ in 0..<5 {
            if let id = try await insertQueued(run, bootstrapID: bootstrapID, database, now) {
                try await engine.notify(.runs, in: database)
                return .accepted(try await self.run(id: id, database))
            }
            if let existing = try await database.raw("""
                SELECT \(unsafeRaw: Columns.operationRun) FROM operation_runs r
                WHERE r.identity_hash = \(bind: run.identityHash) AND r.tenant_id = \(bind: run.scope.tenantID.rawValue)
                    AND r.execution_status IN \(unsafeRaw: Self.active)
                """).first()?.operationRun() {
                return .deduped(existing)
            }
            if let scopeKey = run.scopeKey, let holder = try await database.raw("""
                SELECT \(unsafeRaw: Columns.operationRun) FROM operation_runs r
                WHERE r.scope_key = \(bind: scopeKey) AND r.execution_status IN \(unsafeRaw: Self.active)
                """).first()?.operationRun() {
                return .scopeBusy(holder)
            }
        }
        throw DomainError.conflict("The operation could not be admitted because its scope keeps changing; try again.")
    }

    private func insertQueued(_ run: NewOperationRun, bootstrapID: String?, _ database: any SQLDatabase, _ now: Date) async throws -> OperationRunID? {
        try await insertRow(run, status: .queued, bootstrapID: bootstrapID, conflict: " ON CONFLICT DO NOTHING", database, now)
    }

    private func insert(_ run: NewOperationRun, status: RunExecutionStatus, bootstrapID: String?, _ database: any SQLDatabase, _ now: Date) async throws -> OperationRunID {
        guard let id = try await insertRow(run, status: status, bootstrapID: bootstrapID, conflict: "", database, now) else {
            throw DomainError.notFound("No tenant \(run.scope.tenantID) in the active organization.")
        }
        return id
    }

    /// A run's connection belongs to the run's tenant: a scope names no other tenant's connection (any status, so a
    /// connection deleted since the start was judged still records its run).
    private func requireConnection(of run: NewOperationRun, _ database: any SQLDatabase) async throws {
        guard let id = run.providerConnectionID else { return }
        guard try await database.raw("""
            SELECT p.id FROM provider_connections p JOIN tenants t ON t.id = p.tenant_id
            WHERE p.id = \(bind: id.rawValue) AND t.id = \(bind: run.scope.tenantID.rawValue) AND t.organization_id = \(bind: run.scope.organizationID.rawValue)
            """).first() != nil else {
            throw DomainError.notFound("No provider connection \(id) in the active tenant.")
        }
    }

    /// The numbers of the organization, tenant and initiator are copied onto the run: the legitimacy decision
    /// names them even if those rows change later. Inserts nothing when the tenant is not in the organization.
    private func insertRow(_ run: NewOperationRun, status: RunExecutionStatus, bootstrapID: String?, conflict: String, _ database: any SQLDatabase, _ now: Date) async throws -> OperationRunID? {
        try await requireConnection(of: run, database)
        let definition = run.definition
        let row = try await database.raw("""
            INSERT INTO operation_runs (organization_id, tenant_id, workspace_number, tenant_number, operation_type, authority_mode,
                initiator_user_id, initiator_number, provider_connection_id, scope_key, identity_hash, execution_status,
                next_steps, result, target_context, source_surface, bootstrap_id, attempts, max_attempts, available_at,
                deadline_at, deadline_seconds, created_at, updated_at)
            SELECT o.id, t.id, o.number, t.number, \(bind: definition.key.rawValue), \(bind: run.authority.mode.rawValue),
                \(bind: run.authority.userID?.rawValue), (SELECT number FROM users WHERE id = \(bind: run.authority.userID?.rawValue)),
                \(bind: run.providerConnectionID?.rawValue), \(bind: run.scopeKey), \(bind: run.identityHash), \(bind: status.rawValue),
                '[]', '{}', \(bind: JSONColumn.encode(run.targetContext)), \(bind: run.sourceSurface), \(bind: bootstrapID), 0,
                \(bind: definition.maxAttempts), \(bind: now.storedMilliseconds), \(bind: now.addingTimeInterval(definition.deadline).storedMilliseconds),
                \(bind: Int64(definition.deadline)), \(bind: now.storedMilliseconds), \(bind: now.storedMilliseconds)
            FROM organizations o JOIN tenants t ON t.organization_id = o.id
            WHERE o.id = \(bind: run.scope.organizationID.rawValue) AND t.id = \(bind: run.scope.tenantID.rawValue)\(unsafeRaw: conflict)
            RETURNING id
            """).first()
        return try row.map { OperationRunID(rawValue: try $0.decode(column: "id", as: Int64.self)) }
    }

    private func complete(id: OperationRunID, outcome: RunOutcome, reason: RunReason?, nextSteps: [NextStep], decision: LegitimacyDecision?, result: [String: String], _ database: any SQLDatabase, _ now: Date) async throws {
        // A run refused before it executed keeps no start time.
        try await database.raw("""
            UPDATE operation_runs SET execution_status = 'completed', outcome = \(bind: outcome.rawValue),
                reason_code = \(bind: reason?.code), short_reason = \(bind: reason?.shortReason),
                next_steps = \(bind: JSONColumn.encode(nextSteps)), legitimacy = COALESCE(\(bind: decision.map(JSONColumn.encode)), legitimacy),
                result = \(bind: JSONColumn.encode(result)),
                started_at = \(unsafeRaw: outcome == .blocked ? "NULL" : "started_at"),
                lease_owner = NULL, lease_expires_at = NULL,
                completed_at = \(bind: now.storedMilliseconds), updated_at = \(bind: now.storedMilliseconds)
            WHERE id = \(bind: id.rawValue)
            """).run()
    }

    /// Queues the first waiting run of each free scope (only `scopeKey`'s when given). Each promotion is its own
    /// transaction: a scope taken meanwhile by another start fails the unique index, and that start's finish promotes later.
    private func admitWaiting(scopeKey: String?, _ now: Date) async throws -> Int {
        let candidates = try await engine.read { database in
            try await database.raw("""
                SELECT MIN(w.id) AS id FROM operation_runs w
                WHERE w.execution_status = 'waiting' AND (\(bind: scopeKey) IS NULL OR w.scope_key = \(bind: scopeKey))
                    AND NOT EXISTS (SELECT 1 FROM operation_runs a WHERE a.scope_key = w.scope_key AND a.execution_status IN \(unsafeRaw: Self.active))
                GROUP BY w.scope_key LIMIT 100
                """).all().map { OperationRunID(rawValue: try $0.decode(column: "id", as: Int64.self)) }
        }
        var admitted = 0
        for id in candidates {
            do {
                let promoted = try await engine.transaction { database in
                    let row = try await database.raw("""
                        UPDATE operation_runs SET execution_status = 'queued', available_at = \(bind: now.storedMilliseconds),
                            deadline_at = \(bind: now.storedMilliseconds) + deadline_seconds * 1000, updated_at = \(bind: now.storedMilliseconds)
                        WHERE id = \(bind: id.rawValue) AND execution_status = 'waiting'
                        RETURNING id
                        """).first()
                    if row != nil {
                        try await self.engine.notify(.runs, in: database)
                    }
                    return row != nil
                }
                if promoted { admitted += 1 }
            } catch where engine.isUniqueViolation(error) {
                continue
            }
        }
        return admitted
    }

    private func run(id: OperationRunID, _ database: any SQLDatabase) async throws -> OperationRun {
        guard let run = try await database.raw("""
            SELECT \(unsafeRaw: Columns.operationRun) FROM operation_runs r WHERE r.id = \(bind: id.rawValue)
            """).first()?.operationRun()
        else { throw StoreError.corruptRow("operation_runs \(id) vanished") }
        return run
    }

    /// The claimed run with the current state of everything its legitimacy depends on, read in the claim's transaction.
    private func claimed(id: OperationRunID, definitions: [OperationTypeKey: OperationTypeDefinition], _ database: any SQLDatabase) async throws -> ClaimedRun? {
        guard let row = try await database.raw("""
            SELECT \(unsafeRaw: Columns.operationRun), \(unsafeRaw: Columns.providerConnection),
                (SELECT COUNT(*) FROM organizations o WHERE o.id = r.organization_id) AS workspace_count,
                t.organization_id AS tenant_organization_id, t.status AS tenant_status, t.external_id AS tenant_external_id,
                u.id AS initiator_id, u.site_role AS initiator_site_role, u.deactivated_at AS initiator_deactivated_at,
                m.role AS initiator_role
            FROM operation_runs r
            LEFT JOIN tenants t ON t.id = r.tenant_id
            LEFT JOIN users u ON u.id = r.initiator_user_id
            LEFT JOIN memberships m ON m.organization_id = r.organization_id AND m.user_id = r.initiator_user_id AND m.status = 'active'
            LEFT JOIN provider_connections p ON p.id = r.provider_connection_id
            WHERE r.id = \(bind: id.rawValue)
            """).first()
        else { return nil }
        let run = try row.operationRun()
        guard let definition = definitions[run.operationType] else { return nil }
        let tenantOrganization: OrganizationID? = try row.optionalIdentifier("tenant_organization_id")
        let tenant = try tenantOrganization.map { organization in
            LegitimacyFacts.TenantState(belongsToWorkspace: organization == run.organizationID, status: try row.enumValue("tenant_status"))
        }
        let initiator: LegitimacyFacts.InitiatorState? = try row.optionalString("initiator_id") == nil ? nil : .init(
            isActive: try row.optionalDate("initiator_deactivated_at") == nil,
            siteRole: try row.enumValue("initiator_site_role"),
            organizationRole: try row.optionalString("initiator_role").map { raw in
                guard let role = OrganizationRole(rawValue: raw) else { throw StoreError.corruptRow("memberships.role = '\(raw)'") }
                return role
            }
        )
        let connection = try row.decode(column: "p_id", as: Int64?.self) == nil ? nil : try row.providerConnection()
        let facts = LegitimacyFacts(
            definition: definition, authorityMode: run.authority.mode, organizationID: run.organizationID, tenantID: run.tenantID,
            workspaceExists: try row.int("workspace_count") > 0, tenant: tenant, initiator: initiator, connection: connection
        )
        let verdict = LegitimacyEvaluator.judge(
            facts, target: try row.runTargetScope(), initiatorNumber: try row.decode(column: "r_initiator_number", as: Int64?.self)
        )
        return ClaimedRun(
            run: run, facts: facts, verdict: verdict, tenantExternalID: try row.optionalString("tenant_external_id"),
            started: verdict.decision.allowed && !run.cancelRequested && run.attempts <= run.maxAttempts
        )
    }
}
