extension Schema {
    /// Provisioning tokens and enrolled agents.
    static let agents = Migration(version: 3, name: "provisioning tokens and agents", statements: [
        """
        CREATE TABLE provisioning_tokens (
            id TEXT PRIMARY KEY,
            cluster_id TEXT NOT NULL REFERENCES clusters(id),
            name TEXT,
            token_hash TEXT NOT NULL UNIQUE,
            token_prefix TEXT NOT NULL,
            single_use INTEGER NOT NULL,
            expires_at BIGINT NOT NULL,
            used_at BIGINT,
            revoked_at BIGINT,
            created_by TEXT NOT NULL REFERENCES users(id),
            created_at BIGINT NOT NULL)
        """,
        "CREATE INDEX provisioning_tokens_by_cluster ON provisioning_tokens (cluster_id, created_at)",
        """
        CREATE TABLE agents (
            id TEXT PRIMARY KEY,
            cluster_id TEXT NOT NULL REFERENCES clusters(id),
            name TEXT NOT NULL,
            platform TEXT NOT NULL,
            region TEXT,
            capacity TEXT,
            capabilities TEXT NOT NULL,
            metadata TEXT NOT NULL,
            approval TEXT NOT NULL,
            approval_changed_at BIGINT,
            approval_changed_by TEXT,
            connectivity TEXT NOT NULL,
            last_heartbeat_at BIGINT,
            connection_id TEXT,
            draining_since BIGINT,
            key_hash TEXT NOT NULL UNIQUE,
            key_prefix TEXT NOT NULL,
            key_created_at BIGINT NOT NULL,
            key_last_used_at BIGINT,
            provisioning_token_id TEXT REFERENCES provisioning_tokens(id),
            revoked_at BIGINT,
            created_at BIGINT NOT NULL,
            updated_at BIGINT NOT NULL)
        """,
        // A revoked agent's name can be enrolled again.
        "CREATE UNIQUE INDEX agents_live_name ON agents (cluster_id, name) WHERE revoked_at IS NULL",
    ])
}
