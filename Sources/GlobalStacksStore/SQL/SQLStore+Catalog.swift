import Foundation
import GlobalStacksDomain
import SQLKit

extension SQLStore: InstallRepository {
    /// The scope's tenant as a bound value, once it is checked to be in the scope's organization.
    private func tenant(_ scope: TenantScope) -> SQLQueryString {
        "(SELECT id FROM tenants WHERE id = \(bind: scope.tenantID.rawValue) AND organization_id = \(bind: scope.organizationID.rawValue))"
    }

    private func installsInScope(_ scope: TenantScope) -> SQLQueryString {
        "ii.tenant_id = \(tenant(scope))"
    }

    public func catalog(_ scope: TenantScope) async throws -> [CatalogEntry] {
        try await catalogEntries(scope, key: nil)
    }

    public func catalogEntry(key: ExtensionKey, _ scope: TenantScope) async throws -> CatalogEntry? {
        try await catalogEntries(scope, key: key).first
    }

    /// Eligible releases in one query, the newest per package chosen by semantic version, then the tenant's installs.
    private func catalogEntries(_ scope: TenantScope, key: ExtensionKey?) async throws -> [CatalogEntry] {
        try await engine.read { database in
            let keyFilter: SQLQueryString = key.map { "x.extension_key = \(bind: $0.rawValue)" } ?? "1 = 1"
            let rows = try await database.raw("""
                SELECT \(unsafeRaw: Columns.catalogRelease) FROM extension_releases xr \(unsafeRaw: Columns.listedJoins)
                WHERE \(keyFilter) AND \(self.eligible(tenant: self.tenant(scope)))
                """).all()
            // The newest version per package is chosen before anything but the version is decoded.
            var newest: [String: (version: SemanticVersion, row: any SQLRow)] = [:]
            for row in rows {
                let package = try row.string("xr_package_id")
                guard let version = SemanticVersion(try row.string("xr_version")) else { throw StoreError.corruptRow("extension_releases.version") }
                if newest[package].map({ $0.version < version }) ?? true { newest[package] = (version, row) }
            }
            // Manifests are immutable and cached by digest: their text is read only for those not parsed yet.
            let missing = try Set(newest.values.map { try $0.row.string("xr_manifest_digest") }).filter { ManifestCache.shared.cached($0) == nil }
            if !missing.isEmpty {
                for row in try await database.raw("""
                    SELECT DISTINCT manifest_digest, manifest FROM extension_releases
                    WHERE manifest_digest IN (\(binds: Array(missing)))
                    """).all() {
                    _ = try ManifestCache.shared.manifest(digest: try row.string("manifest_digest"), text: try row.string("manifest"))
                }
            }
            let listed = try newest.values.map { try $0.row.listedRelease() }
            let installFilter: SQLQueryString = key.map { "ii.extension_key = \(bind: $0.rawValue)" } ?? "1 = 1"
            let installs = try await database.raw("""
                SELECT \(unsafeRaw: Columns.install) FROM integration_installs ii JOIN extension_releases ir ON ir.id = ii.release_id
                WHERE \(self.installsInScope(scope)) AND \(installFilter)
                """).all().reduce(into: [ExtensionPackageID: ExtensionInstall]()) { byPackage, row in
                let install = try row.integrationInstall()
                byPackage[install.packageID] = install
            }
            return listed.sorted { $0.package.extensionKey.rawValue < $1.package.extensionKey.rawValue }
                .map { CatalogEntry(listed: $0, install: installs[$0.package.id]) }
        }
    }

    public func agentCapabilities(_ scope: TenantScope) async throws -> Set<String> {
        try await engine.read { database in
            try await database.raw("""
                SELECT DISTINCT a.capabilities FROM agents a JOIN clusters k ON k.id = a.cluster_id
                WHERE \(self.visibility(scope)) AND k.status = 'active' AND a.approval = 'approved' AND a.revoked_at IS NULL
                """).all().reduce(into: Set<String>()) { capabilities, row in
                capabilities.formUnion(try JSONColumn.decode([String].self, try row.string("capabilities"), column: "agents.capabilities"))
            }
        }
    }

    public func extensionPolicy(key: ExtensionKey, _ scope: TenantScope) async throws -> [String: JSONValue] {
        try await policy(key: key)
    }

    public func install(_ install: NewInstall, _ scope: TenantScope, by user: UserID, at now: Date) async throws -> InstalledExtension {
        try await engine.transaction { database in
            // The release row is locked, so a revocation cannot slip between this check and the write.
            guard let listed = try await database.raw("""
                SELECT \(unsafeRaw: Columns.listedRelease) FROM extension_releases xr \(unsafeRaw: Columns.listedJoins)
                WHERE xr.id = \(bind: install.releaseID.rawValue) AND \(self.eligible(tenant: self.tenant(scope)))\(unsafeRaw: self.engine.rowLockClause)
                """).first()?.listedRelease()
            else { throw DomainError.notFound("No extension release \(install.releaseID) is available to the active tenant.") }
            if let reason = listed.keyRevokedReason {
                throw DomainError.forbidden("Release \(listed.release.version) cannot be installed: the publisher key that signed it was revoked (\(reason)).")
            }
            let release = listed.release
            let existing = try await database.raw("""
                SELECT ii.id FROM integration_installs ii
                WHERE \(self.installsInScope(scope)) AND ii.package_id = \(bind: listed.package.id.rawValue)\(unsafeRaw: self.engine.rowLockClause)
                """).first().map { try $0.identifier("id") as ExtensionInstallID }
            let permissions = JSONColumn.encode(release.manifest.permissionNames)
            let egress = JSONColumn.encode(release.manifest.egressNames)
            if let existing {
                try await database.raw("""
                    UPDATE integration_installs SET release_id = \(bind: release.id.rawValue), status = 'installed', status_reason = NULL,
                        consented_manifest_digest = \(bind: release.manifestDigest.rawValue),
                        consented_artifact_digest = \(bind: release.artifactDigest.rawValue), consented_permissions = \(bind: permissions),
                        consented_egress = \(bind: egress), settings = \(bind: JSONColumn.encode(install.settings)),
                        sealed_secrets = \(bind: install.sealedSecrets), secret_keys = \(bind: JSONColumn.encode(install.secretKeys)),
                        updated_at = \(bind: now.storedMilliseconds)
                    WHERE id = \(bind: existing.rawValue)
                    """).run()
            } else {
                try await database.raw("""
                    INSERT INTO integration_installs (id, tenant_id, package_id, extension_key, release_id, status, consented_manifest_digest,
                        consented_artifact_digest, consented_permissions, consented_egress, settings, sealed_secrets, secret_keys, installed_by,
                        created_at, updated_at)
                    VALUES (\(bind: ExtensionInstallID.generate().rawValue), \(bind: scope.tenantID.rawValue), \(bind: listed.package.id.rawValue),
                        \(bind: listed.package.extensionKey.rawValue), \(bind: release.id.rawValue), 'installed', \(bind: release.manifestDigest.rawValue),
                        \(bind: release.artifactDigest.rawValue), \(bind: permissions), \(bind: egress), \(bind: JSONColumn.encode(install.settings)),
                        \(bind: install.sealedSecrets), \(bind: JSONColumn.encode(install.secretKeys)), \(bind: user.rawValue),
                        \(bind: now.storedMilliseconds), \(bind: now.storedMilliseconds))
                    """).run()
            }
            try await self.audit(existing == nil ? .installed : .consented, key: listed.package.extensionKey.rawValue, tenant: scope.tenantID,
                                 by: user, [
                                     "version": .string(release.version.description), "manifestDigest": .string(release.manifestDigest.rawValue),
                                     "artifactDigest": .string(release.artifactDigest.rawValue),
                                     "permissions": .array(release.manifest.permissionNames.map(JSONValue.string)),
                                     "egress": .array(release.manifest.egressNames.map(JSONValue.string)),
                                     "settings": .array((install.settings.keys + install.secretKeys).sorted().map(JSONValue.string)),
                                 ], at: now, database)
            guard let installed = try await self.installed(key: listed.package.extensionKey, scope, database) else {
                throw StoreError.corruptRow("integration_installs for \(listed.package.extensionKey) vanished")
            }
            return installed
        }
    }

    public func installs(_ scope: TenantScope) async throws -> [InstalledExtension] {
        try await engine.read { database in
            try await self.installedRows(scope, key: nil, database)
        }
    }

    public func install(key: ExtensionKey, _ scope: TenantScope) async throws -> InstalledExtension? {
        try await engine.read { database in
            try await self.installed(key: key, scope, database)
        }
    }

    public func sealedSecrets(key: ExtensionKey, _ scope: TenantScope) async throws -> String? {
        try await engine.read { database in
            try await database.raw("""
                SELECT ii.sealed_secrets FROM integration_installs ii WHERE \(self.installsInScope(scope)) AND ii.extension_key = \(bind: key.rawValue)
                """).first()?.optionalString("sealed_secrets")
        }
    }

    public func installSigningKey(key: ExtensionKey, _ scope: TenantScope) async throws -> PublisherKey? {
        try await engine.read { database in
            try await database.raw("""
                SELECT \(unsafeRaw: Columns.publisherKey) FROM integration_installs ii
                JOIN extension_releases xr ON xr.id = ii.release_id JOIN publisher_keys pk ON pk.id = xr.signing_key_id
                WHERE \(self.installsInScope(scope)) AND ii.extension_key = \(bind: key.rawValue)
                """).first()?.publisherKey()
        }
    }

    public func updateInstallSettings(key: ExtensionKey, _ update: InstallSettingsUpdate, _ scope: TenantScope, by user: UserID, at now: Date) async throws -> InstalledExtension {
        try await engine.transaction { database in
            guard try await database.raw("""
                SELECT ii.id FROM integration_installs ii
                WHERE \(self.installsInScope(scope)) AND ii.extension_key = \(bind: key.rawValue)\(unsafeRaw: self.engine.rowLockClause)
                """).first() != nil
            else { throw DomainError.notFound("'\(key)' is not installed in the active tenant.") }
            try await database.raw("""
                UPDATE integration_installs SET settings = \(bind: JSONColumn.encode(update.settings)), sealed_secrets = \(bind: update.sealedSecrets),
                    secret_keys = \(bind: JSONColumn.encode(update.secretKeys)), updated_at = \(bind: now.storedMilliseconds)
                WHERE tenant_id = \(bind: scope.tenantID.rawValue) AND extension_key = \(bind: key.rawValue)
                """).run()
            try await self.audit(.settingsChanged, key: key.rawValue, tenant: scope.tenantID, by: user, [
                "changed": .array(update.change.changedKeys.map(JSONValue.string)),
                "requiresReconcile": .array(update.change.reconcileKeys.map(JSONValue.string)),
            ], at: now, database)
            guard let installed = try await self.installed(key: key, scope, database) else {
                throw StoreError.corruptRow("integration_installs for \(key) vanished")
            }
            return installed
        }
    }

    public func uninstall(key: ExtensionKey, _ scope: TenantScope, by user: UserID, at now: Date) async throws {
        try await engine.transaction { database in
            guard let row = try await database.raw("""
                SELECT ii.id, ir.version FROM integration_installs ii JOIN extension_releases ir ON ir.id = ii.release_id
                WHERE \(self.installsInScope(scope)) AND ii.extension_key = \(bind: key.rawValue)\(unsafeRaw: self.engine.rowLockClause)
                """).first()
            else { throw DomainError.notFound("'\(key)' is not installed in the active tenant.") }
            try await database.raw("DELETE FROM integration_installs WHERE id = \(bind: try row.string("id"))").run()
            try await self.audit(.uninstalled, key: key.rawValue, tenant: scope.tenantID, by: user,
                                 ["version": .string(try row.string("version"))], at: now, database)
        }
    }

    public func installAudit(key: ExtensionKey, _ scope: TenantScope) async throws -> [MarketplaceAuditEvent] {
        try await engine.read { database in
            try await database.raw("""
                SELECT id, action, actor_id, extension_key, tenant_id, detail, created_at FROM marketplace_audit
                WHERE extension_key = \(bind: key.rawValue) AND tenant_id = \(self.tenant(scope)) AND action LIKE 'install.%'
                ORDER BY id DESC LIMIT 500
                """).all().map { try $0.auditEvent() }
        }
    }

    public func setBetaOptIn(key: ExtensionKey, enabled: Bool, _ scope: TenantScope, at now: Date) async throws {
        try await engine.transaction { database in
            if enabled {
                try await database.raw("""
                    INSERT INTO extension_beta_opt_ins (tenant_id, extension_key, created_at)
                    SELECT id, \(bind: key.rawValue), \(bind: now.storedMilliseconds) FROM tenants
                    WHERE id = \(bind: scope.tenantID.rawValue) AND organization_id = \(bind: scope.organizationID.rawValue)
                    ON CONFLICT (tenant_id, extension_key) DO NOTHING
                    """).run()
            } else {
                try await database.raw("""
                    DELETE FROM extension_beta_opt_ins WHERE tenant_id = \(bind: scope.tenantID.rawValue) AND extension_key = \(bind: key.rawValue)
                    """).run()
            }
        }
    }

    private func installed(key: ExtensionKey, _ scope: TenantScope, _ database: any SQLDatabase) async throws -> InstalledExtension? {
        try await installedRows(scope, key: key, database).first
    }

    private func installedRows(_ scope: TenantScope, key: ExtensionKey?, _ database: any SQLDatabase) async throws -> [InstalledExtension] {
        let keyFilter: SQLQueryString = key.map { "ii.extension_key = \(bind: $0.rawValue)" } ?? "1 = 1"
        return try await database.raw("""
            SELECT \(unsafeRaw: Columns.install), \(unsafeRaw: Columns.listedRelease) FROM integration_installs ii
            JOIN extension_releases ir ON ir.id = ii.release_id JOIN extension_releases xr ON xr.id = ii.release_id \(unsafeRaw: Columns.listedJoins)
            WHERE \(self.installsInScope(scope)) AND \(keyFilter) ORDER BY ii.extension_key LIMIT 1000
            """).all().map { InstalledExtension(install: try $0.integrationInstall(), release: try $0.listedRelease()) }
    }
}
