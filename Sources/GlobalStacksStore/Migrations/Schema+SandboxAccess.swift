extension Schema {
    /// Sandboxes with a lifetime, public ports, and the access tokens that reach one sandbox only (the E2B-compatible
    /// API's `envdAccessToken`, ports).
    static let sandboxAccess = Migration(version: 12, name: "sandbox lifetime and access tokens", statements: [
        "ALTER TABLE sandboxes ADD COLUMN lifetime_seconds INTEGER",
        "ALTER TABLE sandboxes ADD COLUMN expires_at BIGINT",
        "ALTER TABLE sandboxes ADD COLUMN public_ports INTEGER NOT NULL DEFAULT 0",
        "CREATE INDEX sandboxes_by_expiry ON sandboxes (expires_at) WHERE expires_at IS NOT NULL",
        "ALTER TABLE credentials ADD COLUMN sandbox_id TEXT",
    ])
}
