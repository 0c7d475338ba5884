-- pgbench script for scripts/benchmark-operations.sh: the database work of one accepted start,
-- as SQLStore.admitRun does it (Sources/GlobalStacksStore/SQL/SQLStore+OperationRuns.swift) for a
-- test.noop run: one transaction with the INSERT ... SELECT ... ON CONFLICT DO NOTHING RETURNING id
-- (which the partial unique indexes operation_runs_active_identity / _active_scope decide), the
-- pg_notify that wakes the workers and the read of the new run for the response.
--
-- Runs with -M extended (unnamed statements with bound parameters, like PostgresNIO) against a
-- scratch copy of the server's migrated database, with -D org=<organization id> -D tenant=<tenant id>
-- -D user=<initiator user id> -D target_context=<JSON> taken from a run the server accepted.
-- What it leaves out: the HTTP request, the session lookup that authenticates it, the legitimacy
-- evaluation and the JSON response (all of them in the server process).
-- The identity hash is unique per request (test.noop dedupes uniquePerRequest); the server computes
-- it in Swift as SHA-256 of a description with a random nonce.
BEGIN;
INSERT INTO operation_runs (organization_id, tenant_id, workspace_number, tenant_number, operation_type, authority_mode,
    initiator_user_id, initiator_number, provider_connection_id, scope_key, identity_hash, execution_status,
    next_steps, result, target_context, source_surface, bootstrap_id, attempts, max_attempts, available_at,
    deadline_at, deadline_seconds, created_at, updated_at)
SELECT o.id, t.id, o.number, t.number, 'test.noop', 'actor_bound',
    :user, (SELECT number FROM users WHERE id = :user),
    NULL, NULL, encode(sha256(convert_to(gen_random_uuid()::text, 'UTF8')), 'hex'), 'queued',
    '[]', '{}', :target_context, NULL, NULL, 0,
    3, (extract(epoch FROM now()) * 1000)::bigint, (extract(epoch FROM now()) * 1000)::bigint + 600000, 600,
    (extract(epoch FROM now()) * 1000)::bigint, (extract(epoch FROM now()) * 1000)::bigint
FROM organizations o JOIN tenants t ON t.organization_id = o.id
WHERE o.id = :org AND t.id = :tenant ON CONFLICT DO NOTHING
RETURNING id \gset run_
SELECT pg_notify('gstacks_operation_runs', '');
SELECT r.id AS r_id, r.organization_id AS r_organization_id, r.tenant_id AS r_tenant_id, r.workspace_number AS r_workspace_number, r.tenant_number AS r_tenant_number, r.operation_type AS r_operation_type, r.authority_mode AS r_authority_mode, r.initiator_user_id AS r_initiator_user_id, r.initiator_number AS r_initiator_number, r.provider_connection_id AS r_provider_connection_id, r.scope_key AS r_scope_key, r.execution_status AS r_execution_status, r.outcome AS r_outcome, r.reason_code AS r_reason_code, r.short_reason AS r_short_reason, r.next_steps AS r_next_steps, r.legitimacy AS r_legitimacy, r.result AS r_result, r.target_context AS r_target_context, r.source_surface AS r_source_surface, r.bootstrap_id AS r_bootstrap_id, r.attempts AS r_attempts, r.max_attempts AS r_max_attempts, r.cancel_requested_at AS r_cancel_requested_at, r.deadline_at AS r_deadline_at, r.created_at AS r_created_at, r.updated_at AS r_updated_at, r.started_at AS r_started_at, r.completed_at AS r_completed_at
FROM operation_runs r WHERE r.id = :run_id;
COMMIT;
