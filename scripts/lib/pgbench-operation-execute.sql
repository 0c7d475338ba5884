-- pgbench script for scripts/benchmark-operations.sh: the database work of executing one queued run
-- with a no-op executor, as a run worker does it (OperationWorkers.process with
-- SQLStore.claimRun / finishRun, Sources/GlobalStacksStore/SQL/SQLStore+OperationRuns.swift):
-- two transactions, claim-and-start and finish. One pgbench "transaction" (one pass through this
-- script) is one executed run, so pgbench's tps is executed runs/s.
--
-- Runs with -M extended against a scratch copy of the server's migrated database whose
-- operation_runs holds a backlog of queued runs (scripts/lib/pgbench-operation-backlog.sql); the
-- backlog must outlast the run (an empty queue makes the claim's \gset fail and pgbench abort).
-- -D legitimacy=<JSON> is a decision the server stored. Left out: the legitimacy evaluation, the
-- lease-renewal task and the metrics/logging (all of them in the server process).

-- Claim and start: the oldest claimable run, skipping rows other workers hold, leased to this client;
-- the run with everything its legitimacy depends on (tenant, initiator, membership, connection);
-- then, allowed, it starts in the same transaction with the decision it was allowed on.
BEGIN;
SELECT r.id FROM operation_runs r
WHERE r.execution_status IN ('queued', 'running') AND r.available_at <= (extract(epoch FROM now()) * 1000)::bigint
    AND (r.lease_expires_at IS NULL OR r.lease_expires_at < (extract(epoch FROM now()) * 1000)::bigint)
    AND r.operation_type IN ('directory.groups.sync', 'provider.connection.verify', 'test.connection.write', 'test.noop')
ORDER BY r.available_at, r.id LIMIT 1 FOR UPDATE SKIP LOCKED \gset run_
UPDATE operation_runs SET lease_owner = 'pgbench/' || :client_id::text,
    lease_expires_at = (extract(epoch FROM now()) * 1000)::bigint + 30000,
    attempts = attempts + 1, updated_at = (extract(epoch FROM now()) * 1000)::bigint
WHERE id = :run_id;
SELECT r.id AS r_id, r.organization_id AS r_organization_id, r.tenant_id AS r_tenant_id, r.workspace_number AS r_workspace_number, r.tenant_number AS r_tenant_number, r.operation_type AS r_operation_type, r.authority_mode AS r_authority_mode, r.initiator_user_id AS r_initiator_user_id, r.initiator_number AS r_initiator_number, r.provider_connection_id AS r_provider_connection_id, r.scope_key AS r_scope_key, r.execution_status AS r_execution_status, r.outcome AS r_outcome, r.reason_code AS r_reason_code, r.short_reason AS r_short_reason, r.next_steps AS r_next_steps, r.legitimacy AS r_legitimacy, r.result AS r_result, r.target_context AS r_target_context, r.source_surface AS r_source_surface, r.bootstrap_id AS r_bootstrap_id, r.attempts AS r_attempts, r.max_attempts AS r_max_attempts, r.cancel_requested_at AS r_cancel_requested_at, r.deadline_at AS r_deadline_at, r.created_at AS r_created_at, r.updated_at AS r_updated_at, r.started_at AS r_started_at, r.completed_at AS r_completed_at,
    p.id AS p_id, p.tenant_id AS p_tenant_id, p.provider AS p_provider, p.kind AS p_kind, p.name AS p_name, p.status AS p_status, p.status_reason AS p_status_reason, p.external_account_id AS p_external_account_id, p.credential_reference AS p_credential_reference, p.default_provider AS p_default_provider, p.writes_paused_at AS p_writes_paused_at, p.metadata AS p_metadata, p.created_at AS p_created_at, p.updated_at AS p_updated_at,
    (SELECT COUNT(*) FROM organizations o WHERE o.id = r.organization_id) AS workspace_count,
    t.organization_id AS tenant_organization_id, t.status AS tenant_status, t.external_id AS tenant_external_id,
    u.id AS initiator_id, u.site_role AS initiator_site_role, u.deactivated_at AS initiator_deactivated_at,
    m.role AS initiator_role
FROM operation_runs r
LEFT JOIN tenants t ON t.id = r.tenant_id
LEFT JOIN users u ON u.id = r.initiator_user_id
LEFT JOIN memberships m ON m.organization_id = r.organization_id AND m.user_id = r.initiator_user_id AND m.status = 'active'
LEFT JOIN provider_connections p ON p.id = r.provider_connection_id
WHERE r.id = :run_id;
UPDATE operation_runs SET execution_status = 'running', started_at = (extract(epoch FROM now()) * 1000)::bigint,
    legitimacy = :legitimacy, updated_at = (extract(epoch FROM now()) * 1000)::bigint
WHERE id = :run_id;
COMMIT;

-- (the no-op executor runs here)

-- Finish: lock the run if this client still holds it, then complete it as succeeded.
BEGIN;
SELECT r.scope_key FROM operation_runs r
WHERE r.id = :run_id AND r.lease_owner = 'pgbench/' || :client_id::text AND r.execution_status IN ('queued', 'running') FOR UPDATE;
UPDATE operation_runs SET execution_status = 'completed', outcome = 'succeeded',
    reason_code = NULL, short_reason = NULL,
    next_steps = '[]', legitimacy = COALESCE(NULL, legitimacy),
    result = '{}',
    started_at = started_at,
    lease_owner = NULL, lease_expires_at = NULL,
    completed_at = (extract(epoch FROM now()) * 1000)::bigint, updated_at = (extract(epoch FROM now()) * 1000)::bigint
WHERE id = :run_id;
COMMIT;
