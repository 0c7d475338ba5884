import Foundation
import GlobalStacksAPI
import GlobalStacksDomain
import GlobalStacksStore
import GlobalStacksUseCases
import Logging

/// What the active tenant sees of the marketplace and what it installed: catalog, consent, installs, settings and
/// CLI metadata. Members read; owners and admins (`installExtensions`) install, configure and uninstall.
struct IntegrationInstallsHandler {
    let store: any RequestStore
    let authenticator: Authenticator
    let sealer: SecretSealer
    let gate: OperationGate

    func listIntegrationCatalog(_ input: Operations.ListIntegrationCatalog.Input) async throws -> Operations.ListIntegrationCatalog.Output {
        .ok(.init(body: .json(.init(items: try await catalogItems { _ in true }))))
    }

    func searchIntegrationCatalog(_ input: Operations.SearchIntegrationCatalog.Input) async throws -> Operations.SearchIntegrationCatalog.Output {
        let query = input.query
        for (name, value) in [("category", query.category), ("tag", query.tag), ("q", query.q)] where (value?.count ?? 0) > 200 {
            throw DomainError.invalidInput("\(name) must be at most 200 characters.")
        }
        let words = (query.q ?? "").lowercased().split(whereSeparator: \.isWhitespace).map(String.init)
        let items = try await catalogItems { entry in
            let manifest = entry.listed.release.manifest
            if let category = query.category, manifest.category?.lowercased() != category.lowercased() { return false }
            if let tag = query.tag, !manifest.tags.contains(where: { $0.lowercased() == tag.lowercased() }) { return false }
            let text = ([manifest.name, manifest.description, manifest.key.rawValue, manifest.publisher, entry.listed.publisherName] + manifest.tags)
                .joined(separator: " ").lowercased()
            return words.allSatisfy { text.contains($0) }
        }
        return .ok(.init(body: .json(.init(items: items))))
    }

    func getIntegrationCatalogItem(_ input: Operations.GetIntegrationCatalogItem.Input) async throws -> Operations.GetIntegrationCatalogItem.Output {
        let scope = try AccessPolicy.requireActiveTenantScope(try authenticator.principal())
        let entry = try await visibleEntry(input.path.extensionKey, scope)
        return .ok(.init(body: .json(APIMapping.catalogItem(entry, agentCapabilities: try await store.agentCapabilities(scope)))))
    }

    /// The consent screen: what the newest available release asks for, what is new beside the install's consent,
    /// and the digests to send back when consenting.
    func getIntegrationConsent(_ input: Operations.GetIntegrationConsent.Input) async throws -> Operations.GetIntegrationConsent.Output {
        let scope = try AccessPolicy.requireActiveTenantScope(try authenticator.principal())
        let entry = try await visibleEntry(input.path.extensionKey, scope)
        let release = entry.listed.release
        let consented = Set(entry.install?.consentedPermissions ?? [])
        let consentedEgress = Set(entry.install?.consentedEgress ?? [])
        return .ok(.init(body: .json(.init(
            extensionKey: entry.listed.package.extensionKey.rawValue, name: release.manifest.name, publisher: entry.listed.publisherName,
            version: release.version.description, manifestDigest: release.manifestDigest.rawValue, artifactDigest: release.artifactDigest.rawValue,
            permissions: release.manifest.permissions.map {
                .init(name: $0.permission.rawValue, purpose: $0.purpose, allows: $0.permission.allows,
                      new: entry.install == nil ? nil : !consented.contains($0.permission.rawValue))
            },
            egress: release.manifest.egressNames,
            newEgress: entry.install == nil ? nil : release.manifest.egressNames.filter { !consentedEgress.contains($0) }
        ))))
    }

    func listIntegrationInstalls(_ input: Operations.ListIntegrationInstalls.Input) async throws -> Operations.ListIntegrationInstalls.Output {
        let scope = try AccessPolicy.requireActiveTenantScope(try authenticator.principal())
        var items: [Components.Schemas.IntegrationInstall] = []
        for installed in try await store.installs(scope) {
            items.append(try await mapped(installed, scope))
        }
        return .ok(.init(body: .json(.init(items: items))))
    }

    /// Installs, or consents again to, the newest available release. The digests sent must be that release's.
    func installIntegration(_ input: Operations.InstallIntegration.Input) async throws -> Operations.InstallIntegration.Output {
        let (principal, scope) = try installer()
        let entry = try await visibleEntry(input.path.extensionKey, scope)
        guard case .json(let request) = input.body else { throw DomainError.invalidInput("Send a JSON body.") }
        let release = entry.listed.release
        try ConsentCheck.require(
            manifest: try ContentDigest.parse(request.manifestDigest, field: "manifest_digest"),
            artifact: try ContentDigest.parse(request.artifactDigest, field: "artifact_digest"), release: release
        )
        let cannotRun = Compatibility(manifest: release.manifest, agentCapabilities: []).serverMissing
        guard cannotRun.isEmpty else {
            throw DomainError.forbidden("Release \(release.version) cannot run on this server: \(cannotRun.joined(separator: "; ")).")
        }
        let spec = release.manifest.settings
        let key = entry.listed.package.extensionKey
        // Consenting again keeps the settings unless new ones are sent.
        let previous = try await currentSettings(entry.install, key, scope)
        let requested = try request.settings.map { try APIMapping.jsonObject($0.additionalProperties) }
        let settings = try Self.bounded(requested ?? previous)
        let policy = try await store.extensionPolicy(key: key, scope)
        try spec.validate(tenant: settings, policy: policy)
        let (plain, secrets) = Self.split(settings, spec)
        let installed = try await store.install(NewInstall(
            releaseID: release.id, settings: plain, sealedSecrets: try sealer.seal(secrets), secretKeys: secrets.keys.sorted()
        ), scope, by: principal.user.id, at: Date())
        // Built from what the install's own transaction returned: a reader may not see that write yet.
        let capabilities = try await store.agentCapabilities(scope)
        return .created(.init(body: .json(.init(
            catalogItem: APIMapping.catalogItem(CatalogEntry(listed: installed.release, install: installed.install), agentCapabilities: capabilities),
            install: try await mapped(installed, scope)
        ))))
    }

    func getIntegrationSettings(_ input: Operations.GetIntegrationSettings.Input) async throws -> Operations.GetIntegrationSettings.Output {
        let scope = try AccessPolicy.requireActiveTenantScope(try authenticator.principal())
        let installed = try await visibleInstall(input.path.extensionKey, scope)
        return .ok(.init(body: .json(try await settingsResponse(installed, scope))))
    }

    /// A merge patch of the tenant's settings: null removes one; a secret sent back as `{"secret":"set"}` is kept.
    func updateIntegrationSettings(_ input: Operations.UpdateIntegrationSettings.Input) async throws -> Operations.UpdateIntegrationSettings.Output {
        let (principal, scope) = try installer()
        let installed = try await visibleInstall(input.path.extensionKey, scope)
        guard case .json(let request) = input.body else { throw DomainError.invalidInput("Send a JSON body.") }
        let spec = installed.release.release.manifest.settings
        let key = installed.install.extensionKey
        var patch = try APIMapping.jsonObject(request.settings.additionalProperties)
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
        ), scope, by: principal.user.id, at: Date())
        if !change.reconcileKeys.isEmpty {
            let outcome = try await gate.start(.integrationSettingsReconcile, principal: principal, StartRequest(
                targetContext: ["extensionKey": key.rawValue, "settings": change.reconcileKeys.joined(separator: ",")],
                sourceSurface: "updateIntegrationSettings"
            ))
            try RequestEnvironment.required.logger.info("Settings change needs a reconcile", metadata: [
                "tenant": "\(scope.tenantID)", "extension": "\(key)", "run": "\(outcome.run.id)", "outcome": "\(outcome.status.rawValue)",
            ])
        }
        return .ok(.init(body: .json(try await settingsResponse(updated, scope))))
    }

    func getIntegrationCliCommands(_ input: Operations.GetIntegrationCliCommands.Input) async throws -> Operations.GetIntegrationCliCommands.Output {
        let scope = try AccessPolicy.requireActiveTenantScope(try authenticator.principal())
        let installed = try await visibleInstall(input.path.extensionKey, scope)
        let commands = try installed.release.release.manifest.cliCommands.map(APIMapping.cliCommand)
        return .ok(.init(body: .json(.init(extensionKey: installed.install.extensionKey.rawValue, commands: commands))))
    }

    func getIntegrationInstallState(_ input: Operations.GetIntegrationInstallState.Input) async throws -> Operations.GetIntegrationInstallState.Output {
        let scope = try AccessPolicy.requireActiveTenantScope(try authenticator.principal())
        let installed = try await visibleInstall(input.path.extensionKey, scope)
        let install = installed.install
        let (status, reason) = install.effectiveStatus(releaseCompatibility: Compatibility(manifest: installed.release.release.manifest, agentCapabilities: []))
        let available = try await store.catalogEntry(key: install.extensionKey, scope)?.listed.release.version
        let policy = try await store.extensionPolicy(key: install.extensionKey, scope)
        return .ok(.init(body: .json(.init(
            extensionKey: install.extensionKey.rawValue, version: install.version.description, status: .init(rawValue: status.rawValue)!,
            statusReason: reason, availableVersion: available.flatMap { $0 > install.version ? $0.description : nil },
            consentedManifestDigest: install.consentedManifestDigest.rawValue, consentedArtifactDigest: install.consentedArtifactDigest.rawValue,
            consentedPermissions: install.consentedPermissions, consentedEgress: install.consentedEgress,
            policyFixedKeys: policy.keys.sorted(), secretsSet: install.secretKeysSet
        ))))
    }

    func uninstallIntegration(_ input: Operations.UninstallIntegration.Input) async throws -> Operations.UninstallIntegration.Output {
        let (principal, scope) = try installer()
        let installed = try await visibleInstall(input.path.extensionKey, scope)
        try await store.uninstall(key: installed.install.extensionKey, scope, by: principal.user.id, at: Date())
        return .noContent(.init())
    }

    func listIntegrationAudit(_ input: Operations.ListIntegrationAudit.Input) async throws -> Operations.ListIntegrationAudit.Output {
        let scope = try AccessPolicy.requireActiveTenantScope(try authenticator.principal())
        let key = try MarketplaceReviewHandler.key(input.path.extensionKey)
        let events = try await store.installAudit(key: key, scope)
        let installed = try await store.install(key: key, scope)
        guard !events.isEmpty || installed != nil else {
            throw DomainError.notFound("'\(key)' was never installed in the active tenant.")
        }
        return .ok(.init(body: .json(.init(items: try events.map(APIMapping.auditEvent)))))
    }

    func optInToBeta(_ input: Operations.OptInToBeta.Input) async throws -> Operations.OptInToBeta.Output {
        let (_, scope) = try installer()
        try await store.setBetaOptIn(key: try MarketplaceReviewHandler.key(input.path.extensionKey), enabled: true, scope, at: Date())
        return .noContent(.init())
    }

    func optOutOfBeta(_ input: Operations.OptOutOfBeta.Input) async throws -> Operations.OptOutOfBeta.Output {
        let (_, scope) = try installer()
        try await store.setBetaOptIn(key: try MarketplaceReviewHandler.key(input.path.extensionKey), enabled: false, scope, at: Date())
        return .noContent(.init())
    }

    // MARK: helpers

    private static let secretSet = JSONValue.object(["secret": .string("set")])

    private func installer() throws -> (Principal, TenantScope) {
        let principal = try authenticator.principal()
        let scope = try AccessPolicy.requireActiveTenantScope(principal)
        try AccessPolicy.require(.installExtensions, principal)
        return (principal, scope)
    }

    private func catalogItems(_ include: (CatalogEntry) -> Bool) async throws -> [Components.Schemas.IntegrationCatalogItem] {
        let scope = try AccessPolicy.requireActiveTenantScope(try authenticator.principal())
        let capabilities = try await store.agentCapabilities(scope)
        return try await store.catalog(scope).filter(include).map { APIMapping.catalogItem($0, agentCapabilities: capabilities) }
    }

    /// A catalog entry the tenant may see; anything else is 404, whether or not it exists.
    private func visibleEntry(_ pathValue: String, _ scope: TenantScope) async throws -> CatalogEntry {
        guard let key = ExtensionKey(rawValue: pathValue), let entry = try await store.catalogEntry(key: key, scope) else {
            throw DomainError.notFound("No extension '\(pathValue.prefix(100))' is available to the active tenant.")
        }
        return entry
    }

    private func visibleInstall(_ pathValue: String, _ scope: TenantScope) async throws -> InstalledExtension {
        guard let key = ExtensionKey(rawValue: pathValue), let installed = try await store.install(key: key, scope) else {
            throw DomainError.notFound("'\(pathValue.prefix(100))' is not installed in the active tenant.")
        }
        return installed
    }

    /// The install's tenant settings with its secrets opened (for validation and change detection only).
    private func currentSettings(_ install: IntegrationInstall?, _ key: ExtensionKey, _ scope: TenantScope) async throws -> [String: JSONValue] {
        guard let install else { return [:] }
        let secrets = try sealer.open(try await store.sealedSecrets(key: key, scope))
        return install.settings.merging(secrets) { $1 }
    }

    private func mapped(_ installed: InstalledExtension, _ scope: TenantScope) async throws -> Components.Schemas.IntegrationInstall {
        let install = installed.install
        let policy = try await store.extensionPolicy(key: install.extensionKey, scope)
        let effective = installed.release.release.manifest.settings.effective(tenant: install.settings, policy: policy)
        return try APIMapping.integrationInstall(installed, effective: effective)
    }

    private func settingsResponse(_ installed: InstalledExtension, _ scope: TenantScope) async throws -> Components.Schemas.IntegrationSettingsResponse {
        let install = installed.install
        let spec = installed.release.release.manifest.settings
        let policy = try await store.extensionPolicy(key: install.extensionKey, scope)
        let effective = spec.effective(tenant: install.settings, policy: policy)
        return .init(
            extensionKey: install.extensionKey.rawValue,
            settings: .init(additionalProperties: try APIMapping.container(APIMapping.shownSettings(install))),
            effectiveSettings: .init(additionalProperties: try APIMapping.container(APIMapping.shownEffective(effective, install))),
            mutation: .init(additionalProperties: spec.keysByMutation)
        )
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
