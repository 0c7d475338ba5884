import GlobalStacksAPI
import GlobalStacksContract
import GlobalStacksUseCases

/// The operations of this area, mapped to its handler.
extension APIController {
    var installs: InstallsHandler { InstallsHandler(installs: useCases.installs) }

    func listIntegrationCatalog(_ input: Operations.ListIntegrationCatalog.Input) async throws -> Operations.ListIntegrationCatalog.Output { try await installs.listIntegrationCatalog(input, caller: try caller) }
    func searchIntegrationCatalog(_ input: Operations.SearchIntegrationCatalog.Input) async throws -> Operations.SearchIntegrationCatalog.Output { try await installs.searchIntegrationCatalog(input, caller: try caller) }
    func getIntegrationCatalogItem(_ input: Operations.GetIntegrationCatalogItem.Input) async throws -> Operations.GetIntegrationCatalogItem.Output { try await installs.getIntegrationCatalogItem(input, caller: try caller) }
    func getIntegrationConsent(_ input: Operations.GetIntegrationConsent.Input) async throws -> Operations.GetIntegrationConsent.Output { try await installs.getIntegrationConsent(input, caller: try caller) }
    func listIntegrationInstalls(_ input: Operations.ListIntegrationInstalls.Input) async throws -> Operations.ListIntegrationInstalls.Output { try await installs.listIntegrationInstalls(input, caller: try caller) }
    func installIntegration(_ input: Operations.InstallIntegration.Input) async throws -> Operations.InstallIntegration.Output { try await installs.installIntegration(input, caller: try caller) }
    func getIntegrationSettings(_ input: Operations.GetIntegrationSettings.Input) async throws -> Operations.GetIntegrationSettings.Output { try await installs.getIntegrationSettings(input, caller: try caller) }
    func updateIntegrationSettings(_ input: Operations.UpdateIntegrationSettings.Input) async throws -> Operations.UpdateIntegrationSettings.Output { try await installs.updateIntegrationSettings(input, caller: try caller) }
    func getIntegrationCliCommands(_ input: Operations.GetIntegrationCliCommands.Input) async throws -> Operations.GetIntegrationCliCommands.Output { try await installs.getIntegrationCliCommands(input, caller: try caller) }
    func getIntegrationInstallState(_ input: Operations.GetIntegrationInstallState.Input) async throws -> Operations.GetIntegrationInstallState.Output { try await installs.getIntegrationInstallState(input, caller: try caller) }
    func uninstallIntegration(_ input: Operations.UninstallIntegration.Input) async throws -> Operations.UninstallIntegration.Output { try await installs.uninstallIntegration(input, caller: try caller) }
    func listIntegrationAudit(_ input: Operations.ListIntegrationAudit.Input) async throws -> Operations.ListIntegrationAudit.Output { try await installs.listIntegrationAudit(input, caller: try caller) }
    func optInToBeta(_ input: Operations.OptInToBeta.Input) async throws -> Operations.OptInToBeta.Output { try await installs.optInToBeta(input, caller: try caller) }
    func optOutOfBeta(_ input: Operations.OptOutOfBeta.Input) async throws -> Operations.OptOutOfBeta.Output { try await installs.optOutOfBeta(input, caller: try caller) }
}
