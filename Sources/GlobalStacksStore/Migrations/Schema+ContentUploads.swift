extension Schema {
    /// Content belongs to the tenants that uploaded it: one row per tenant and digest (the bytes are stored once).
    /// Existing content goes to the tenants whose releases name it, when its uploader is a member of that tenant's
    /// organization; a release naming content its publisher did not upload is revoked and its installs disabled.
    /// Content no release names yet is uploaded again (uploading is idempotent).
    static let contentUploads = Migration(version: 9, name: "extension content owned by the uploading tenant", statements: [
        """
        CREATE TABLE extension_content_uploads (
            tenant_id TEXT NOT NULL REFERENCES tenants(id),
            digest TEXT NOT NULL,
            kind TEXT NOT NULL,
            byte_count BIGINT NOT NULL,
            uploaded_by TEXT NOT NULL REFERENCES users(id),
            created_at BIGINT NOT NULL,
            PRIMARY KEY (tenant_id, digest))
        """,
        """
        INSERT INTO extension_content_uploads (tenant_id, digest, kind, byte_count, uploaded_by, created_at)
        SELECT DISTINCT x.tenant_id, c.digest, c.kind, c.byte_count, c.uploaded_by, c.created_at FROM extension_content c
        JOIN extension_releases xr ON c.digest IN (xr.manifest_digest, xr.artifact_digest)
        JOIN extension_packages x ON x.id = xr.package_id JOIN tenants t ON t.id = x.tenant_id
        JOIN memberships m ON m.organization_id = t.organization_id AND m.user_id = c.uploaded_by
        """,
        .shared("""
        UPDATE integration_installs SET status = 'disabled',
            status_reason = 'Its release was revoked: it names content its publisher did not upload.'
        WHERE release_id IN (\(foreignContentReleases))
        """),
        .shared("""
        UPDATE extension_releases SET status = 'revoked', status_reason = 'It names content its publisher did not upload.'
        WHERE status NOT IN ('revoked', 'rejected') AND id IN (\(foreignContentReleases))
        """),
        "DROP TABLE extension_content",
    ])

    private static let foreignContentReleases = """
        SELECT xr.id FROM extension_releases xr JOIN extension_packages x ON x.id = xr.package_id
        WHERE NOT EXISTS (SELECT 1 FROM extension_content_uploads u WHERE u.tenant_id = x.tenant_id AND u.digest = xr.manifest_digest)
            OR NOT EXISTS (SELECT 1 FROM extension_content_uploads u WHERE u.tenant_id = x.tenant_id AND u.digest = xr.artifact_digest)
        """
}
