import Foundation
import GlobalStacksAPI
import GlobalStacksContract
import GlobalStacksDomain
import GlobalStacksUseCases

/// The catalog, consent and installs in the shape of the API, with compatibility computed from this server and the
/// tenant's agents. Secrets appear only as set, never with their values.
extension APIMapping {
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
    static func effectiveStatus(_ install: ExtensionInstall, pinned: Compatibility?) -> (ExtensionInstall.Status, String?) {
        guard let pinned else { return (install.status, install.statusReason) }
        return install.effectiveStatus(releaseCompatibility: pinned)
    }

    static func integrationInstall(_ installed: InstalledExtension, effective: [String: JSONValue]) throws -> Components.Schemas.IntegrationInstall {
        let install = installed.install
        let (status, _) = install.effectiveStatus(releaseCompatibility: Compatibility(manifest: installed.release.release.manifest, agentCapabilities: []))
        return .init(
            id: install.id.rawValue, createdAt: install.createdAt, updatedAt: install.updatedAt,
            extensionKey: install.extensionKey.rawValue, extensionId: install.packageID.rawValue, version: install.version.description,
                          status: .init(rawValue: status.rawValue)!, consentVersion: install.consentedManifestDigest.rawValue,
                          installedBy: install.installedBy.rawValue,
                          settings: .init(additionalProperties: try container(shownSettings(install))),
                          effectiveSettings: .init(additionalProperties: try container(shownEffective(effective, install)))
        )
    }

    /// Tenant settings as shown: secrets appear only as set, never with their values.
    static func shownSettings(_ install: ExtensionInstall) -> [String: JSONValue] {
        install.settings.merging(install.secretKeysSet.map { ($0, JSONValue.object(["secret": .string("set")])) }) { $1 }
    }

    static func shownEffective(_ effective: [String: JSONValue], _ install: ExtensionInstall) -> [String: JSONValue] {
        effective.merging(install.secretKeysSet.map { ($0, JSONValue.object(["secret": .string("set")])) }) { $1 }
    }

    static func cliCommand(_ command: [String: JSONValue]) throws -> Components.Schemas.IntegrationCliCommand {
        try JSONDecoder().decode(Components.Schemas.IntegrationCliCommand.self, from: JSONEncoder().encode(command))
    }

    static func catalogItems(_ listing: CatalogListing) -> [Components.Schemas.IntegrationCatalogItem] {
        listing.entries.map { catalogItem($0, agentCapabilities: listing.agentCapabilities) }
    }

    static func integrationInstall(_ view: InstallView) throws -> Components.Schemas.IntegrationInstall {
        try integrationInstall(view.installed, effective: view.effectiveSettings)
    }

    /// The consent screen: what the newest available release asks for, what is new beside the install's consent,
    /// and the digests to send back when consenting.
    static func consent(_ entry: CatalogEntry) -> Components.Schemas.IntegrationConsent {
        let release = entry.listed.release
        let consented = Set(entry.install?.consentedPermissions ?? [])
        let consentedEgress = Set(entry.install?.consentedEgress ?? [])
        return .init(
            extensionKey: entry.listed.package.extensionKey.rawValue, name: release.manifest.name, publisher: entry.listed.publisherName,
            version: release.version.description, manifestDigest: release.manifestDigest.rawValue, artifactDigest: release.artifactDigest.rawValue,
            permissions: release.manifest.permissions.map {
                .init(name: $0.permission.rawValue, purpose: $0.purpose, allows: $0.permission.allows,
                      new: entry.install == nil ? nil : !consented.contains($0.permission.rawValue))
            },
            egress: release.manifest.egressNames,
            newEgress: entry.install == nil ? nil : release.manifest.egressNames.filter { !consentedEgress.contains($0) }
        )
    }

    static func settingsResponse(_ view: InstallView) throws -> Components.Schemas.IntegrationSettingsResponse {
        let install = view.installed.install
        return .init(
            extensionKey: install.extensionKey.rawValue,
            settings: .init(additionalProperties: try container(shownSettings(install))),
            effectiveSettings: .init(additionalProperties: try container(shownEffective(view.effectiveSettings, install))),
            mutation: .init(additionalProperties: view.installed.release.release.manifest.settings.keysByMutation)
        )
    }

    static func installState(_ state: InstallState) -> Components.Schemas.IntegrationInstallState {
        let install = state.install
        return .init(
            extensionKey: install.extensionKey.rawValue, version: install.version.description, status: .init(rawValue: state.status.rawValue)!,
            statusReason: state.statusReason, availableVersion: state.availableVersion?.description,
            consentedManifestDigest: install.consentedManifestDigest.rawValue, consentedArtifactDigest: install.consentedArtifactDigest.rawValue,
            consentedPermissions: install.consentedPermissions, consentedEgress: install.consentedEgress,
            policyFixedKeys: state.policyFixedKeys, secretsSet: install.secretKeysSet
        )
    }
}
