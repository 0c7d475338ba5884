extension Schema {
    /// Device-code sign-in with OpenID providers: sign-ins under way (the client's secret as a hash, the provider's
    /// device code sealed), and which provider subject is which account.
    static let deviceLogins = Migration(version: 8, name: "oidc device logins and external identities", statements: [
        """
        CREATE TABLE device_logins (
            id TEXT PRIMARY KEY,
            token_hash TEXT NOT NULL UNIQUE,
            provider TEXT NOT NULL,
            sealed_device_code TEXT NOT NULL,
            user_code TEXT NOT NULL,
            verification_uri TEXT NOT NULL,
            verification_uri_complete TEXT,
            expires_at BIGINT NOT NULL,
            interval_seconds INTEGER NOT NULL,
            next_poll_at BIGINT NOT NULL,
            status TEXT NOT NULL,
            message TEXT,
            user_id TEXT REFERENCES users(id),
            consumed_at BIGINT,
            created_at BIGINT NOT NULL)
        """,
        "CREATE INDEX device_logins_by_expiry ON device_logins (expires_at)",
        """
        CREATE TABLE user_identities (
            provider TEXT NOT NULL,
            subject TEXT NOT NULL,
            user_id TEXT NOT NULL REFERENCES users(id),
            created_at BIGINT NOT NULL,
            PRIMARY KEY (provider, subject))
        """,
    ])
}
