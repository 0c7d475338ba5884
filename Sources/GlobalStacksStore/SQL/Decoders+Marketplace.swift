import Foundation
import GlobalStacksDomain
import SQLKit

extension Columns {
    static let developerApp = "d.id AS d_id, d.tenant_id AS d_tenant_id, d.name AS d_name, d.publisher_name AS d_publisher_name, d.publisher_url AS d_publisher_url, d.support_url AS d_support_url, d.terms_url AS d_terms_url, d.privacy_url AS d_privacy_url, d.status AS d_status, d.created_by AS d_created_by, d.created_at AS d_created_at, d.updated_at AS d_updated_at"
    static let publisherKey = "pk.id AS pk_id, pk.developer_app_id AS pk_developer_app_id, pk.name AS pk_name, pk.public_key AS pk_public_key, pk.created_at AS pk_created_at, pk.revoked_at AS pk_revoked_at, pk.revoked_reason AS pk_revoked_reason"
    static let extensionPackage = "x.id AS x_id, x.developer_app_id AS x_developer_app_id, x.tenant_id AS x_tenant_id, x.extension_key AS x_extension_key, x.name AS x_name, x.description AS x_description, x.category AS x_category, x.tags AS x_tags, x.status AS x_status, x.created_at AS x_created_at, x.updated_at AS x_updated_at"
    static let extensionRelease = "xr.id AS xr_id, xr.package_id AS xr_package_id, xr.version AS xr_version, xr.manifest_digest AS xr_manifest_digest, xr.artifact_digest AS xr_artifact_digest, xr.manifest AS xr_manifest, xr.signing_key_id AS xr_signing_key_id, xr.signature AS xr_signature, xr.status AS xr_status, xr.status_reason AS xr_status_reason, xr.visibility AS xr_visibility, xr.findings AS xr_findings, xr.created_at AS xr_created_at, xr.updated_at AS xr_updated_at, xr.submitted_at AS xr_submitted_at, xr.reviewed_at AS xr_reviewed_at, xr.published_at AS xr_published_at"
    /// A release with its package, publisher name and key revocation (`FROM extension_releases xr` + `listedJoins`).
    static let listedRelease = extensionRelease + ", " + listedExtras
    /// The same for the catalog: without the manifest's text (manifests are parsed once, `ManifestCache`) and without
    /// the submission findings (the reviewer's, not the catalog's; decoding them was a fifth of a catalog request).
    static let catalogRelease = extensionRelease
        .replacingOccurrences(of: "xr.manifest AS xr_manifest", with: "NULL AS xr_manifest")
        .replacingOccurrences(of: "xr.findings AS xr_findings", with: "'[]' AS xr_findings")
        + ", " + listedExtras
    private static let listedExtras = extensionPackage + ", d.publisher_name AS d_publisher_name, pk.revoked_at AS pk_revoked_at, pk.revoked_reason AS pk_revoked_reason"
    static let listedJoins = """
        JOIN extension_packages x ON x.id = xr.package_id JOIN developer_apps d ON d.id = x.developer_app_id
        JOIN publisher_keys pk ON pk.id = xr.signing_key_id
        """
    static let install = "ii.id AS ii_id, ii.tenant_id AS ii_tenant_id, ii.package_id AS ii_package_id, ii.extension_key AS ii_extension_key, ii.release_id AS ii_release_id, ii.status AS ii_status, ii.status_reason AS ii_status_reason, ii.consented_manifest_digest AS ii_consented_manifest_digest, ii.consented_artifact_digest AS ii_consented_artifact_digest, ii.consented_permissions AS ii_consented_permissions, ii.consented_egress AS ii_consented_egress, ii.settings AS ii_settings, ii.secret_keys AS ii_secret_keys, ii.installed_by AS ii_installed_by, ii.created_at AS ii_created_at, ii.updated_at AS ii_updated_at, ir.version AS ir_version"
}

/// Parsed manifests by digest: content is immutable, so a manifest parsed once is the same on every later read
/// (the catalog reads one per package).
final class ManifestCache: @unchecked Sendable {
    static let shared = ManifestCache()
    private let lock = NSLock()
    private var manifests: [String: ExtensionManifest] = [:]

    func cached(_ digest: String) -> ExtensionManifest? {
        lock.withLock { manifests[digest] }
    }

    func manifest(digest: String, text: String) throws -> ExtensionManifest {
        if let cached = cached(digest) { return cached }
        let document = try JSONDecoder().decode(JSONValue.self, from: Data(text.utf8))
        let manifest = try ExtensionManifest(parsing: document)
        lock.withLock {
            if manifests.count > 10_000 { manifests.removeAll() }
            manifests[digest] = manifest
        }
        return manifest
    }
}

extension SQLRow {
    func developerApp() throws -> DeveloperApp {
        DeveloperApp(
            id: try identifier("d_id"), tenantID: try identifier("d_tenant_id"), name: try string("d_name"),
            publisherName: try string("d_publisher_name"), publisherURL: try optionalString("d_publisher_url"),
            supportURL: try string("d_support_url"), termsURL: try string("d_terms_url"), privacyURL: try string("d_privacy_url"),
            status: try enumValue("d_status"), createdBy: try identifier("d_created_by"),
            createdAt: try date("d_created_at"), updatedAt: try date("d_updated_at")
        )
    }

    func publisherKey() throws -> PublisherKey {
        guard let key = Data(base64Encoded: try string("pk_public_key")) else { throw StoreError.corruptRow("publisher_keys.public_key") }
        return PublisherKey(
            id: try identifier("pk_id"), developerAppID: try identifier("pk_developer_app_id"), name: try string("pk_name"),
            publicKey: key, createdAt: try date("pk_created_at"), revokedAt: try optionalDate("pk_revoked_at"),
            revokedReason: try optionalString("pk_revoked_reason")
        )
    }

    func extensionPackage() throws -> ExtensionPackage {
        let key = try string("x_extension_key")
        guard let extensionKey = ExtensionKey(rawValue: key) else { throw StoreError.corruptRow("extension_packages.extension_key = '\(key)'") }
        return ExtensionPackage(
            id: try identifier("x_id"), developerAppID: try identifier("x_developer_app_id"), tenantID: try identifier("x_tenant_id"),
            extensionKey: extensionKey, name: try string("x_name"), description: try optionalString("x_description"),
            category: try optionalString("x_category"),
            tags: try JSONColumn.decode([String].self, try string("x_tags"), column: "extension_packages.tags"),
            status: try enumValue("x_status"), createdAt: try date("x_created_at"), updatedAt: try date("x_updated_at")
        )
    }

    func extensionRelease() throws -> ExtensionRelease {
        let digestText = try string("xr_manifest_digest")
        guard let version = SemanticVersion(try string("xr_version")), let manifestDigest = ContentDigest(digestText),
              let artifactDigest = ContentDigest(try string("xr_artifact_digest")),
              let signature = Data(base64Encoded: try string("xr_signature"))
        else { throw StoreError.corruptRow("extension_releases \(try string("xr_id"))") }
        let manifest: ExtensionManifest
        do {
            if let text = try optionalString("xr_manifest") {
                manifest = try ManifestCache.shared.manifest(digest: digestText, text: text)
            } else if let cached = ManifestCache.shared.cached(digestText) {
                manifest = cached
            } else {
                throw StoreError.corruptRow("extension_releases.manifest of \(try string("xr_id")) was not read")
            }
        } catch {
            throw StoreError.corruptRow("extension_releases.manifest of \(try string("xr_id"))")
        }
        return ExtensionRelease(
            id: try identifier("xr_id"), packageID: try identifier("xr_package_id"), version: version,
            manifestDigest: manifestDigest, artifactDigest: artifactDigest, manifest: manifest,
            signingKeyID: try identifier("xr_signing_key_id"), signature: signature, status: try enumValue("xr_status"),
            statusReason: try optionalString("xr_status_reason"), visibility: try enumValue("xr_visibility"),
            findings: try Self.findings(try string("xr_findings")),
            createdAt: try date("xr_created_at"), updatedAt: try date("xr_updated_at"), submittedAt: try optionalDate("xr_submitted_at"),
            reviewedAt: try optionalDate("xr_reviewed_at"), publishedAt: try optionalDate("xr_published_at")
        )
    }

    /// Findings, skipping the decoder for none (what catalog listings read).
    private static func findings(_ text: String) throws -> [ReleaseFinding] {
        text == "[]" ? [] : try JSONColumn.decode([ReleaseFinding].self, text, column: "extension_releases.findings")
    }

    func listedRelease() throws -> ListedRelease {
        let revoked = try optionalDate("pk_revoked_at") != nil
        return ListedRelease(
            release: try extensionRelease(), package: try extensionPackage(), publisherName: try string("d_publisher_name"),
            keyRevokedReason: revoked ? (try optionalString("pk_revoked_reason") ?? "The signing key was revoked.") : nil
        )
    }

    func integrationInstall() throws -> ExtensionInstall {
        let key = try string("ii_extension_key")
        guard let extensionKey = ExtensionKey(rawValue: key), let version = SemanticVersion(try string("ir_version")),
              let manifest = ContentDigest(try string("ii_consented_manifest_digest")),
              let artifact = ContentDigest(try string("ii_consented_artifact_digest"))
        else { throw StoreError.corruptRow("integration_installs \(try string("ii_id"))") }
        return ExtensionInstall(
            id: try identifier("ii_id"), tenantID: try identifier("ii_tenant_id"), packageID: try identifier("ii_package_id"),
            extensionKey: extensionKey, releaseID: try identifier("ii_release_id"), version: version, status: try enumValue("ii_status"),
            statusReason: try optionalString("ii_status_reason"), consentedManifestDigest: manifest, consentedArtifactDigest: artifact,
            consentedPermissions: try JSONColumn.decode([String].self, try string("ii_consented_permissions"), column: "integration_installs.consented_permissions"),
            consentedEgress: try JSONColumn.decode([String].self, try string("ii_consented_egress"), column: "integration_installs.consented_egress"),
            settings: try JSONColumn.decode([String: JSONValue].self, try string("ii_settings"), column: "integration_installs.settings"),
            secretKeysSet: try JSONColumn.decode([String].self, try string("ii_secret_keys"), column: "integration_installs.secret_keys"),
            installedBy: try identifier("ii_installed_by"), createdAt: try date("ii_created_at"), updatedAt: try date("ii_updated_at")
        )
    }

    func auditEvent() throws -> MarketplaceAuditEvent {
        let key = try string("extension_key")
        guard let extensionKey = ExtensionKey(rawValue: key) else { throw StoreError.corruptRow("marketplace_audit.extension_key") }
        return MarketplaceAuditEvent(
            id: try decode(column: "id", as: Int64.self), action: try enumValue("action"), actorID: try identifier("actor_id"),
            extensionKey: extensionKey, tenantID: try optionalIdentifier("tenant_id"),
            detail: try JSONColumn.decode([String: JSONValue].self, try string("detail"), column: "marketplace_audit.detail"),
            createdAt: try date("created_at")
        )
    }
}
