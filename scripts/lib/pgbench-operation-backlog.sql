-- psql script for scripts/benchmark-operations.sh: tops the queue of the pgbench scratch database up
-- to :backlog queued test.noop runs, the rows pgbench-operation-start.sql inserts, for
-- pgbench-operation-execute.sql to drain. Variables (psql -v): backlog, org, tenant, user, target_context.
-- The runs get distinct available_at values one millisecond apart in the past, oldest first, as a burst
-- of starts would: with one shared value the claim's ORDER BY available_at, id would sort the whole
-- queue on every claim.
SELECT greatest(0, :backlog - count(*)) AS missing FROM operation_runs WHERE execution_status = 'queued' \gset
INSERT INTO operation_runs (organization_id, tenant_id, workspace_number, tenant_number, operation_type, authority_mode,
    initiator_user_id, initiator_number, provider_connection_id, scope_key, identity_hash, execution_status,
    next_steps, result, target_context, source_surface, bootstrap_id, attempts, max_attempts, available_at,
    deadline_at, deadline_seconds, created_at, updated_at)
SELECT o.id, t.id, o.number, t.number, 'test.noop', 'actor_bound',
    :'user', (SELECT number FROM users WHERE id = :'user'),
    NULL, NULL, encode(sha256(convert_to(gen_random_uuid()::text, 'UTF8')), 'hex'), 'queued',
    '[]', '{}', :'target_context', NULL, NULL, 0,
    3, now_ms - :missing + i, now_ms + 600000, 600, now_ms - :missing + i, now_ms - :missing + i
FROM organizations o JOIN tenants t ON t.organization_id = o.id,
    (SELECT (extract(epoch FROM now()) * 1000)::bigint - 1 AS now_ms) n,
    generate_series(1, :missing) i
WHERE o.id = :'org' AND t.id = :'tenant';
-- Fresh statistics, as autovacuum would have them for a queue that grew over time.
ANALYZE operation_runs;
