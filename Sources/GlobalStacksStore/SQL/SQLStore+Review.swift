import Foundation
import GlobalStacksDomain
import SQLKit

extension SQLStore: MarketplaceReviewRepository {
    public func reviewQueue(_ scope: MarketplaceReviewScope) async throws -> [ListedRelease] {
        try await engine.read { database in
            try await database.raw("""
                SELECT \(unsafeRaw: Columns.listedRelease) FROM extension_releases xr \(unsafeRaw: Columns.listedJoins)
                WHERE xr.status = 'submitted' ORDER BY xr.submitted_at, xr.id LIMIT 500
                """).all().map { try $0.listedRelease() }
        }
    }

    public func reviewedRelease(id: ExtensionReleaseID, _ scope: MarketplaceReviewScope) async throws -> ListedRelease? {
        try await engine.read { database in
            try await database.raw("""
                SELECT \(unsafeRaw: Columns.listedRelease) FROM extension_releases xr \(unsafeRaw: Columns.listedJoins)
                WHERE xr.id = \(bind: id.rawValue)
                """).first()?.listedRelease()
        }
    }

    public func moveReviewedRelease(id: ExtensionReleaseID, _ move: ReleaseMove, _ scope: MarketplaceReviewScope, by user: UserID, at now: Date) async throws -> ExtensionRelease {
        try await moveRelease(id: id, move, by: .reviewer(scope), user, at: now)
    }

    public func setExtensionPolicy(key: ExtensionKey, settings: [String: JSONValue], _ scope: MarketplaceReviewScope, at now: Date) async throws {
        try await engine.transaction { database in
            try await database.raw("""
                INSERT INTO extension_policies (extension_key, settings, updated_by, updated_at)
                VALUES (\(bind: key.rawValue), \(bind: JSONColumn.encode(settings)), \(bind: scope.reviewerID.rawValue), \(bind: now.storedMilliseconds))
                ON CONFLICT (extension_key) DO UPDATE SET settings = excluded.settings, updated_by = excluded.updated_by, updated_at = excluded.updated_at
                """).run()
            try await self.audit(.policyChanged, key: key.rawValue, tenant: nil, by: scope.reviewerID,
                                 ["keys": .array(settings.keys.sorted().map(JSONValue.string))], at: now, database)
        }
    }

    public func extensionPolicy(key: ExtensionKey, _ scope: MarketplaceReviewScope) async throws -> [String: JSONValue] {
        try await policy(key: key)
    }

    func policy(key: ExtensionKey) async throws -> [String: JSONValue] {
        try await engine.read { database in
            guard let row = try await database.raw("SELECT settings FROM extension_policies WHERE extension_key = \(bind: key.rawValue)").first()
            else { return [:] }
            return try JSONColumn.decode([String: JSONValue].self, try row.string("settings"), column: "extension_policies.settings")
        }
    }

    /// One move through `ReleaseStatus.moves`, by the publisher or a reviewer, with what it sets off: revoking disables
    /// the release's installs; beta and published move installs up.
    func moveRelease(id: ExtensionReleaseID, _ move: ReleaseMove, by mover: ReleaseMover, _ user: UserID, at now: Date) async throws -> ExtensionRelease {
        try await engine.transaction { database in
            guard let listed = try await database.raw("""
                SELECT \(unsafeRaw: Columns.listedRelease) FROM extension_releases xr \(unsafeRaw: Columns.listedJoins)
                WHERE xr.id = \(bind: id.rawValue) AND \(self.movable(by: mover))\(unsafeRaw: self.engine.rowLockClause)
                """).first()?.listedRelease()
            else { throw DomainError.notFound("No extension release \(id)\(mover.actor == .publisher ? " in the active tenant" : "").") }
            var release = listed.release
            let from = release.status
            try release.move(to: move.to, by: mover.actor, reason: move.reason, publishAs: move.visibility, at: now)
            if let findings = move.findings { release.findings = findings }
            try await database.raw("""
                UPDATE extension_releases SET status = \(bind: release.status.rawValue), status_reason = \(bind: release.statusReason),
                    visibility = \(bind: release.visibility.rawValue), findings = \(bind: JSONColumn.encode(release.findings)),
                    submitted_at = \(bind: release.submittedAt.storedMilliseconds), reviewed_at = \(bind: release.reviewedAt.storedMilliseconds),
                    published_at = \(bind: release.publishedAt.storedMilliseconds), updated_at = \(bind: now.storedMilliseconds)
                WHERE id = \(bind: id.rawValue)
                """).run()
            var detail: [String: JSONValue] = [
                "version": .string(release.version.description), "from": .string(from.rawValue), "to": .string(release.status.rawValue),
                "visibility": .string(release.visibility.rawValue),
            ]
            if let reason = move.reason { detail["reason"] = .string(reason) }
            try await self.audit(.releaseMoved, key: listed.package.extensionKey.rawValue, tenant: listed.package.tenantID, by: user, detail, at: now, database)
            switch release.status {
            case .revoked:
                try await database.raw("""
                    UPDATE integration_installs SET status = 'disabled',
                        status_reason = \(bind: "Release \(release.version) was revoked: \(move.reason ?? "no reason given")"),
                        updated_at = \(bind: now.storedMilliseconds)
                    WHERE release_id = \(bind: id.rawValue)
                    """).run()
            case .beta, .published:
                try await self.upgradeInstalls(to: ListedRelease(release: release, package: listed.package, publisherName: listed.publisherName,
                                                                 keyRevokedReason: listed.keyRevokedReason), at: now, database)
            default: break
            }
            return release
        }
    }

    /// The releases the mover may move: a publisher's own (its tenant's developer apps), every release for a reviewer.
    private func movable(by mover: ReleaseMover) -> SQLQueryString {
        switch mover {
        case .publisher(let scope): ownedApps(scope)
        case .reviewer: "1 = 1"
        }
    }

    /// Moves each install of the package that may see `listed` and runs an older version onto it, or to
    /// `needs_reconsent` when it asks for permissions or egress hosts beyond the consent given, or when its settings
    /// schema does not accept the install's settings.
    private func upgradeInstalls(to listed: ListedRelease, at now: Date, _ database: any SQLDatabase) async throws {
        guard listed.keyRevokedReason == nil else { return }
        let release = listed.release
        let rows = try await database.raw("""
            SELECT \(unsafeRaw: Columns.install) FROM integration_installs ii JOIN extension_releases ir ON ir.id = ii.release_id
            JOIN extension_releases xr ON xr.id = \(bind: release.id.rawValue) JOIN extension_packages x ON x.id = xr.package_id
            WHERE ii.package_id = \(bind: release.packageID.rawValue) AND ii.status IN ('installed', 'needs_reconsent')
                AND \(eligible(tenant: "ii.tenant_id"))
            """).all()
        let policy = try await database.raw("""
            SELECT settings FROM extension_policies WHERE extension_key = \(bind: listed.package.extensionKey.rawValue)
            """).first().map { try JSONColumn.decode([String: JSONValue].self, try $0.string("settings"), column: "extension_policies.settings") } ?? [:]
        for row in rows {
            let install = try row.integrationInstall()
            guard install.version < release.version else { continue }
            let problems = release.manifest.settings.problems(tenant: install.settings, secretsSet: install.secretKeysSet, policy: policy)
            if !problems.isEmpty {
                try await database.raw("""
                    UPDATE integration_installs SET status = 'needs_reconsent',
                        status_reason = \(bind: "Release \(release.version) does not accept the install's settings (\(problems.prefix(3).joined(separator: "; "))); change them and consent again to upgrade."),
                        updated_at = \(bind: now.storedMilliseconds)
                    WHERE id = \(bind: install.id.rawValue)
                    """).run()
            } else if install.consentCovers(release.manifest) {
                try await database.raw("""
                    UPDATE integration_installs SET release_id = \(bind: release.id.rawValue), status = 'installed', status_reason = NULL,
                        consented_manifest_digest = \(bind: release.manifestDigest.rawValue),
                        consented_artifact_digest = \(bind: release.artifactDigest.rawValue), updated_at = \(bind: now.storedMilliseconds)
                    WHERE id = \(bind: install.id.rawValue)
                    """).run()
            } else {
                let newPermissions = release.manifest.permissionNames.filter { !install.consentedPermissions.contains($0) }
                let newEgress = release.manifest.egressNames.filter { !install.consentedEgress.contains($0) }
                let asks = (newPermissions.map { "permission \($0)" } + newEgress.map { "egress to \($0)" }).joined(separator: ", ")
                try await database.raw("""
                    UPDATE integration_installs SET status = 'needs_reconsent',
                        status_reason = \(bind: "Release \(release.version) asks for more than was consented to (\(asks)); consent again to upgrade."),
                        updated_at = \(bind: now.storedMilliseconds)
                    WHERE id = \(bind: install.id.rawValue)
                    """).run()
            }
        }
    }

    /// Whether release `xr` of package `x` may be installed by the tenant in the column or value `tenant`: its publisher's
    /// tenant may install its private, beta and published releases; others by the release's visibility.
    func eligible(tenant: SQLQueryString) -> SQLQueryString {
        """
        xr.status IN ('private', 'beta', 'published') AND x.status = 'active'
            AND x.developer_app_id IN (SELECT id FROM developer_apps WHERE status = 'active')
            AND (x.tenant_id = \(tenant) OR xr.visibility = 'public'
                OR (xr.visibility = 'allowlisted' AND EXISTS (
                    SELECT 1 FROM extension_release_allowlist a WHERE a.release_id = xr.id AND a.tenant_id = \(tenant)))
                OR (xr.visibility = 'beta' AND EXISTS (
                    SELECT 1 FROM extension_beta_opt_ins b WHERE b.extension_key = x.extension_key AND b.tenant_id = \(tenant))))
        """
    }
}
