import GlobalStacksAPI
import GlobalStacksContract
import GlobalStacksUseCases

/// The operations of this area, mapped to its handler.
extension APIController {
    var organizations: OrganizationsHandler { OrganizationsHandler(organizations: useCases.organizations) }

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
}
