extension Schema {
    /// The extension marketplace: uploaded content, developer apps and their signing keys, packages and releases with
    /// their review state and visibility, installs with consent and sealed secrets, operator policy, and the audit.
    static let marketplace = Migration(version: 6, name: "extension marketplace", statements: [
        """
        CREATE TABLE extension_content (
            digest TEXT PRIMARY KEY,
            kind TEXT NOT NULL,
            byte_count BIGINT NOT NULL,
            uploaded_by TEXT NOT NULL REFERENCES users(id),
            created_at BIGINT NOT NULL)
        """,
        """
        CREATE TABLE developer_apps (
            id TEXT PRIMARY KEY,
            tenant_id TEXT NOT NULL REFERENCES tenants(id),
            name TEXT NOT NULL,
            publisher_name TEXT NOT NULL,
            publisher_url TEXT,
            support_url TEXT NOT NULL,
            terms_url TEXT NOT NULL,
            privacy_url TEXT NOT NULL,
            status TEXT NOT NULL,
            created_by TEXT NOT NULL REFERENCES users(id),
            created_at BIGINT NOT NULL,
            updated_at BIGINT NOT NULL)
        """,
        "CREATE INDEX developer_apps_by_tenant ON developer_apps (tenant_id, created_at)",
        """
        CREATE TABLE publisher_keys (
            id TEXT PRIMARY KEY,
            developer_app_id TEXT NOT NULL REFERENCES developer_apps(id),
            name TEXT NOT NULL,
            public_key TEXT NOT NULL,
            created_at BIGINT NOT NULL,
            revoked_at BIGINT,
            revoked_reason TEXT,
            UNIQUE (developer_app_id, public_key))
        """,
        """
        CREATE TABLE extension_packages (
            id TEXT PRIMARY KEY,
            developer_app_id TEXT NOT NULL REFERENCES developer_apps(id),
            tenant_id TEXT NOT NULL REFERENCES tenants(id),
            extension_key TEXT NOT NULL UNIQUE,
            name TEXT NOT NULL,
            description TEXT,
            category TEXT,
            tags TEXT NOT NULL,
            status TEXT NOT NULL,
            created_at BIGINT NOT NULL,
            updated_at BIGINT NOT NULL)
        """,
        "CREATE INDEX extension_packages_by_app ON extension_packages (developer_app_id, created_at)",
        // A signature registered for a pair of digests, verified when registered; a release is created against it.
        """
        CREATE TABLE extension_release_signatures (
            package_id TEXT NOT NULL REFERENCES extension_packages(id),
            manifest_digest TEXT NOT NULL,
            artifact_digest TEXT NOT NULL,
            key_id TEXT NOT NULL REFERENCES publisher_keys(id),
            signature TEXT NOT NULL,
            created_at BIGINT NOT NULL,
            PRIMARY KEY (package_id, manifest_digest, artifact_digest))
        """,
        """
        CREATE TABLE extension_releases (
            id TEXT PRIMARY KEY,
            package_id TEXT NOT NULL REFERENCES extension_packages(id),
            version TEXT NOT NULL,
            manifest_digest TEXT NOT NULL,
            artifact_digest TEXT NOT NULL,
            manifest TEXT NOT NULL,
            signing_key_id TEXT NOT NULL REFERENCES publisher_keys(id),
            signature TEXT NOT NULL,
            status TEXT NOT NULL,
            status_reason TEXT,
            visibility TEXT NOT NULL,
            findings TEXT NOT NULL,
            search_text TEXT NOT NULL,
            created_at BIGINT NOT NULL,
            updated_at BIGINT NOT NULL,
            submitted_at BIGINT,
            reviewed_at BIGINT,
            published_at BIGINT,
            UNIQUE (package_id, version))
        """,
        "CREATE INDEX extension_releases_by_status ON extension_releases (status, visibility)",
        "CREATE INDEX extension_releases_by_key ON extension_releases (signing_key_id)",
        """
        CREATE TABLE extension_release_allowlist (
            release_id TEXT NOT NULL REFERENCES extension_releases(id),
            tenant_id TEXT NOT NULL REFERENCES tenants(id),
            PRIMARY KEY (release_id, tenant_id))
        """,
        "CREATE INDEX extension_release_allowlist_by_tenant ON extension_release_allowlist (tenant_id)",
        """
        CREATE TABLE extension_beta_opt_ins (
            tenant_id TEXT NOT NULL REFERENCES tenants(id),
            extension_key TEXT NOT NULL,
            created_at BIGINT NOT NULL,
            PRIMARY KEY (tenant_id, extension_key))
        """,
        """
        CREATE TABLE extension_policies (
            extension_key TEXT PRIMARY KEY,
            settings TEXT NOT NULL,
            updated_by TEXT NOT NULL REFERENCES users(id),
            updated_at BIGINT NOT NULL)
        """,
        """
        CREATE TABLE integration_installs (
            id TEXT PRIMARY KEY,
            tenant_id TEXT NOT NULL REFERENCES tenants(id),
            package_id TEXT NOT NULL REFERENCES extension_packages(id),
            extension_key TEXT NOT NULL,
            release_id TEXT NOT NULL REFERENCES extension_releases(id),
            status TEXT NOT NULL,
            status_reason TEXT,
            consented_manifest_digest TEXT NOT NULL,
            consented_artifact_digest TEXT NOT NULL,
            consented_permissions TEXT NOT NULL,
            consented_egress TEXT NOT NULL,
            settings TEXT NOT NULL,
            sealed_secrets TEXT,
            secret_keys TEXT NOT NULL,
            installed_by TEXT NOT NULL REFERENCES users(id),
            created_at BIGINT NOT NULL,
            updated_at BIGINT NOT NULL,
            UNIQUE (tenant_id, package_id))
        """,
        "CREATE INDEX integration_installs_by_release ON integration_installs (release_id)",
        .perEngine(
            sqlite: """
                CREATE TABLE marketplace_audit (
                    id INTEGER PRIMARY KEY AUTOINCREMENT,
                    action TEXT NOT NULL,
                    actor_id TEXT NOT NULL REFERENCES users(id),
                    extension_key TEXT NOT NULL,
                    tenant_id TEXT,
                    detail TEXT NOT NULL,
                    created_at BIGINT NOT NULL)
                """,
            postgresql: """
                CREATE TABLE marketplace_audit (
                    id BIGINT GENERATED BY DEFAULT AS IDENTITY PRIMARY KEY,
                    action TEXT NOT NULL,
                    actor_id TEXT NOT NULL REFERENCES users(id),
                    extension_key TEXT NOT NULL,
                    tenant_id TEXT,
                    detail TEXT NOT NULL,
                    created_at BIGINT NOT NULL)
                """),
        "CREATE INDEX marketplace_audit_by_key ON marketplace_audit (extension_key, id)",
    ])
}
