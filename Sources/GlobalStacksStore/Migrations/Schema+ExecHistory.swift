extension Schema {
    /// The history of exec calls per sandbox (who, argv, when, how it ended), and where each agent's connection is
    /// held (so that a replica without it relays workspace requests to the one with it).
    static let execHistory = Migration(version: 5, name: "sandbox exec history and agent relay addresses", statements: [
        "ALTER TABLE agents ADD COLUMN relay_url TEXT",
        """
        CREATE TABLE sandbox_execs (
            id TEXT PRIMARY KEY,
            sandbox_id TEXT NOT NULL REFERENCES sandboxes(id),
            tenant_id TEXT NOT NULL,
            organization_id TEXT NOT NULL,
            user_id TEXT NOT NULL REFERENCES users(id),
            command TEXT NOT NULL,
            working_directory TEXT,
            started_at BIGINT NOT NULL,
            ended_at BIGINT,
            exit_code INTEGER,
            signal TEXT,
            timed_out_at BIGINT,
            duration_ms BIGINT,
            error TEXT)
        """,
        "CREATE INDEX sandbox_execs_by_sandbox ON sandbox_execs (sandbox_id, started_at)",
    ])
}
