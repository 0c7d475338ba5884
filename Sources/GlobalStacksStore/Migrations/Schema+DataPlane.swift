extension Schema {
    /// The Data Plane: data-plane instances (a service on one agent, provisioned through an extension) and object
    /// stores (a bucket on an S3 endpoint, reached through an extension). JSON columns hold settings, health and
    /// metadata as the API shows them; `service` is the extension's answer the agent runs.
    static let dataPlane = Migration(version: 10, name: "data-plane instances and object stores", statements: [
        """
        CREATE TABLE data_plane_instances (
            id TEXT PRIMARY KEY,
            tenant_id TEXT NOT NULL REFERENCES tenants(id),
            provider TEXT NOT NULL,
            extension_key TEXT NOT NULL,
            install_id TEXT,
            agent_id TEXT NOT NULL REFERENCES agents(id),
            state TEXT NOT NULL,
            state_reason TEXT,
            endpoint TEXT,
            settings TEXT NOT NULL,
            effective_settings TEXT NOT NULL,
            health TEXT NOT NULL,
            metadata TEXT NOT NULL,
            service TEXT,
            provision_run_id BIGINT,
            created_by TEXT REFERENCES users(id),
            created_at BIGINT NOT NULL,
            updated_at BIGINT NOT NULL)
        """,
        "CREATE INDEX data_plane_instances_by_tenant ON data_plane_instances (tenant_id, created_at)",
        "CREATE INDEX data_plane_instances_by_agent ON data_plane_instances (agent_id) WHERE state <> 'deleted'",
        "CREATE UNIQUE INDEX data_plane_instances_by_run ON data_plane_instances (provision_run_id)",
        """
        CREATE TABLE object_stores (
            id TEXT PRIMARY KEY,
            tenant_id TEXT NOT NULL REFERENCES tenants(id),
            provider_key TEXT NOT NULL,
            hosted_mode TEXT NOT NULL,
            purpose TEXT NOT NULL,
            endpoint TEXT,
            bucket TEXT NOT NULL,
            prefix TEXT NOT NULL,
            credential_ref TEXT,
            data_plane_instance_id TEXT REFERENCES data_plane_instances(id),
            status TEXT NOT NULL,
            status_reason TEXT,
            metadata TEXT NOT NULL,
            created_bucket INTEGER NOT NULL,
            provision_run_id BIGINT,
            verified_at BIGINT,
            created_by TEXT REFERENCES users(id),
            created_at BIGINT NOT NULL,
            updated_at BIGINT NOT NULL)
        """,
        "CREATE INDEX object_stores_by_tenant ON object_stores (tenant_id, created_at)",
        "CREATE UNIQUE INDEX object_stores_by_run ON object_stores (provision_run_id)",
        // One live store per bucket and prefix in a tenant: two records must not claim (and delete) the same objects.
        // No prefix is stored as the empty text, so that the index compares it.
        "CREATE UNIQUE INDEX object_stores_one_per_location ON object_stores (tenant_id, provider_key, bucket, prefix) WHERE status <> 'deleted'",
    ])
}
