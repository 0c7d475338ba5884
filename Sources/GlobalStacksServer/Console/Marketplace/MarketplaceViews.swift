import Foundation
import GlobalStacksDomain
import GlobalStacksUseCases

/// `/admin/t/{external_id}/marketplace`: what the tenant may install.
struct CatalogPage {
    let chrome: ConsoleChrome
    let base: String
    /// nil without a search (an empty string would still open a Mustache section).
    let query: String?
    let entries: [CatalogRow]
}

struct CatalogRow {
    let key: String, name: String, version: String, publisher: String, description: String, category: String?
    let permissions: [String]
    let href: String
    let installHref: String?
    let installedVersion: String?
    let needsReconsent: Bool
    let updateAvailable: Bool
    /// Why it cannot run here yet, in words; nil when it can.
    let missingText: String?

    init(_ entry: CatalogEntry, agentCapabilities: Set<String>, base: String) {
        let release = entry.listed.release, manifest = release.manifest
        let key = entry.listed.package.extensionKey.rawValue
        self.key = key
        (name, version, publisher, description, category) = (manifest.name, release.version.description, entry.listed.publisherName, manifest.description, manifest.category)
        permissions = manifest.permissionNames
        href = "\(base)/marketplace/\(key)"
        installHref = entry.install.map { _ in "\(base)/installs/\(key)" }
        installedVersion = entry.install?.version.description
        needsReconsent = entry.install.map { !$0.consentCovers(manifest) || $0.status == .needsReconsent } ?? false
        updateAvailable = entry.install.map { $0.version < release.version } ?? false
        let missing = ConsentPage.missingRequirements(entry, agentCapabilities: agentCapabilities)
        missingText = missing.isEmpty ? nil : missing.joined(separator: "; ")
    }
}

/// `/admin/t/{external_id}/marketplace/{extensionKey}`: exactly what installing (or consenting again) grants.
struct ConsentPage {
    struct Permission { let name: String; let purpose: String; let allows: String; let isNew: Bool }
    struct Host { let host: String; let isNew: Bool }
    struct Operation { let name: String; let targetKind: String; let uses: String? }

    let chrome: ConsoleChrome
    let base: String
    let key: String
    let name: String
    let version: String
    let publisher: String
    let description: String
    let manifestDigest: String
    let artifactDigest: String
    let permissions: [Permission]
    let egress: [Host]
    let capabilities: [String]
    let operations: [Operation]
    let missing: [String]
    let installedVersion: String?
    let isReconsent: Bool
    let alreadyConsented: Bool
    let installHref: String
    let canInstall: Bool
    let settings: [SettingsField]
    let message: String?

    init(_ entry: CatalogEntry, agentCapabilities: Set<String>, chrome: ConsoleChrome, base: String, canInstall: Bool, entered: ConsoleForm? = nil, message: String? = nil) {
        let release = entry.listed.release, manifest = release.manifest, install = entry.install
        self.chrome = chrome
        self.base = base
        key = entry.listed.package.extensionKey.rawValue
        (name, version, publisher, description) = (manifest.name, release.version.description, entry.listed.publisherName, manifest.description)
        (manifestDigest, artifactDigest) = (release.manifestDigest.rawValue, release.artifactDigest.rawValue)
        let consentedPermissions = Set(install?.consentedPermissions ?? []), consentedEgress = Set(install?.consentedEgress ?? [])
        permissions = manifest.permissions.map {
            Permission(name: $0.permission.rawValue, purpose: $0.purpose, allows: $0.permission.allows,
                       isNew: install != nil && !consentedPermissions.contains($0.permission.rawValue))
        }
        egress = manifest.egressNames.map { Host(host: $0, isNew: install != nil && !consentedEgress.contains($0)) }
        capabilities = manifest.agentCapabilities
        operations = manifest.operations.map {
            Operation(name: $0.name, targetKind: $0.targetKind, uses: $0.permissions.isEmpty ? nil : $0.permissions.map(\.rawValue).joined(separator: ", "))
        }
        missing = Self.missingRequirements(entry, agentCapabilities: agentCapabilities)
        installedVersion = install?.version.description
        isReconsent = install != nil
        alreadyConsented = install.map { $0.releaseID == release.id && $0.status == .installed } ?? false
        installHref = "\(base)/installs/\(key)"
        self.canInstall = canInstall
        // Settings are chosen when installing; consenting again keeps the install's own.
        settings = install == nil ? SettingsForm(spec: manifest.settings, tenant: [:], entered: entered).fields : []
        self.message = message
    }

    /// What keeps the release from running here, in words (the catalog's `missingRequirements`).
    static func missingRequirements(_ entry: CatalogEntry, agentCapabilities: Set<String>) -> [String] {
        var missing = Compatibility(manifest: entry.listed.release.manifest, agentCapabilities: agentCapabilities).missingRequirements
        if let revoked = entry.listed.keyRevokedReason { missing.insert("a valid publisher signature: the signing key was revoked (\(revoked))", at: 0) }
        return missing
    }
}

/// `/admin/t/{external_id}/installs`.
struct InstallsPage {
    let chrome: ConsoleChrome
    let base: String
    let installs: [InstallRow]
}

struct InstallRow {
    let key: String, name: String, version: String, status: String, statusReason: String?, href: String, consentHref: String
    let needsReconsent: Bool
    let updatedAt: String

    init(_ view: InstallView, base: String) {
        let install = view.installed.install, manifest = view.installed.release.release.manifest
        let (status, reason) = install.effectiveStatus(releaseCompatibility: Compatibility(manifest: manifest, agentCapabilities: []))
        key = install.extensionKey.rawValue
        (name, version, self.status, statusReason) = (manifest.name, install.version.description, status.rawValue, reason)
        href = "\(base)/installs/\(key)"
        consentHref = "\(base)/marketplace/\(key)"
        needsReconsent = status == .needsReconsent
        updatedAt = ConsoleFormat.time(install.updatedAt)
    }
}

/// `/admin/t/{external_id}/installs/{extensionKey}`: the install, its settings form and the invoke form.
struct InstallPage {
    struct Choice { let value: String; let label: String; let selected: Bool }
    struct Output { let jobID: String; let outputs: String; let diagnostics: [String]; let runHref: String }

    let chrome: ConsoleChrome
    let base: String
    let key: String
    let name: String
    let version: String
    let status: String
    let statusReason: String?
    let needsReconsent: Bool
    let availableVersion: String?
    let consentHref: String
    let manifestDigest: String
    let artifactDigest: String
    let permissions: [String]
    let egress: [String]
    let canConfigure: Bool
    let settings: [SettingsField]
    let settingsMessage: String?
    let saved: Bool
    let reconcileRunHref: String?
    let operations: [Choice]
    let targets: [Choice]
    let invokeInput: String
    let invokeOutput: Output?
    let invokeError: String?
}
