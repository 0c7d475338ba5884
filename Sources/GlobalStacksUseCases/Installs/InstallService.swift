import Foundation
import GlobalStacksDomain
import GlobalStacksStore

/// What the active tenant sees of the marketplace and what it installed: catalog, consent, installs, settings, beta
/// opt-in and audit. Members read; owners and admins (`installExtensions`) install, configure and uninstall. A
/// settings change that needs it starts an `integration.settings.reconcile` run through the start gate.
public struct InstallService: Sendable {
    private let store: any InstallRepository
    private let sealer: any SettingsSealer
    private let gate: OperationGate

    public init(store: any InstallRepository, sealer: any SettingsSealer, gate: OperationGate) {
        self.store = store
        self.sealer = sealer
        self.gate = gate
    }

    // MARK: Catalog

    public func catalog(caller: Caller) async throws -> CatalogListing {
        try await catalog(caller) { _ in true }
    }

    /// Entries matching every part of `query` (case-insensitive; each word anywhere in the name, description, key,
    /// publisher or tags).
    public func searchCatalog(_ query: CatalogQuery, caller: Caller) async throws -> CatalogListing {
        for (name, value) in [("category", query.category), ("tag", query.tag), ("q", query.text)] where (value?.count ?? 0) > 200 {
            throw DomainError.invalidInput("\(name) must be at most 200 characters.")
        }
        let words = (query.text ?? "").lowercased().split(whereSeparator: \.isWhitespace).map(String.init)
        return try await catalog(caller) { entry in
            let manifest = entry.listed.release.manifest
            if let category = query.category, manifest.category?.lowercased() != category.lowercased() { return false }
            if let tag = query.tag, !manifest.tags.contains(where: { $0.lowercased() == tag.lowercased() }) { return false }
            let text = ([manifest.name, manifest.description, manifest.key.rawValue, manifest.publisher, entry.listed.publisherName] + manifest.tags)
                .joined(separator: " ").lowercased()
            return words.allSatisfy { text.contains($0) }
        }
    }

    public func catalogEntry(_ key: ExtensionKey, caller: Caller) async throws -> (entry: CatalogEntry, agentCapabilities: Set<String>) {
        let scope = try caller.activeTenant()
        let entry = try await visibleEntry(key, scope)
        return (entry, try await store.agentCapabilities(scope))
    }

    /// The consent screen's entry: the newest available release and the install's present consent.
    public func consent(_ key: ExtensionKey, caller: Caller) async throws -> CatalogEntry {
        try await visibleEntry(key, try caller.activeTenant())
    }

    // MARK: Installs

    public func installs(caller: Caller) async throws -> [InstallView] {
        let scope = try caller.activeTenant()
        var views: [InstallView] = []
        for installed in try await store.installs(scope) {
            views.append(try await view(installed, scope))
        }
        return views
    }

    /// Installs, or consents again to, the newest available release. The digests sent must be that release's.
    public func install(_ key: ExtensionKey, _ consent: InstallConsent, caller: Caller) async throws -> InstallResult {
        let scope = try installerScope(caller)
        let entry = try await visibleEntry(key, scope)
        let release = entry.listed.release
        try ConsentCheck.require(
            manifest: try ContentDigest.parse(consent.manifestDigest, field: "manifest_digest"),
            artifact: try ContentDigest.parse(consent.artifactDigest, field: "artifact_digest"), release: release
        )
        let cannotRun = Compatibility(manifest: release.manifest, agentCapabilities: []).serverMissing
        guard cannotRun.isEmpty else {
            throw DomainError.forbidden("Release \(release.version) cannot run on this server: \(cannotRun.joined(separator: "; ")).")
        }
        let spec = release.manifest.settings
        let key = entry.listed.package.extensionKey
        // Consenting again keeps the settings unless new ones are sent.
        let previous = try await currentSettings(entry.install, key, scope)
        let settings = try Self.bounded(consent.settings ?? previous)
        let policy = try await store.extensionPolicy(key: key, scope)
        try spec.validate(tenant: settings, policy: policy)
        let (plain, secrets) = Self.split(settings, spec)
        let installed = try await store.install(NewInstall(
            releaseID: release.id, settings: plain, sealedSecrets: try sealer.seal(secrets), secretKeys: secrets.keys.sorted()
        ), scope, by: caller.user.id, at: Date())
        // Built from what the install's own transaction returned: a reader may not see that write yet.
        let capabilities = try await store.agentCapabilities(scope)
        return InstallResult(
            entry: CatalogEntry(listed: installed.release, install: installed.install), agentCapabilities: capabilities,
            install: try await view(installed, scope)
        )
    }

    public func installed(_ key: ExtensionKey, caller: Caller) async throws -> InstalledExtension {
        try await visibleInstall(key, try caller.activeTenant())
    }

    public func installState(_ key: ExtensionKey, caller: Caller) async throws -> InstallState {
        let scope = try caller.activeTenant()
        let installed = try await visibleInstall(key, scope)
        let install = installed.install
        let (status, reason) = install.effectiveStatus(releaseCompatibility: Compatibility(manifest: installed.release.release.manifest, agentCapabilities: []))
        let available = try await store.catalogEntry(key: install.extensionKey, scope)?.listed.release.version
        let policy = try await store.extensionPolicy(key: install.extensionKey, scope)
        return InstallState(
            install: install, status: status, statusReason: reason, availableVersion: available.flatMap { $0 > install.version ? $0 : nil },
            policyFixedKeys: policy.keys.sorted()
        )
    }

    public func uninstall(_ key: ExtensionKey, caller: Caller) async throws {
        let scope = try installerScope(caller)
        let installed = try await visibleInstall(key, scope)
        try await store.uninstall(key: installed.install.extensionKey, scope, by: caller.user.id, at: Date())
    }

    /// The install's marketplace audit; 404 when the extension was never installed in the active tenant.
    public func audit(_ key: ExtensionKey, caller: Caller) async throws -> [MarketplaceAuditEvent] {
        let scope = try caller.activeTenant()
        let events = try await store.installAudit(key: key, scope)
        let installed = try await store.install(key: key, scope)
        guard !events.isEmpty || installed != nil else {
            throw DomainError.notFound("'\(key)' was never installed in the active tenant.")
        }
        return events
    }

    /// Opting in lets the tenant see (and install) the extension's beta releases.
    public func setBetaOptIn(_ key: ExtensionKey, enabled: Bool, caller: Caller) async throws {
        try await store.setBetaOptIn(key: key, enabled: enabled, try installerScope(caller), at: Date())
    }

    // MARK: Settings

    public func settings(_ key: ExtensionKey, caller: Caller) async throws -> InstallView {
        let scope = try caller.activeTenant()
        return try await view(try await visibleInstall(key, scope), scope)
    }

    /// A merge patch of the tenant's settings: null removes one; a secret sent back as `{"secret":"set"}` is kept.
    public func updateSettings(_ key: ExtensionKey, patch: [String: JSONValue], caller: Caller) async throws -> SettingsUpdate {
        let scope = try installerScope(caller)
        let installed = try await visibleInstall(key, scope)
        let spec = installed.release.release.manifest.settings
        let key = installed.install.extensionKey
        var patch = patch
        for (name, value) in patch where spec.secretKeys.contains(name) && value == Self.secretSet { patch[name] = nil }
        let old = try await currentSettings(installed.install, key, scope)
        let new = try Self.bounded(ExtensionSettingsSpec.merging(patch, into: old))
        let change = try spec.change(from: old, to: new)
        let policy = try await store.extensionPolicy(key: key, scope)
        if let fixed = change.changedKeys.first(where: { policy[$0] != nil }) {
            throw DomainError.invalidInput("settings.\(fixed) is fixed by control-plane policy; the operator's value applies.")
        }
        try spec.validate(tenant: new, policy: policy)
        let (plain, secrets) = Self.split(new, spec)
        let updated = try await store.updateInstallSettings(key: key, InstallSettingsUpdate(
            settings: plain, sealedSecrets: try sealer.seal(secrets), secretKeys: secrets.keys.sorted(), change: change
        ), scope, by: caller.user.id, at: Date())
        var reconcile: StartOutcome?
        if !change.reconcileKeys.isEmpty {
            reconcile = try await gate.start(.integrationSettingsReconcile, caller: caller, StartRequest(
                targetContext: ["extensionKey": key.rawValue, "settings": change.reconcileKeys.joined(separator: ",")],
                sourceSurface: "updateIntegrationSettings"
            ))
        }
        return SettingsUpdate(install: try await view(updated, scope), reconcile: reconcile)
    }

    // MARK: Not found

    /// 404 for a catalog entry the tenant may not see, whether or not it exists (malformed keys included).
    public static func notInCatalog(_ pathValue: String) -> DomainError {
        DomainError.notFound("No extension '\(pathValue.prefix(100))' is available to the active tenant.")
    }

    /// 404 for an extension the active tenant has not installed (malformed keys included).
    public static func notInstalled(_ pathValue: String) -> DomainError {
        DomainError.notFound("'\(pathValue.prefix(100))' is not installed in the active tenant.")
    }

    // MARK: Helpers

    private static let secretSet = JSONValue.object(["secret": .string("set")])

    /// The active tenant, for a caller who may install there.
    private func installerScope(_ caller: Caller) throws -> TenantScope {
        let scope = try caller.activeTenant()
        try caller.require(.installExtensions)
        return scope
    }

    private func catalog(_ caller: Caller, _ include: (CatalogEntry) -> Bool) async throws -> CatalogListing {
        let scope = try caller.activeTenant()
        let capabilities = try await store.agentCapabilities(scope)
        return CatalogListing(entries: try await store.catalog(scope).filter(include), agentCapabilities: capabilities)
    }

    private func visibleEntry(_ key: ExtensionKey, _ scope: TenantScope) async throws -> CatalogEntry {
        guard let entry = try await store.catalogEntry(key: key, scope) else { throw Self.notInCatalog(key.rawValue) }
        return entry
    }

    private func visibleInstall(_ key: ExtensionKey, _ scope: TenantScope) async throws -> InstalledExtension {
        guard let installed = try await store.install(key: key, scope) else { throw Self.notInstalled(key.rawValue) }
        return installed
    }

    /// The install's tenant settings with its secrets opened (for validation and change detection only).
    private func currentSettings(_ install: ExtensionInstall?, _ key: ExtensionKey, _ scope: TenantScope) async throws -> [String: JSONValue] {
        guard let install else { return [:] }
        let secrets = try sealer.open(try await store.sealedSecrets(key: key, scope))
        return install.settings.merging(secrets) { $1 }
    }

    private func view(_ installed: InstalledExtension, _ scope: TenantScope) async throws -> InstallView {
        let install = installed.install
        let policy = try await store.extensionPolicy(key: install.extensionKey, scope)
        let effective = installed.release.release.manifest.settings.effective(tenant: install.settings, policy: policy)
        return InstallView(installed: installed, effectiveSettings: effective)
    }

    /// Plain settings and secret ones, apart.
    private static func split(_ settings: [String: JSONValue], _ spec: ExtensionSettingsSpec) -> ([String: JSONValue], [String: JSONValue]) {
        (settings.filter { !spec.secretKeys.contains($0.key) }, settings.filter { spec.secretKeys.contains($0.key) })
    }

    private static func bounded(_ settings: [String: JSONValue]) throws -> [String: JSONValue] {
        guard settings.count <= 100, (try? JSONEncoder().encode(settings).count) ?? 0 <= 64 * 1024 else {
            throw DomainError.invalidInput("settings may hold at most 100 settings and 64 KiB of JSON.")
        }
        return settings
    }
}
