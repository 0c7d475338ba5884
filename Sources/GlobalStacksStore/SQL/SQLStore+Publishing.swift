import Foundation
import GlobalStacksDomain
import SQLKit

extension SQLStore: PublishingRepository {
    /// Developer apps of the scope's tenant, while that tenant is in the scope's organization.
    func ownedApps(_ scope: TenantScope) -> SQLQueryString {
        """
        d.tenant_id = \(bind: scope.tenantID.rawValue)
            AND d.tenant_id IN (SELECT id FROM tenants WHERE organization_id = \(bind: scope.organizationID.rawValue))
        """
    }

    public func recordContent(_ digest: ContentDigest, kind: ContentKind, byteCount: Int, _ scope: TenantScope, by user: UserID, at now: Date) async throws {
        try await engine.transaction { database in
            try await database.raw("""
                INSERT INTO extension_content_uploads (tenant_id, digest, kind, byte_count, uploaded_by, created_at)
                SELECT id, \(bind: digest.rawValue), \(bind: kind.rawValue), \(bind: byteCount), \(bind: user.rawValue), \(bind: now.storedMilliseconds)
                FROM tenants WHERE id = \(bind: scope.tenantID.rawValue) AND organization_id = \(bind: scope.organizationID.rawValue)
                ON CONFLICT (tenant_id, digest) DO NOTHING
                """).run()
        }
    }

    public func contentKind(_ digest: ContentDigest, _ scope: TenantScope) async throws -> ContentKind? {
        try await engine.read { database in
            try await self.uploadedKind(digest, scope, database)
        }
    }

    public func uploadedBytes(kind: ContentKind, _ scope: TenantScope) async throws -> Int64 {
        try await engine.read { database in
            try await database.raw("""
                SELECT CAST(COALESCE(SUM(u.byte_count), 0) AS BIGINT) AS n FROM extension_content_uploads u JOIN tenants t ON t.id = u.tenant_id
                WHERE u.kind = \(bind: kind.rawValue) AND u.tenant_id = \(bind: scope.tenantID.rawValue)
                    AND t.organization_id = \(bind: scope.organizationID.rawValue)
                """).first()?.decode(column: "n", as: Int64.self) ?? 0
        }
    }

    /// The kind of content the scope's tenant uploaded under `digest`; nil for content only other tenants uploaded.
    private func uploadedKind(_ digest: ContentDigest, _ scope: TenantScope, _ database: any SQLDatabase) async throws -> ContentKind? {
        try await database.raw("""
            SELECT u.kind FROM extension_content_uploads u JOIN tenants t ON t.id = u.tenant_id
            WHERE u.digest = \(bind: digest.rawValue) AND u.tenant_id = \(bind: scope.tenantID.rawValue)
                AND t.organization_id = \(bind: scope.organizationID.rawValue)
            """).first().map { try $0.enumValue("kind") }
    }

    public func createDeveloperApp(_ app: NewDeveloperApp, _ scope: TenantScope, by user: UserID, at now: Date) async throws -> DeveloperApp {
        let id = DeveloperAppID.generate()
        return try await engine.transaction { database in
            try await database.raw("""
                INSERT INTO developer_apps (id, tenant_id, name, publisher_name, publisher_url, support_url, terms_url, privacy_url, status,
                    created_by, created_at, updated_at)
                VALUES (\(bind: id.rawValue), \(bind: scope.tenantID.rawValue), \(bind: app.name), \(bind: app.publisherName),
                    \(bind: app.publisherURL), \(bind: app.supportURL), \(bind: app.termsURL), \(bind: app.privacyURL), 'active',
                    \(bind: user.rawValue), \(bind: now.storedMilliseconds), \(bind: now.storedMilliseconds))
                """).run()
            // Read back on the writer: a reader may still be on an older snapshot.
            guard let created = try await database.raw("""
                SELECT \(unsafeRaw: Columns.developerApp) FROM developer_apps d WHERE d.id = \(bind: id.rawValue)
                """).first()?.developerApp()
            else { throw StoreError.corruptRow("developer_apps \(id) vanished after insert") }
            return created
        }
    }

    public func developerApps(_ scope: TenantScope) async throws -> [DeveloperApp] {
        try await engine.read { database in
            try await database.raw("""
                SELECT \(unsafeRaw: Columns.developerApp) FROM developer_apps d WHERE \(self.ownedApps(scope))
                ORDER BY d.created_at, d.id LIMIT 1000
                """).all().map { try $0.developerApp() }
        }
    }

    public func developerApp(id: DeveloperAppID, _ scope: TenantScope) async throws -> DeveloperApp? {
        try await engine.read { database in
            try await database.raw("""
                SELECT \(unsafeRaw: Columns.developerApp) FROM developer_apps d WHERE d.id = \(bind: id.rawValue) AND \(self.ownedApps(scope))
                """).first()?.developerApp()
        }
    }

    public func registerPublisherKey(appID: DeveloperAppID, name: String, publicKey: Data, _ scope: TenantScope, by user: UserID, at now: Date) async throws -> PublisherKey {
        let key = PublisherKey(id: .generate(), developerAppID: appID, name: name, publicKey: publicKey, createdAt: now.truncatedToStoredPrecision,
                               revokedAt: nil, revokedReason: nil)
        try await engine.transaction { database in
            try await self.requireApp(appID, scope, database)
            try await self.uniquely("This public key is already registered for the developer app.") {
                try await database.raw("""
                    INSERT INTO publisher_keys (id, developer_app_id, name, public_key, created_at)
                    VALUES (\(bind: key.id.rawValue), \(bind: appID.rawValue), \(bind: name), \(bind: publicKey.base64EncodedString()),
                        \(bind: now.storedMilliseconds))
                    """).run()
            }
        }
        return key
    }

    public func publisherKeys(appID: DeveloperAppID, _ scope: TenantScope) async throws -> [PublisherKey] {
        try await engine.read { database in
            try await database.raw("""
                SELECT \(unsafeRaw: Columns.publisherKey) FROM publisher_keys pk JOIN developer_apps d ON d.id = pk.developer_app_id
                WHERE pk.developer_app_id = \(bind: appID.rawValue) AND \(self.ownedApps(scope)) ORDER BY pk.created_at, pk.id
                """).all().map { try $0.publisherKey() }
        }
    }

    public func revokePublisherKey(appID: DeveloperAppID, keyID: PublisherKeyID, reason: String, _ scope: TenantScope, by user: UserID, at now: Date) async throws -> PublisherKey {
        try await engine.transaction { database in
            guard var key = try await database.raw("""
                SELECT \(unsafeRaw: Columns.publisherKey) FROM publisher_keys pk JOIN developer_apps d ON d.id = pk.developer_app_id
                WHERE pk.id = \(bind: keyID.rawValue) AND pk.developer_app_id = \(bind: appID.rawValue) AND \(self.ownedApps(scope))
                """).first()?.publisherKey()
            else { throw DomainError.notFound("No publisher key \(keyID) in developer app \(appID).") }
            guard key.revokedAt == nil else { return key }
            key.revokedAt = now.truncatedToStoredPrecision
            key.revokedReason = reason
            try await database.raw("""
                UPDATE publisher_keys SET revoked_at = \(bind: now.storedMilliseconds), revoked_reason = \(bind: reason)
                WHERE id = \(bind: keyID.rawValue)
                """).run()
            let why = "The publisher key that signed this release was revoked: \(reason)"
            try await database.raw("""
                UPDATE integration_installs SET status = 'unsupported', status_reason = \(bind: why), updated_at = \(bind: now.storedMilliseconds)
                WHERE release_id IN (SELECT id FROM extension_releases WHERE signing_key_id = \(bind: keyID.rawValue))
                    AND status <> 'disabled'
                """).run()
            let keys = try await database.raw("""
                SELECT DISTINCT x.extension_key FROM extension_releases xr JOIN extension_packages x ON x.id = xr.package_id
                WHERE xr.signing_key_id = \(bind: keyID.rawValue)
                """).all().map { try $0.string("extension_key") }
            for extensionKey in keys {
                try await self.audit(.keyRevoked, key: extensionKey, tenant: scope.tenantID, by: user,
                                     ["keyId": .string(keyID.rawValue), "reason": .string(reason)], at: now, database)
            }
            return key
        }
    }

    public func createExtensionPackage(appID: DeveloperAppID, _ package: NewExtensionPackage, _ scope: TenantScope, by user: UserID, at now: Date) async throws -> ExtensionPackage {
        let id = ExtensionPackageID.generate()
        return try await engine.transaction { database in
            try await self.requireApp(appID, scope, database)
            try await self.uniquely("The extension key '\(package.extensionKey)' is taken; extension keys are unique across the installation.") {
                try await database.raw("""
                    INSERT INTO extension_packages (id, developer_app_id, tenant_id, extension_key, name, description, category, tags, status,
                        created_at, updated_at)
                    VALUES (\(bind: id.rawValue), \(bind: appID.rawValue), \(bind: scope.tenantID.rawValue), \(bind: package.extensionKey.rawValue),
                        \(bind: package.name), \(bind: package.description), \(bind: package.category), \(bind: JSONColumn.encode(package.tags)),
                        'active', \(bind: now.storedMilliseconds), \(bind: now.storedMilliseconds))
                    """).run()
            }
            try await self.audit(.packageCreated, key: package.extensionKey.rawValue, tenant: scope.tenantID, by: user,
                                 ["name": .string(package.name)], at: now, database)
            guard let created = try await database.raw("""
                SELECT \(unsafeRaw: Columns.extensionPackage) FROM extension_packages x WHERE x.id = \(bind: id.rawValue)
                """).first()?.extensionPackage()
            else { throw StoreError.corruptRow("extension_packages \(id) vanished after insert") }
            return created
        }
    }

    public func extensionPackages(appID: DeveloperAppID, _ scope: TenantScope) async throws -> [ExtensionPackage] {
        try await engine.read { database in
            try await database.raw("""
                SELECT \(unsafeRaw: Columns.extensionPackage) FROM extension_packages x JOIN developer_apps d ON d.id = x.developer_app_id
                WHERE x.developer_app_id = \(bind: appID.rawValue) AND \(self.ownedApps(scope)) ORDER BY x.created_at, x.id LIMIT 1000
                """).all().map { try $0.extensionPackage() }
        }
    }

    public func extensionPackage(id: ExtensionPackageID, _ scope: TenantScope) async throws -> ExtensionPackage? {
        try await engine.read { database in
            try await database.raw("""
                SELECT \(unsafeRaw: Columns.extensionPackage) FROM extension_packages x JOIN developer_apps d ON d.id = x.developer_app_id
                WHERE x.id = \(bind: id.rawValue) AND \(self.ownedApps(scope))
                """).first()?.extensionPackage()
        }
    }

    public func registerReleaseSignature(packageID: ExtensionPackageID, manifest: ContentDigest, artifact: ContentDigest, keyID: PublisherKeyID,
                                         signature: Data, _ scope: TenantScope, at now: Date) async throws {
        try await engine.transaction { database in
            guard try await database.raw("""
                SELECT x.id FROM extension_packages x JOIN developer_apps d ON d.id = x.developer_app_id
                WHERE x.id = \(bind: packageID.rawValue) AND \(self.ownedApps(scope))
                """).first() != nil else { throw DomainError.notFound("No extension package \(packageID) in the active tenant.") }
            try await database.raw("""
                INSERT INTO extension_release_signatures (package_id, manifest_digest, artifact_digest, key_id, signature, created_at)
                VALUES (\(bind: packageID.rawValue), \(bind: manifest.rawValue), \(bind: artifact.rawValue), \(bind: keyID.rawValue),
                    \(bind: signature.base64EncodedString()), \(bind: now.storedMilliseconds))
                ON CONFLICT (package_id, manifest_digest, artifact_digest)
                DO UPDATE SET key_id = excluded.key_id, signature = excluded.signature, created_at = excluded.created_at
                """).run()
        }
    }

    public func releaseSignature(packageID: ExtensionPackageID, manifest: ContentDigest, artifact: ContentDigest, _ scope: TenantScope) async throws -> ReleaseSignature? {
        try await engine.read { database in
            guard let row = try await database.raw("""
                SELECT \(unsafeRaw: Columns.publisherKey), s.signature AS s_signature FROM extension_release_signatures s
                JOIN publisher_keys pk ON pk.id = s.key_id JOIN extension_packages x ON x.id = s.package_id
                JOIN developer_apps d ON d.id = x.developer_app_id
                WHERE s.package_id = \(bind: packageID.rawValue) AND s.manifest_digest = \(bind: manifest.rawValue)
                    AND s.artifact_digest = \(bind: artifact.rawValue) AND \(self.ownedApps(scope))
                """).first() else { return nil }
            guard let signature = Data(base64Encoded: try row.string("s_signature")) else { throw StoreError.corruptRow("extension_release_signatures.signature") }
            return ReleaseSignature(key: try row.publisherKey(), signature: signature)
        }
    }

    public func createExtensionRelease(_ release: NewExtensionRelease, _ scope: TenantScope, by user: UserID, at now: Date) async throws -> ExtensionRelease {
        let id = ExtensionReleaseID.generate()
        let manifest = release.manifest
        let searchText = ([manifest.name, manifest.description, manifest.key.rawValue, manifest.publisher] + manifest.tags).joined(separator: " ").lowercased()
        return try await engine.transaction { database in
            guard let package = try await database.raw("""
                SELECT \(unsafeRaw: Columns.extensionPackage) FROM extension_packages x JOIN developer_apps d ON d.id = x.developer_app_id
                WHERE x.id = \(bind: release.packageID.rawValue) AND \(self.ownedApps(scope))\(unsafeRaw: self.engine.rowLockClause)
                """).first()?.extensionPackage()
            else { throw DomainError.notFound("No extension package \(release.packageID) in the active tenant.") }
            guard package.extensionKey == manifest.key else {
                throw DomainError.invalidInput("The manifest's key '\(manifest.key)' is not this package's extension key '\(package.extensionKey)'.")
            }
            // A release names only content its publisher's tenant uploaded: a digest alone opens no other tenant's bytes.
            for (field, digest, kind) in [("manifestDigest", release.manifestDigest, ContentKind.manifest), ("artifactDigest", release.artifactDigest, .artifact)] {
                guard try await self.uploadedKind(digest, scope, database) == kind else {
                    throw DomainError.invalidInput("\(field) \(digest) names no \(kind.rawValue) uploaded by this tenant; upload it first with PUT /v1/extension-content/{digest}?kind=\(kind.rawValue).")
                }
            }
            try await self.uniquely("Version \(manifest.version) of '\(package.extensionKey)' exists; versions are unique per package.") {
                try await database.raw("""
                    INSERT INTO extension_releases (id, package_id, version, manifest_digest, artifact_digest, manifest, signing_key_id, signature,
                        status, visibility, findings, search_text, created_at, updated_at)
                    VALUES (\(bind: id.rawValue), \(bind: package.id.rawValue), \(bind: manifest.version.description),
                        \(bind: release.manifestDigest.rawValue), \(bind: release.artifactDigest.rawValue), \(bind: release.manifestText),
                        \(bind: release.signingKeyID.rawValue), \(bind: release.signature.base64EncodedString()), 'draft', 'private', '[]',
                        \(bind: searchText), \(bind: now.storedMilliseconds), \(bind: now.storedMilliseconds))
                    """).run()
            }
            try await self.audit(.releaseCreated, key: package.extensionKey.rawValue, tenant: scope.tenantID, by: user,
                                 ["version": .string(manifest.version.description), "manifestDigest": .string(release.manifestDigest.rawValue),
                                  "artifactDigest": .string(release.artifactDigest.rawValue)], at: now, database)
            guard let created = try await database.raw("""
                SELECT \(unsafeRaw: Columns.extensionRelease) FROM extension_releases xr WHERE xr.id = \(bind: id.rawValue)
                """).first()?.extensionRelease()
            else { throw StoreError.corruptRow("extension_releases \(id) vanished after insert") }
            return created
        }
    }

    public func extensionReleases(packageID: ExtensionPackageID, _ scope: TenantScope) async throws -> [ExtensionRelease] {
        try await engine.read { database in
            try await database.raw("""
                SELECT \(unsafeRaw: Columns.extensionRelease) FROM extension_releases xr
                JOIN extension_packages x ON x.id = xr.package_id JOIN developer_apps d ON d.id = x.developer_app_id
                WHERE xr.package_id = \(bind: packageID.rawValue) AND \(self.ownedApps(scope)) ORDER BY xr.created_at, xr.id LIMIT 1000
                """).all().map { try $0.extensionRelease() }
        }
    }

    public func publishedRelease(id: ExtensionReleaseID, _ scope: TenantScope) async throws -> ListedRelease? {
        try await engine.read { database in
            try await database.raw("""
                SELECT \(unsafeRaw: Columns.listedRelease) FROM extension_releases xr \(unsafeRaw: Columns.listedJoins)
                WHERE xr.id = \(bind: id.rawValue) AND \(self.ownedApps(scope))
                """).first()?.listedRelease()
        }
    }

    public func movePublishedRelease(id: ExtensionReleaseID, _ move: ReleaseMove, _ scope: TenantScope, by user: UserID, at now: Date) async throws -> ExtensionRelease {
        try await moveRelease(id: id, move, by: .publisher(scope), user, at: now)
    }

    public func setReleaseAllowlist(id: ExtensionReleaseID, tenants: [TenantID], _ scope: TenantScope, by user: UserID, at now: Date) async throws -> [TenantID] {
        try await engine.transaction { database in
            guard let listed = try await database.raw("""
                SELECT \(unsafeRaw: Columns.listedRelease) FROM extension_releases xr \(unsafeRaw: Columns.listedJoins)
                WHERE xr.id = \(bind: id.rawValue) AND \(self.ownedApps(scope))\(unsafeRaw: self.engine.rowLockClause)
                """).first()?.listedRelease()
            else { throw DomainError.notFound("No extension release \(id) in the active tenant.") }
            // Only tenants that exist are listed; an unknown id is refused without saying whose it could be.
            for tenant in Set(tenants) {
                guard try await database.raw("SELECT id FROM tenants WHERE id = \(bind: tenant.rawValue)").first() != nil else {
                    throw DomainError.invalidInput("tenantIds: no tenant \(tenant).")
                }
            }
            try await database.raw("DELETE FROM extension_release_allowlist WHERE release_id = \(bind: id.rawValue)").run()
            for tenant in Set(tenants) {
                try await database.raw("""
                    INSERT INTO extension_release_allowlist (release_id, tenant_id) VALUES (\(bind: id.rawValue), \(bind: tenant.rawValue))
                    """).run()
            }
            try await self.audit(.allowlistChanged, key: listed.package.extensionKey.rawValue, tenant: scope.tenantID, by: user,
                                 ["version": .string(listed.release.version.description), "tenants": .number(Double(Set(tenants).count))],
                                 at: now, database)
            return Set(tenants).sorted { $0.rawValue < $1.rawValue }
        }
    }

    public func releaseAllowlist(id: ExtensionReleaseID, _ scope: TenantScope) async throws -> [TenantID] {
        try await engine.read { database in
            try await database.raw("""
                SELECT a.tenant_id FROM extension_release_allowlist a JOIN extension_releases xr ON xr.id = a.release_id
                JOIN extension_packages x ON x.id = xr.package_id JOIN developer_apps d ON d.id = x.developer_app_id
                WHERE a.release_id = \(bind: id.rawValue) AND \(self.ownedApps(scope)) ORDER BY a.tenant_id
                """).all().map { try $0.identifier("tenant_id") }
        }
    }

    public func packageAudit(packageID: ExtensionPackageID, _ scope: TenantScope) async throws -> [MarketplaceAuditEvent] {
        try await engine.read { database in
            try await database.raw("""
                SELECT e.id, e.action, e.actor_id, e.extension_key, e.tenant_id, e.detail, e.created_at FROM marketplace_audit e
                JOIN extension_packages x ON x.extension_key = e.extension_key JOIN developer_apps d ON d.id = x.developer_app_id
                WHERE x.id = \(bind: packageID.rawValue) AND \(self.ownedApps(scope))
                    AND (e.tenant_id IS NULL OR e.tenant_id = x.tenant_id OR e.action NOT LIKE 'install.%')
                ORDER BY e.id DESC LIMIT 500
                """).all().map { try $0.auditEvent() }
        }
    }

    private func requireApp(_ appID: DeveloperAppID, _ scope: TenantScope, _ database: any SQLDatabase) async throws {
        guard try await database.raw("""
            SELECT d.id FROM developer_apps d WHERE d.id = \(bind: appID.rawValue) AND \(ownedApps(scope))
            """).first() != nil
        else { throw DomainError.notFound("No developer app \(appID) in the active tenant.") }
    }

    func audit(_ action: MarketplaceAuditEvent.Action, key: String, tenant: TenantID?, by user: UserID, _ detail: [String: JSONValue],
               at now: Date, _ database: any SQLDatabase) async throws {
        try await database.raw("""
            INSERT INTO marketplace_audit (action, actor_id, extension_key, tenant_id, detail, created_at)
            VALUES (\(bind: action.rawValue), \(bind: user.rawValue), \(bind: key), \(bind: tenant?.rawValue),
                \(bind: JSONColumn.encode(detail)), \(bind: now.storedMilliseconds))
            """).run()
    }
}
