extension Schema {
    /// Templates (immutable roots by digest, named and versioned per tenant, or platform templates with no tenant),
    /// their builds with logs, warm pools, and the template a sandbox started from.
    static let templates = Migration(version: 13, name: "templates, builds and warm pools", statements: [
        """
        CREATE TABLE templates (
            id TEXT PRIMARY KEY,
            tenant_id TEXT REFERENCES tenants(id),
            name TEXT NOT NULL,
            version INTEGER NOT NULL,
            digest TEXT NOT NULL,
            size_bytes BIGINT NOT NULL,
            config TEXT NOT NULL,
            build_id TEXT NOT NULL,
            created_by TEXT NOT NULL,
            created_at BIGINT NOT NULL,
            deleted_at BIGINT)
        """,
        // A version number is never given twice under one name and owner, deleted or not.
        "CREATE UNIQUE INDEX templates_by_name ON templates (COALESCE(tenant_id, ''), name, version)",
        """
        CREATE TABLE template_builds (
            id TEXT PRIMARY KEY,
            tenant_id TEXT NOT NULL REFERENCES tenants(id),
            name TEXT NOT NULL,
            platform INTEGER NOT NULL,
            kind TEXT NOT NULL,
            status TEXT NOT NULL,
            definition TEXT NOT NULL,
            context_digest TEXT,
            sandbox_id TEXT,
            run_id BIGINT,
            template_id TEXT,
            steps INTEGER NOT NULL,
            cached_steps INTEGER NOT NULL,
            error TEXT,
            uploaded_digest TEXT,
            uploaded_size BIGINT,
            log TEXT NOT NULL,
            created_by TEXT NOT NULL,
            created_at BIGINT NOT NULL,
            finished_at BIGINT)
        """,
        "CREATE INDEX template_builds_by_tenant ON template_builds (tenant_id, created_at)",
        "CREATE INDEX template_builds_by_run ON template_builds (run_id)",
        """
        CREATE TABLE warm_pools (
            tenant_id TEXT NOT NULL REFERENCES tenants(id),
            template_id TEXT NOT NULL REFERENCES templates(id),
            size INTEGER NOT NULL,
            created_by TEXT NOT NULL,
            updated_at BIGINT NOT NULL,
            PRIMARY KEY (tenant_id, template_id))
        """,
        "ALTER TABLE sandboxes ADD COLUMN template_id TEXT",
        // 1 while the sandbox waits in a warm pool: hidden from its tenant and counted against nobody's quota.
        "ALTER TABLE sandboxes ADD COLUMN pooled INTEGER NOT NULL DEFAULT 0",
        "CREATE INDEX sandboxes_by_template ON sandboxes (template_id, state) WHERE template_id IS NOT NULL",
    ])
}
