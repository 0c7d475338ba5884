/// The schema, one migration per change. Append new migrations; never edit an applied one.
/// Times are milliseconds since 1970 (BIGINT) and flags are nullable timestamps, so both engines store the same values.
enum Schema {
    static let migrations: [Migration] = [
        Migration(version: 1, name: "identity, organizations, tenants, clusters", statements: [
            """
            CREATE TABLE users (
                id TEXT PRIMARY KEY,
                email TEXT NOT NULL UNIQUE,
                display_name TEXT NOT NULL,
                password_hash TEXT NOT NULL,
                site_role TEXT NOT NULL,
                personal_organization_id TEXT NOT NULL,
                deactivated_at BIGINT,
                created_at BIGINT NOT NULL,
                updated_at BIGINT NOT NULL)
            """,
            """
            CREATE TABLE organizations (
                id TEXT PRIMARY KEY,
                name TEXT NOT NULL,
                slug TEXT NOT NULL UNIQUE,
                kind TEXT NOT NULL,
                created_at BIGINT NOT NULL,
                updated_at BIGINT NOT NULL)
            """,
            """
            CREATE TABLE memberships (
                organization_id TEXT NOT NULL REFERENCES organizations(id),
                user_id TEXT NOT NULL REFERENCES users(id),
                role TEXT NOT NULL,
                status TEXT NOT NULL,
                created_at BIGINT NOT NULL,
                updated_at BIGINT NOT NULL,
                PRIMARY KEY (organization_id, user_id))
            """,
            "CREATE INDEX memberships_by_user ON memberships (user_id, status)",
            """
            CREATE TABLE invitations (
                id TEXT PRIMARY KEY,
                organization_id TEXT NOT NULL REFERENCES organizations(id),
                email TEXT NOT NULL,
                role TEXT NOT NULL,
                status TEXT NOT NULL,
                token_hash TEXT NOT NULL UNIQUE,
                token_prefix TEXT NOT NULL,
                invited_by TEXT NOT NULL REFERENCES users(id),
                accepted_by TEXT REFERENCES users(id),
                expires_at BIGINT NOT NULL,
                created_at BIGINT NOT NULL,
                updated_at BIGINT NOT NULL)
            """,
            // At most one pending invitation per address and organization, enforced by the database.
            "CREATE UNIQUE INDEX invitations_one_pending ON invitations (organization_id, email) WHERE status = 'pending'",
            """
            CREATE TABLE tenants (
                id TEXT PRIMARY KEY,
                organization_id TEXT NOT NULL REFERENCES organizations(id),
                name TEXT NOT NULL,
                slug TEXT NOT NULL,
                description TEXT,
                external_id TEXT NOT NULL UNIQUE,
                status TEXT NOT NULL,
                created_at BIGINT NOT NULL,
                updated_at BIGINT NOT NULL,
                UNIQUE (organization_id, slug))
            """,
            """
            CREATE TABLE clusters (
                id TEXT PRIMARY KEY,
                tenant_id TEXT REFERENCES tenants(id),
                name TEXT NOT NULL,
                slug TEXT NOT NULL,
                ownership TEXT NOT NULL,
                provider TEXT NOT NULL,
                status TEXT NOT NULL,
                metadata TEXT NOT NULL,
                created_at BIGINT NOT NULL,
                updated_at BIGINT NOT NULL)
            """,
            // Slugs are unique per owning tenant; managed clusters (no tenant) share one namespace.
            "CREATE UNIQUE INDEX clusters_slug ON clusters (COALESCE(tenant_id, ''), slug)",
            """
            CREATE TABLE credentials (
                id TEXT PRIMARY KEY,
                kind TEXT NOT NULL,
                user_id TEXT NOT NULL REFERENCES users(id),
                token_hash TEXT NOT NULL UNIQUE,
                token_prefix TEXT NOT NULL,
                name TEXT,
                active_organization_id TEXT,
                active_tenant_id TEXT,
                created_at BIGINT NOT NULL,
                last_used_at BIGINT NOT NULL,
                expires_at BIGINT,
                revoked_at BIGINT)
            """,
            "CREATE INDEX credentials_by_user ON credentials (user_id, kind)",
            // The tenant a credential last used in each organization, restored when it switches back.
            """
            CREATE TABLE remembered_tenants (
                credential_id TEXT NOT NULL REFERENCES credentials(id),
                organization_id TEXT NOT NULL,
                tenant_id TEXT NOT NULL,
                PRIMARY KEY (credential_id, organization_id))
            """,
            // The one-time token that creates the first admin on an empty installation (one row at most).
            """
            CREATE TABLE setup_tokens (
                id INTEGER PRIMARY KEY CHECK (id = 1),
                token_hash TEXT NOT NULL,
                created_at BIGINT NOT NULL)
            """,
        ]),
        operationRuns,
        agents,
        sandboxes,
        execHistory,
        marketplace,
        invocationCredentials,
        deviceLogins,
        contentUploads,
        dataPlane,
        shellContext,
        sandboxAccess,
        templates,
    ]
}
