import Foundation
import GlobalStacksAPI
import GlobalStacksContract
import GlobalStacksDomain
import GlobalStacksUseCases

/// The one `APIProtocol` conformance: the map from each operation to the handler of its area. Each handler holds the
/// services of its area and nothing of the store.
struct APIController: APIProtocol {
    let auth: AuthHandler
    let organizations: OrganizationsHandler
    let tenants: TenantsHandler
    let clusters: ClustersHandler
    let agents: AgentsHandler
    let sandboxes: SandboxesHandler
    let workspace: WorkspaceHandler
    let groups: GroupsHandler
    let operations: OperationsHandler
    let publishing: PublishingHandler
    let review: MarketplaceReviewHandler
    let installs: InstallsHandler
    let broker: BrokerHandler
    /// Resolves the caller once per operation, for `AuthenticationMiddleware`.
    let authenticator: Authenticator

    init(_ useCases: UseCases, authenticator: Authenticator, configuration: ServerConfiguration) {
        self.authenticator = authenticator
        auth = AuthHandler(
            identity: useCases.identity, deviceLogins: useCases.deviceLogins,
            secureCookies: configuration.secureCookies, sessionAbsoluteLifetime: configuration.sessionAbsoluteLifetime
        )
        organizations = OrganizationsHandler(organizations: useCases.organizations)
        tenants = TenantsHandler(tenants: useCases.tenants)
        clusters = ClustersHandler(clusters: useCases.clusters)
        agents = AgentsHandler(agents: useCases.agents)
        sandboxes = SandboxesHandler(sandboxes: useCases.sandboxes)
        workspace = WorkspaceHandler(workspace: useCases.workspace)
        groups = GroupsHandler(groups: useCases.groups)
        operations = OperationsHandler(operations: useCases.operations, publicURL: configuration.resolvedPublicURL)
        publishing = PublishingHandler(publishing: useCases.publishing)
        review = MarketplaceReviewHandler(review: useCases.review)
        installs = InstallsHandler(installs: useCases.installs)
        broker = BrokerHandler(broker: useCases.broker)
    }

    /// The caller `AuthenticationMiddleware` resolved, for every operation not in `AnonymousOperations`.
    private var caller: Caller {
        get throws { try AuthenticatedCaller.required() }
    }

    // MARK: auth

    func getSession(_ input: Operations.GetSession.Input) async throws -> Operations.GetSession.Output { try await auth.getSession(input, caller: try caller) }
    func createSession(_ input: Operations.CreateSession.Input) async throws -> Operations.CreateSession.Output { try await auth.createSession(input) }
    func listSignInProviders(_ input: Operations.ListSignInProviders.Input) async throws -> Operations.ListSignInProviders.Output { try await auth.listSignInProviders(input) }
    func beginDeviceLogin(_ input: Operations.BeginDeviceLogin.Input) async throws -> Operations.BeginDeviceLogin.Output { try await auth.beginDeviceLogin(input) }
    func pollDeviceLogin(_ input: Operations.PollDeviceLogin.Input) async throws -> Operations.PollDeviceLogin.Output { try await auth.pollDeviceLogin(input) }
    func deleteSession(_ input: Operations.DeleteSession.Input) async throws -> Operations.DeleteSession.Output { try await auth.deleteSession(input, caller: try caller) }
    func completeSetup(_ input: Operations.CompleteSetup.Input) async throws -> Operations.CompleteSetup.Output { try await auth.completeSetup(input) }
    func signUp(_ input: Operations.SignUp.Input) async throws -> Operations.SignUp.Output { try await auth.signUp(input) }
    func listUsers(_ input: Operations.ListUsers.Input) async throws -> Operations.ListUsers.Output { try await auth.listUsers(input, caller: try caller) }
    func createUser(_ input: Operations.CreateUser.Input) async throws -> Operations.CreateUser.Output { try await auth.createUser(input, caller: try caller) }
    func deactivateUser(_ input: Operations.DeactivateUser.Input) async throws -> Operations.DeactivateUser.Output { try await auth.deactivateUser(input, caller: try caller) }
    func listApiKeys(_ input: Operations.ListApiKeys.Input) async throws -> Operations.ListApiKeys.Output { try await auth.listApiKeys(input, caller: try caller) }
    func createApiKey(_ input: Operations.CreateApiKey.Input) async throws -> Operations.CreateApiKey.Output { try await auth.createApiKey(input, caller: try caller) }
    func revokeApiKey(_ input: Operations.RevokeApiKey.Input) async throws -> Operations.RevokeApiKey.Output { try await auth.revokeApiKey(input, caller: try caller) }

    // MARK: organizations

    func listOrganizations(_ input: Operations.ListOrganizations.Input) async throws -> Operations.ListOrganizations.Output { try await organizations.listOrganizations(input, caller: try caller) }
    func createOrganization(_ input: Operations.CreateOrganization.Input) async throws -> Operations.CreateOrganization.Output { try await organizations.createOrganization(input, caller: try caller) }
    func activateOrganization(_ input: Operations.ActivateOrganization.Input) async throws -> Operations.ActivateOrganization.Output { try await organizations.activateOrganization(input, caller: try caller) }
    func getCurrentOrganization(_ input: Operations.GetCurrentOrganization.Input) async throws -> Operations.GetCurrentOrganization.Output { try await organizations.getCurrentOrganization(input, caller: try caller) }
    func updateCurrentOrganization(_ input: Operations.UpdateCurrentOrganization.Input) async throws -> Operations.UpdateCurrentOrganization.Output { try await organizations.updateCurrentOrganization(input, caller: try caller) }
    func updateOrganizationMember(_ input: Operations.UpdateOrganizationMember.Input) async throws -> Operations.UpdateOrganizationMember.Output { try await organizations.updateOrganizationMember(input, caller: try caller) }
    func removeOrganizationMember(_ input: Operations.RemoveOrganizationMember.Input) async throws -> Operations.RemoveOrganizationMember.Output { try await organizations.removeOrganizationMember(input, caller: try caller) }
    func listOrganizationInvitations(_ input: Operations.ListOrganizationInvitations.Input) async throws -> Operations.ListOrganizationInvitations.Output { try await organizations.listOrganizationInvitations(input, caller: try caller) }
    func createOrganizationInvitation(_ input: Operations.CreateOrganizationInvitation.Input) async throws -> Operations.CreateOrganizationInvitation.Output { try await organizations.createOrganizationInvitation(input, caller: try caller) }
    func acceptOrganizationInvitation(_ input: Operations.AcceptOrganizationInvitation.Input) async throws -> Operations.AcceptOrganizationInvitation.Output { try await organizations.acceptOrganizationInvitation(input, caller: try caller) }
    func revokeOrganizationInvitation(_ input: Operations.RevokeOrganizationInvitation.Input) async throws -> Operations.RevokeOrganizationInvitation.Output { try await organizations.revokeOrganizationInvitation(input, caller: try caller) }

    // MARK: tenants

    func listTenants(_ input: Operations.ListTenants.Input) async throws -> Operations.ListTenants.Output { try await tenants.listTenants(input, caller: try caller) }
    func createTenant(_ input: Operations.CreateTenant.Input) async throws -> Operations.CreateTenant.Output { try await tenants.createTenant(input, caller: try caller) }
    func getTenant(_ input: Operations.GetTenant.Input) async throws -> Operations.GetTenant.Output { try await tenants.getTenant(input, caller: try caller) }
    func updateTenant(_ input: Operations.UpdateTenant.Input) async throws -> Operations.UpdateTenant.Output { try await tenants.updateTenant(input, caller: try caller) }
    func activateTenant(_ input: Operations.ActivateTenant.Input) async throws -> Operations.ActivateTenant.Output { try await tenants.activateTenant(input, caller: try caller) }

    // MARK: clusters

    func listClusters(_ input: Operations.ListClusters.Input) async throws -> Operations.ListClusters.Output { try await clusters.listClusters(input, caller: try caller) }
    func createCluster(_ input: Operations.CreateCluster.Input) async throws -> Operations.CreateCluster.Output { try await clusters.createCluster(input, caller: try caller) }
    func getCluster(_ input: Operations.GetCluster.Input) async throws -> Operations.GetCluster.Output { try await clusters.getCluster(input, caller: try caller) }
    func updateCluster(_ input: Operations.UpdateCluster.Input) async throws -> Operations.UpdateCluster.Output { try await clusters.updateCluster(input, caller: try caller) }

    // MARK: agents

    func listProvisioningTokens(_ input: Operations.ListProvisioningTokens.Input) async throws -> Operations.ListProvisioningTokens.Output { try await agents.listProvisioningTokens(input, caller: try caller) }
    func createProvisioningToken(_ input: Operations.CreateProvisioningToken.Input) async throws -> Operations.CreateProvisioningToken.Output { try await agents.createProvisioningToken(input, caller: try caller) }
    func revokeProvisioningToken(_ input: Operations.RevokeProvisioningToken.Input) async throws -> Operations.RevokeProvisioningToken.Output { try await agents.revokeProvisioningToken(input, caller: try caller) }
    func registerAgent(_ input: Operations.RegisterAgent.Input) async throws -> Operations.RegisterAgent.Output { try await agents.registerAgent(input) }
    func rotateAgentKey(_ input: Operations.RotateAgentKey.Input) async throws -> Operations.RotateAgentKey.Output { try await agents.rotateAgentKey(input) }
    func listAgents(_ input: Operations.ListAgents.Input) async throws -> Operations.ListAgents.Output { try await agents.listAgents(input, caller: try caller) }
    func getAgent(_ input: Operations.GetAgent.Input) async throws -> Operations.GetAgent.Output { try await agents.getAgent(input, caller: try caller) }
    func approveAgent(_ input: Operations.ApproveAgent.Input) async throws -> Operations.ApproveAgent.Output { try await agents.approveAgent(input, caller: try caller) }
    func rejectAgent(_ input: Operations.RejectAgent.Input) async throws -> Operations.RejectAgent.Output { try await agents.rejectAgent(input, caller: try caller) }
    func drainAgent(_ input: Operations.DrainAgent.Input) async throws -> Operations.DrainAgent.Output { try await agents.drainAgent(input, caller: try caller) }
    func revokeAgent(_ input: Operations.RevokeAgent.Input) async throws -> Operations.RevokeAgent.Output { try await agents.revokeAgent(input, caller: try caller) }

    // MARK: sandboxes

    func listSandboxes(_ input: Operations.ListSandboxes.Input) async throws -> Operations.ListSandboxes.Output { try await sandboxes.listSandboxes(input, caller: try caller) }
    func createSandbox(_ input: Operations.CreateSandbox.Input) async throws -> Operations.CreateSandbox.Output { try await sandboxes.createSandbox(input, caller: try caller) }
    func getSandbox(_ input: Operations.GetSandbox.Input) async throws -> Operations.GetSandbox.Output { try await sandboxes.getSandbox(input, caller: try caller) }
    func deleteSandbox(_ input: Operations.DeleteSandbox.Input) async throws -> Operations.DeleteSandbox.Output { try await sandboxes.deleteSandbox(input, caller: try caller) }
    func stopSandbox(_ input: Operations.StopSandbox.Input) async throws -> Operations.StopSandbox.Output { try await sandboxes.stopSandbox(input, caller: try caller) }
    func hibernateSandbox(_ input: Operations.HibernateSandbox.Input) async throws -> Operations.HibernateSandbox.Output { try await sandboxes.hibernateSandbox(input, caller: try caller) }
    func wakeSandbox(_ input: Operations.WakeSandbox.Input) async throws -> Operations.WakeSandbox.Output { try await sandboxes.wakeSandbox(input, caller: try caller) }
    func listSandboxCommands(_ input: Operations.ListSandboxCommands.Input) async throws -> Operations.ListSandboxCommands.Output { try await sandboxes.listSandboxCommands(input, caller: try caller) }

    // MARK: workspace (work inside sandboxes)
    func execSandbox(_ input: Operations.ExecSandbox.Input) async throws -> Operations.ExecSandbox.Output { try await workspace.execSandbox(input, caller: try caller) }
    func listSandboxExecs(_ input: Operations.ListSandboxExecs.Input) async throws -> Operations.ListSandboxExecs.Output { try await workspace.listSandboxExecs(input, caller: try caller) }
    func getSandboxOutput(_ input: Operations.GetSandboxOutput.Input) async throws -> Operations.GetSandboxOutput.Output { try await workspace.getSandboxOutput(input, caller: try caller) }
    func listSandboxFiles(_ input: Operations.ListSandboxFiles.Input) async throws -> Operations.ListSandboxFiles.Output { try await workspace.listSandboxFiles(input, caller: try caller) }
    func statSandboxFile(_ input: Operations.StatSandboxFile.Input) async throws -> Operations.StatSandboxFile.Output { try await workspace.statSandboxFile(input, caller: try caller) }
    func deleteSandboxFile(_ input: Operations.DeleteSandboxFile.Input) async throws -> Operations.DeleteSandboxFile.Output { try await workspace.deleteSandboxFile(input, caller: try caller) }
    func makeSandboxDirectory(_ input: Operations.MakeSandboxDirectory.Input) async throws -> Operations.MakeSandboxDirectory.Output { try await workspace.makeSandboxDirectory(input, caller: try caller) }
    func moveSandboxFile(_ input: Operations.MoveSandboxFile.Input) async throws -> Operations.MoveSandboxFile.Output { try await workspace.moveSandboxFile(input, caller: try caller) }
    func downloadSandboxFile(_ input: Operations.DownloadSandboxFile.Input) async throws -> Operations.DownloadSandboxFile.Output { try await workspace.downloadSandboxFile(input, caller: try caller) }
    func uploadSandboxFile(_ input: Operations.UploadSandboxFile.Input) async throws -> Operations.UploadSandboxFile.Output { try await workspace.uploadSandboxFile(input, caller: try caller) }
    func startSandboxProcess(_ input: Operations.StartSandboxProcess.Input) async throws -> Operations.StartSandboxProcess.Output { try await workspace.startSandboxProcess(input, caller: try caller) }
    func listSandboxProcesses(_ input: Operations.ListSandboxProcesses.Input) async throws -> Operations.ListSandboxProcesses.Output { try await workspace.listSandboxProcesses(input, caller: try caller) }
    func getSandboxProcess(_ input: Operations.GetSandboxProcess.Input) async throws -> Operations.GetSandboxProcess.Output { try await workspace.getSandboxProcess(input, caller: try caller) }
    func signalSandboxProcess(_ input: Operations.SignalSandboxProcess.Input) async throws -> Operations.SignalSandboxProcess.Output { try await workspace.signalSandboxProcess(input, caller: try caller) }

    // MARK: groups

    func listGroups(_ input: Operations.ListGroups.Input) async throws -> Operations.ListGroups.Output { try await groups.listGroups(input, caller: try caller) }
    func createGroup(_ input: Operations.CreateGroup.Input) async throws -> Operations.CreateGroup.Output { try await groups.createGroup(input, caller: try caller) }
    func getGroup(_ input: Operations.GetGroup.Input) async throws -> Operations.GetGroup.Output { try await groups.getGroup(input, caller: try caller) }
    func deleteGroup(_ input: Operations.DeleteGroup.Input) async throws -> Operations.DeleteGroup.Output { try await groups.deleteGroup(input, caller: try caller) }
    func listGroupMembers(_ input: Operations.ListGroupMembers.Input) async throws -> Operations.ListGroupMembers.Output { try await groups.listGroupMembers(input, caller: try caller) }
    func addGroupMember(_ input: Operations.AddGroupMember.Input) async throws -> Operations.AddGroupMember.Output { try await groups.addGroupMember(input, caller: try caller) }
    func removeGroupMember(_ input: Operations.RemoveGroupMember.Input) async throws -> Operations.RemoveGroupMember.Output { try await groups.removeGroupMember(input, caller: try caller) }
    func getGroupQuota(_ input: Operations.GetGroupQuota.Input) async throws -> Operations.GetGroupQuota.Output { try await groups.getGroupQuota(input, caller: try caller) }
    func setGroupQuota(_ input: Operations.SetGroupQuota.Input) async throws -> Operations.SetGroupQuota.Output { try await groups.setGroupQuota(input, caller: try caller) }
    func removeGroupQuota(_ input: Operations.RemoveGroupQuota.Input) async throws -> Operations.RemoveGroupQuota.Output { try await groups.removeGroupQuota(input, caller: try caller) }
    func getUserQuota(_ input: Operations.GetUserQuota.Input) async throws -> Operations.GetUserQuota.Output { try await groups.getUserQuota(input, caller: try caller) }
    func setUserQuota(_ input: Operations.SetUserQuota.Input) async throws -> Operations.SetUserQuota.Output { try await groups.setUserQuota(input, caller: try caller) }
    func removeUserQuota(_ input: Operations.RemoveUserQuota.Input) async throws -> Operations.RemoveUserQuota.Output { try await groups.removeUserQuota(input, caller: try caller) }
    func getOrganizationQuota(_ input: Operations.GetOrganizationQuota.Input) async throws -> Operations.GetOrganizationQuota.Output { try await groups.getOrganizationQuota(input, caller: try caller) }
    func setOrganizationQuota(_ input: Operations.SetOrganizationQuota.Input) async throws -> Operations.SetOrganizationQuota.Output { try await groups.setOrganizationQuota(input, caller: try caller) }
    func removeOrganizationQuota(_ input: Operations.RemoveOrganizationQuota.Input) async throws -> Operations.RemoveOrganizationQuota.Output { try await groups.removeOrganizationQuota(input, caller: try caller) }
    func getQuotaUsage(_ input: Operations.GetQuotaUsage.Input) async throws -> Operations.GetQuotaUsage.Output { try await groups.getQuotaUsage(input, caller: try caller) }

    // MARK: operations

    func listOperationTypes(_ input: Operations.ListOperationTypes.Input) async throws -> Operations.ListOperationTypes.Output { try await operations.listOperationTypes(input, caller: try caller) }
    func startOperation(_ input: Operations.StartOperation.Input) async throws -> Operations.StartOperation.Output { try await operations.startOperation(input, caller: try caller) }
    func startOnboardingBootstrap(_ input: Operations.StartOnboardingBootstrap.Input) async throws -> Operations.StartOnboardingBootstrap.Output { try await operations.startOnboardingBootstrap(input, caller: try caller) }
    func listOperationRuns(_ input: Operations.ListOperationRuns.Input) async throws -> Operations.ListOperationRuns.Output { try await operations.listOperationRuns(input, caller: try caller) }
    func getOperationRun(_ input: Operations.GetOperationRun.Input) async throws -> Operations.GetOperationRun.Output { try await operations.getOperationRun(input, caller: try caller) }
    func cancelOperationRun(_ input: Operations.CancelOperationRun.Input) async throws -> Operations.CancelOperationRun.Output { try await operations.cancelOperationRun(input, caller: try caller) }
    func listIntegrations(_ input: Operations.ListIntegrations.Input) async throws -> Operations.ListIntegrations.Output { try await operations.listIntegrations(input, caller: try caller) }
    func createIntegration(_ input: Operations.CreateIntegration.Input) async throws -> Operations.CreateIntegration.Output { try await operations.createIntegration(input, caller: try caller) }
    func getIntegration(_ input: Operations.GetIntegration.Input) async throws -> Operations.GetIntegration.Output { try await operations.getIntegration(input, caller: try caller) }
    func updateIntegration(_ input: Operations.UpdateIntegration.Input) async throws -> Operations.UpdateIntegration.Output { try await operations.updateIntegration(input, caller: try caller) }
    func deleteIntegration(_ input: Operations.DeleteIntegration.Input) async throws -> Operations.DeleteIntegration.Output { try await operations.deleteIntegration(input, caller: try caller) }
    func listDirectoryGroups(_ input: Operations.ListDirectoryGroups.Input) async throws -> Operations.ListDirectoryGroups.Output { try await operations.listDirectoryGroups(input, caller: try caller) }

    // MARK: marketplace

    func listDeveloperApps(_ input: Operations.ListDeveloperApps.Input) async throws -> Operations.ListDeveloperApps.Output { try await publishing.listDeveloperApps(input, caller: try caller) }
    func createDeveloperApp(_ input: Operations.CreateDeveloperApp.Input) async throws -> Operations.CreateDeveloperApp.Output { try await publishing.createDeveloperApp(input, caller: try caller) }
    func listPublisherKeys(_ input: Operations.ListPublisherKeys.Input) async throws -> Operations.ListPublisherKeys.Output { try await publishing.listPublisherKeys(input, caller: try caller) }
    func registerPublisherKey(_ input: Operations.RegisterPublisherKey.Input) async throws -> Operations.RegisterPublisherKey.Output { try await publishing.registerPublisherKey(input, caller: try caller) }
    func revokePublisherKey(_ input: Operations.RevokePublisherKey.Input) async throws -> Operations.RevokePublisherKey.Output { try await publishing.revokePublisherKey(input, caller: try caller) }
    func uploadExtensionContent(_ input: Operations.UploadExtensionContent.Input) async throws -> Operations.UploadExtensionContent.Output { try await publishing.uploadExtensionContent(input, caller: try caller) }
    func listExtensionPackages(_ input: Operations.ListExtensionPackages.Input) async throws -> Operations.ListExtensionPackages.Output { try await publishing.listExtensionPackages(input, caller: try caller) }
    func createExtensionPackage(_ input: Operations.CreateExtensionPackage.Input) async throws -> Operations.CreateExtensionPackage.Output { try await publishing.createExtensionPackage(input, caller: try caller) }
    func registerReleaseSignature(_ input: Operations.RegisterReleaseSignature.Input) async throws -> Operations.RegisterReleaseSignature.Output { try await publishing.registerReleaseSignature(input, caller: try caller) }
    func listExtensionReleases(_ input: Operations.ListExtensionReleases.Input) async throws -> Operations.ListExtensionReleases.Output { try await publishing.listExtensionReleases(input, caller: try caller) }
    func createExtensionRelease(_ input: Operations.CreateExtensionRelease.Input) async throws -> Operations.CreateExtensionRelease.Output { try await publishing.createExtensionRelease(input, caller: try caller) }
    func moveExtensionRelease(_ input: Operations.MoveExtensionRelease.Input) async throws -> Operations.MoveExtensionRelease.Output { try await publishing.moveExtensionRelease(input, caller: try caller) }
    func getReleaseAllowlist(_ input: Operations.GetReleaseAllowlist.Input) async throws -> Operations.GetReleaseAllowlist.Output { try await publishing.getReleaseAllowlist(input, caller: try caller) }
    func setReleaseAllowlist(_ input: Operations.SetReleaseAllowlist.Input) async throws -> Operations.SetReleaseAllowlist.Output { try await publishing.setReleaseAllowlist(input, caller: try caller) }
    func listPackageAudit(_ input: Operations.ListPackageAudit.Input) async throws -> Operations.ListPackageAudit.Output { try await publishing.listPackageAudit(input, caller: try caller) }
    func listReviewQueue(_ input: Operations.ListReviewQueue.Input) async throws -> Operations.ListReviewQueue.Output { try await review.listReviewQueue(input, caller: try caller) }
    func getReviewedRelease(_ input: Operations.GetReviewedRelease.Input) async throws -> Operations.GetReviewedRelease.Output { try await review.getReviewedRelease(input, caller: try caller) }
    func decideExtensionRelease(_ input: Operations.DecideExtensionRelease.Input) async throws -> Operations.DecideExtensionRelease.Output { try await review.decideExtensionRelease(input, caller: try caller) }
    func getExtensionPolicy(_ input: Operations.GetExtensionPolicy.Input) async throws -> Operations.GetExtensionPolicy.Output { try await review.getExtensionPolicy(input, caller: try caller) }
    func setExtensionPolicy(_ input: Operations.SetExtensionPolicy.Input) async throws -> Operations.SetExtensionPolicy.Output { try await review.setExtensionPolicy(input, caller: try caller) }
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
    func invokeIntegrationExtension(_ input: Operations.InvokeIntegrationExtension.Input) async throws -> Operations.InvokeIntegrationExtension.Output { try await broker.invokeIntegrationExtension(input, caller: try caller) }
    func listIntegrationAudit(_ input: Operations.ListIntegrationAudit.Input) async throws -> Operations.ListIntegrationAudit.Output { try await installs.listIntegrationAudit(input, caller: try caller) }
    func optInToBeta(_ input: Operations.OptInToBeta.Input) async throws -> Operations.OptInToBeta.Output { try await installs.optInToBeta(input, caller: try caller) }
    func optOutOfBeta(_ input: Operations.OptOutOfBeta.Input) async throws -> Operations.OptOutOfBeta.Output { try await installs.optOutOfBeta(input, caller: try caller) }
}
