import Foundation
import GlobalStacksAPI
import GlobalStacksDomain
import GlobalStacksStore
import GlobalStacksUseCases
import OpenAPIRuntime

extension APIMapping {
    /// JSON values to the generated free-form object type and back (the same JSON either way).
    static func container(_ object: [String: JSONValue]) throws -> OpenAPIObjectContainer {
        try JSONDecoder().decode(OpenAPIObjectContainer.self, from: JSONEncoder().encode(object))
    }

    static func jsonObject(_ container: OpenAPIObjectContainer?) throws -> [String: JSONValue] {
        guard let container else { return [:] }
        return try JSONDecoder().decode([String: JSONValue].self, from: JSONEncoder().encode(container))
    }

    static func developerApp(_ app: DeveloperApp) -> Components.Schemas.DeveloperApp {
        .init(
            value1: .init(id: app.id.rawValue, createdAt: app.createdAt, updatedAt: app.updatedAt),
            value2: .init(name: app.name, publisherName: app.publisherName, publisherUrl: app.publisherURL, supportUrl: app.supportURL,
                          termsUrl: app.termsURL, privacyUrl: app.privacyURL, status: .init(rawValue: app.status.rawValue)!,
                          createdBy: app.createdBy.rawValue)
        )
    }

    static func publisherKey(_ key: PublisherKey) -> Components.Schemas.PublisherKey {
        .init(id: key.id.rawValue, developerAppId: key.developerAppID.rawValue, name: key.name, publicKey: key.publicKey.base64EncodedString(),
              createdAt: key.createdAt, revokedAt: key.revokedAt, revokedReason: key.revokedReason)
    }

    static func extensionPackage(_ package: ExtensionPackage) -> Components.Schemas.ExtensionPackage {
        .init(
            value1: .init(id: package.id.rawValue, createdAt: package.createdAt, updatedAt: package.updatedAt),
            value2: .init(developerAppId: package.developerAppID.rawValue, extensionKey: package.extensionKey.rawValue, name: package.name,
                          description: package.description, category: package.category, tags: package.tags,
                          status: .init(rawValue: package.status.rawValue)!)
        )
    }

    static func extensionRelease(_ release: ExtensionRelease) -> Components.Schemas.ExtensionRelease {
        let manifest = release.manifest
        return .init(
            value1: .init(id: release.id.rawValue, createdAt: release.createdAt, updatedAt: release.updatedAt),
            value2: .init(extensionPackageId: release.packageID.rawValue, version: release.version.description,
                          artifactDigest: release.artifactDigest.rawValue, manifestDigest: release.manifestDigest.rawValue,
                          permissions: manifest.permissionNames, egress: manifest.egressNames, brokerProtocol: manifest.brokerProtocol,
                          minGlobalstacksVersion: manifest.minGlobalstacksVersion?.description, agentCapabilities: manifest.agentCapabilities,
                          releaseStatus: .init(rawValue: release.status.rawValue)!, visibility: .init(rawValue: release.visibility.rawValue)!,
                          submittedAt: release.submittedAt, reviewedAt: release.reviewedAt, publishedAt: release.publishedAt)
        )
    }

    static func releaseReview(_ review: ReleaseReview) throws -> Components.Schemas.ExtensionReleaseReview {
        let listed = review.listed
        let release = listed.release
        return .init(
            release: extensionRelease(release), extensionKey: listed.package.extensionKey.rawValue, publisherName: listed.publisherName,
            statusReason: release.statusReason,
            findings: release.findings.map { .init(check: $0.check, severity: .init(rawValue: $0.severity.rawValue)!, detail: $0.detail) },
            signingKeyId: release.signingKeyID.rawValue, signingKeyRevokedReason: listed.keyRevokedReason,
            manifest: .init(additionalProperties: try container(review.manifest))
        )
    }

    static func auditEvent(_ event: MarketplaceAuditEvent) throws -> Components.Schemas.MarketplaceAuditEvent {
        .init(id: String(event.id), action: event.action.rawValue, actorId: event.actorID.rawValue, extensionKey: event.extensionKey.rawValue,
              tenantId: event.tenantID?.rawValue, detail: .init(additionalProperties: try container(event.detail)), createdAt: event.createdAt)
    }

    /// A catalog entry as the tenant sees it, with compatibility computed from this server and the tenant's agents.
    static func catalogItem(_ entry: CatalogEntry, agentCapabilities: Set<String>) -> Components.Schemas.IntegrationCatalogItem {
        let listed = entry.listed
        let release = listed.release
        let manifest = release.manifest
        let compatibility = Compatibility(manifest: manifest, agentCapabilities: agentCapabilities)
        var missing = compatibility.missingRequirements
        if let revoked = listed.keyRevokedReason { missing.insert("a valid publisher signature: the signing key was revoked (\(revoked))", at: 0) }
        let install = entry.install
        let installedStatus = install.map { effectiveStatus($0, pinned: release.id == $0.releaseID ? compatibility : nil).0.rawValue } ?? "not_installed"
        return .init(
            extensionKey: listed.package.extensionKey.rawValue, name: manifest.name, description: manifest.description,
            provider: manifest.publisher, publisher: listed.publisherName, author: manifest.publisher, category: manifest.category,
            tags: manifest.tags, version: release.version.description, releaseStatus: .init(rawValue: release.status.rawValue)!,
            visibility: .init(rawValue: release.visibility.rawValue)!, installedStatus: installedStatus,
            installedVersion: install?.version.description, updateAvailable: install.map { $0.version < release.version } ?? false,
            consentState: install.map { $0.consentCovers(manifest) && $0.status != .needsReconsent ? "consented" : "needs_reconsent" } ?? "not_installed",
            compatibilityStatus: listed.keyRevokedReason != nil ? "unsupported" : compatibility.status, missingRequirements: missing,
            permissions: manifest.permissionNames, egress: manifest.egressNames, artifactDigest: release.artifactDigest.rawValue,
            manifestDigest: release.manifestDigest.rawValue, brokerProtocol: manifest.brokerProtocol, agentCapabilities: manifest.agentCapabilities,
            homepageUrl: manifest.homepageURL, repositoryUrl: manifest.repositoryURL, supportUrl: manifest.supportURL
        )
    }

    /// An install's status now; `pinned` is the compatibility of its own release when known.
    static func effectiveStatus(_ install: IntegrationInstall, pinned: Compatibility?) -> (IntegrationInstall.Status, String?) {
        guard let pinned else { return (install.status, install.statusReason) }
        return install.effectiveStatus(releaseCompatibility: pinned)
    }

    static func integrationInstall(_ installed: InstalledExtension, effective: [String: JSONValue]) throws -> Components.Schemas.IntegrationInstall {
        let install = installed.install
        let (status, _) = install.effectiveStatus(releaseCompatibility: Compatibility(manifest: installed.release.release.manifest, agentCapabilities: []))
        return .init(
            value1: .init(id: install.id.rawValue, createdAt: install.createdAt, updatedAt: install.updatedAt),
            value2: .init(extensionKey: install.extensionKey.rawValue, extensionId: install.packageID.rawValue, version: install.version.description,
                          status: .init(rawValue: status.rawValue)!, consentVersion: install.consentedManifestDigest.rawValue,
                          installedBy: install.installedBy.rawValue,
                          settings: .init(additionalProperties: try container(shownSettings(install))),
                          effectiveSettings: .init(additionalProperties: try container(shownEffective(effective, install))))
        )
    }

    /// Tenant settings as shown: secrets appear only as set, never with their values.
    static func shownSettings(_ install: IntegrationInstall) -> [String: JSONValue] {
        install.settings.merging(install.secretKeysSet.map { ($0, JSONValue.object(["secret": .string("set")])) }) { $1 }
    }

    static func shownEffective(_ effective: [String: JSONValue], _ install: IntegrationInstall) -> [String: JSONValue] {
        effective.merging(install.secretKeysSet.map { ($0, JSONValue.object(["secret": .string("set")])) }) { $1 }
    }

    static func cliCommand(_ command: [String: JSONValue]) throws -> Components.Schemas.IntegrationCliCommand {
        try JSONDecoder().decode(Components.Schemas.IntegrationCliCommand.self, from: JSONEncoder().encode(command))
    }
}
