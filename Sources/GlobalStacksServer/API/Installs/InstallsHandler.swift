import GlobalStacksAPI
import GlobalStacksContract
import GlobalStacksDomain
import GlobalStacksUseCases
import Logging

/// The v1 API's catalog, consent, installs, settings and CLI metadata: maps the contract's input to `InstallService`
/// and its results back.
struct InstallsHandler {
    let installs: InstallService

    func listIntegrationCatalog(_ input: Operations.ListIntegrationCatalog.Input, caller: Caller) async throws -> Operations.ListIntegrationCatalog.Output {
        .ok(.init(body: .json(.init(items: APIMapping.catalogItems(try await installs.catalog(caller: caller))))))
    }

    func searchIntegrationCatalog(_ input: Operations.SearchIntegrationCatalog.Input, caller: Caller) async throws -> Operations.SearchIntegrationCatalog.Output {
        let query = CatalogQuery(category: input.query.category, tag: input.query.tag, text: input.query.q)
        return .ok(.init(body: .json(.init(items: APIMapping.catalogItems(try await installs.searchCatalog(query, caller: caller))))))
    }

    func getIntegrationCatalogItem(_ input: Operations.GetIntegrationCatalogItem.Input, caller: Caller) async throws -> Operations.GetIntegrationCatalogItem.Output {
        let (entry, capabilities) = try await installs.catalogEntry(try catalogKey(input.path.extensionKey), caller: caller)
        return .ok(.init(body: .json(APIMapping.catalogItem(entry, agentCapabilities: capabilities))))
    }

    func getIntegrationConsent(_ input: Operations.GetIntegrationConsent.Input, caller: Caller) async throws -> Operations.GetIntegrationConsent.Output {
        .ok(.init(body: .json(APIMapping.consent(try await installs.consent(try catalogKey(input.path.extensionKey), caller: caller)))))
    }

    func listIntegrationInstalls(_ input: Operations.ListIntegrationInstalls.Input, caller: Caller) async throws -> Operations.ListIntegrationInstalls.Output {
        .ok(.init(body: .json(.init(items: try await installs.installs(caller: caller).map(APIMapping.integrationInstall)))))
    }

    func installIntegration(_ input: Operations.InstallIntegration.Input, caller: Caller) async throws -> Operations.InstallIntegration.Output {
        guard case .json(let request) = input.body else { throw DomainError.invalidInput("Send a JSON body.") }
        let consent = InstallConsent(
            manifestDigest: request.manifestDigest, artifactDigest: request.artifactDigest,
            settings: try request.settings.map { try APIMapping.jsonObject($0.additionalProperties) }
        )
        let result = try await installs.install(try catalogKey(input.path.extensionKey), consent, caller: caller)
        return .created(.init(body: .json(.init(
            catalogItem: APIMapping.catalogItem(result.entry, agentCapabilities: result.agentCapabilities),
            install: try APIMapping.integrationInstall(result.install)
        ))))
    }

    func getIntegrationSettings(_ input: Operations.GetIntegrationSettings.Input, caller: Caller) async throws -> Operations.GetIntegrationSettings.Output {
        .ok(.init(body: .json(try APIMapping.settingsResponse(try await installs.settings(try installedKey(input.path.extensionKey), caller: caller)))))
    }

    func updateIntegrationSettings(_ input: Operations.UpdateIntegrationSettings.Input, caller: Caller) async throws -> Operations.UpdateIntegrationSettings.Output {
        guard case .json(let request) = input.body else { throw DomainError.invalidInput("Send a JSON body.") }
        let update = try await installs.updateSettings(
            try installedKey(input.path.extensionKey), patch: try APIMapping.jsonObject(request.settings.additionalProperties), caller: caller
        )
        if let outcome = update.reconcile {
            try RequestEnvironment.required.logger.info("Settings change needs a reconcile", metadata: [
                "tenant": "\(outcome.run.tenantID)", "extension": "\(update.install.installed.install.extensionKey)", "run": "\(outcome.run.id)",
                "outcome": "\(outcome.status.rawValue)",
            ])
        }
        return .ok(.init(body: .json(try APIMapping.settingsResponse(update.install))))
    }

    func getIntegrationCliCommands(_ input: Operations.GetIntegrationCliCommands.Input, caller: Caller) async throws -> Operations.GetIntegrationCliCommands.Output {
        let installed = try await installs.installed(try installedKey(input.path.extensionKey), caller: caller)
        let commands = try installed.release.release.manifest.cliCommands.map(APIMapping.cliCommand)
        return .ok(.init(body: .json(.init(extensionKey: installed.install.extensionKey.rawValue, commands: commands))))
    }

    func getIntegrationInstallState(_ input: Operations.GetIntegrationInstallState.Input, caller: Caller) async throws -> Operations.GetIntegrationInstallState.Output {
        .ok(.init(body: .json(APIMapping.installState(try await installs.installState(try installedKey(input.path.extensionKey), caller: caller)))))
    }

    func uninstallIntegration(_ input: Operations.UninstallIntegration.Input, caller: Caller) async throws -> Operations.UninstallIntegration.Output {
        try await installs.uninstall(try installedKey(input.path.extensionKey), caller: caller)
        return .noContent(.init())
    }

    func listIntegrationAudit(_ input: Operations.ListIntegrationAudit.Input, caller: Caller) async throws -> Operations.ListIntegrationAudit.Output {
        let events = try await installs.audit(try extensionKey(input.path.extensionKey), caller: caller)
        return .ok(.init(body: .json(.init(items: try events.map(APIMapping.auditEvent)))))
    }

    func optInToBeta(_ input: Operations.OptInToBeta.Input, caller: Caller) async throws -> Operations.OptInToBeta.Output {
        try await installs.setBetaOptIn(try extensionKey(input.path.extensionKey), enabled: true, caller: caller)
        return .noContent(.init())
    }

    func optOutOfBeta(_ input: Operations.OptOutOfBeta.Input, caller: Caller) async throws -> Operations.OptOutOfBeta.Output {
        try await installs.setBetaOptIn(try extensionKey(input.path.extensionKey), enabled: false, caller: caller)
        return .noContent(.init())
    }

    // MARK: Path keys (a malformed key is a 404 in the words of its operation)

    private func catalogKey(_ pathValue: String) throws -> ExtensionKey {
        guard let key = ExtensionKey(rawValue: pathValue) else { throw InstallService.notInCatalog(pathValue) }
        return key
    }

    private func installedKey(_ pathValue: String) throws -> ExtensionKey {
        guard let key = ExtensionKey(rawValue: pathValue) else { throw InstallService.notInstalled(pathValue) }
        return key
    }

    private func extensionKey(_ pathValue: String) throws -> ExtensionKey {
        guard let key = ExtensionKey(rawValue: pathValue) else { throw DomainError.notFound("No extension '\(pathValue.prefix(100))'.") }
        return key
    }
}
