extension Schema {
    /// Sandboxes, the commands that drive them, and the groups and quotas that bound them.
    static let sandboxes = Migration(version: 4, name: "sandboxes, agent commands, groups, quotas and agent key rotation", statements: [
        // After a rotation the previous key still connects for a short grace period (the agent may crash
        // between the server's commit and saving its new key).
        "ALTER TABLE agents ADD COLUMN previous_key_hash TEXT",
        "ALTER TABLE agents ADD COLUMN previous_key_expires_at BIGINT",
        "CREATE INDEX agents_previous_key ON agents (previous_key_hash) WHERE previous_key_hash IS NOT NULL",
        """
        CREATE TABLE sandboxes (
            id TEXT PRIMARY KEY,
            tenant_id TEXT NOT NULL REFERENCES tenants(id),
            organization_id TEXT NOT NULL REFERENCES organizations(id),
            created_by TEXT NOT NULL REFERENCES users(id),
            agent_id TEXT NOT NULL REFERENCES agents(id),
            cluster_id TEXT NOT NULL REFERENCES clusters(id),
            name TEXT,
            template TEXT,
            command TEXT NOT NULL,
            cpu_millicores BIGINT NOT NULL,
            memory_bytes BIGINT NOT NULL,
            storage_bytes BIGINT NOT NULL,
            environment TEXT NOT NULL,
            labels TEXT NOT NULL,
            network INTEGER NOT NULL,
            idle_timeout_seconds BIGINT,
            idle_action TEXT NOT NULL,
            region TEXT,
            requested_cluster_id TEXT,
            required_capabilities TEXT NOT NULL,
            state TEXT NOT NULL,
            holds_compute INTEGER NOT NULL,
            state_changed_at BIGINT NOT NULL,
            last_error TEXT,
            exit_status INTEGER,
            last_activity_at BIGINT NOT NULL,
            created_at BIGINT NOT NULL,
            updated_at BIGINT NOT NULL)
        """,
        "CREATE INDEX sandboxes_by_tenant ON sandboxes (tenant_id, created_at)",
        // Usage sums (quotas, agent capacity) read only what still holds something.
        "CREATE INDEX sandboxes_live_by_agent ON sandboxes (agent_id) WHERE state <> 'terminated'",
        "CREATE INDEX sandboxes_live_by_organization ON sandboxes (organization_id, created_by) WHERE state <> 'terminated'",
        """
        CREATE TABLE agent_commands (
            id TEXT PRIMARY KEY,
            agent_id TEXT NOT NULL REFERENCES agents(id),
            sandbox_id TEXT NOT NULL REFERENCES sandboxes(id),
            action TEXT NOT NULL,
            status TEXT NOT NULL,
            error_message TEXT,
            deliveries INTEGER NOT NULL,
            deadline_at BIGINT NOT NULL,
            created_at BIGINT NOT NULL,
            sent_at BIGINT,
            acknowledged_at BIGINT,
            completed_at BIGINT)
        """,
        // Delivery and deadlines look only at unfinished commands.
        "CREATE INDEX agent_commands_unfinished ON agent_commands (agent_id, created_at) WHERE status IN ('pending', 'sent', 'ack')",
        "CREATE INDEX agent_commands_by_sandbox ON agent_commands (sandbox_id, created_at)",
        """
        CREATE TABLE user_groups (
            id TEXT PRIMARY KEY,
            organization_id TEXT NOT NULL REFERENCES organizations(id),
            parent_id TEXT REFERENCES user_groups(id),
            name TEXT NOT NULL,
            display_name TEXT NOT NULL,
            description TEXT,
            kind TEXT NOT NULL,
            created_at BIGINT NOT NULL,
            updated_at BIGINT NOT NULL)
        """,
        "CREATE UNIQUE INDEX user_groups_name ON user_groups (organization_id, name)",
        """
        CREATE TABLE user_group_members (
            id TEXT PRIMARY KEY,
            group_id TEXT NOT NULL REFERENCES user_groups(id),
            user_id TEXT NOT NULL REFERENCES users(id),
            role TEXT NOT NULL,
            created_at BIGINT NOT NULL)
        """,
        "CREATE UNIQUE INDEX user_group_members_unique ON user_group_members (group_id, user_id)",
        "CREATE INDEX user_group_members_by_user ON user_group_members (user_id)",
        // subject_id: the user or group id; the organization's own quota uses the organization id.
        """
        CREATE TABLE quotas (
            organization_id TEXT NOT NULL REFERENCES organizations(id),
            subject_kind TEXT NOT NULL,
            subject_id TEXT NOT NULL,
            max_sessions BIGINT,
            max_cpu_millicores BIGINT,
            max_memory_bytes BIGINT,
            max_storage_bytes BIGINT,
            created_at BIGINT NOT NULL,
            updated_at BIGINT NOT NULL,
            PRIMARY KEY (organization_id, subject_kind, subject_id))
        """,
    ])
}
