import Foundation
import GlobalStacksAPI
import GlobalStacksContract
import GlobalStacksDomain
import GlobalStacksUseCases

/// Invitations to the active organization, and accepting one.
extension OrganizationsHandler {
    func listOrganizationInvitations(_ input: Operations.ListOrganizationInvitations.Input, caller: Caller) async throws -> Operations.ListOrganizationInvitations.Output {
        let invitations = try await organizations.invitations(caller: caller)
        let now = Date()
        return .ok(.init(body: .json(.init(items: invitations.map { APIMapping.invitation($0, at: now) }))))
    }

    func createOrganizationInvitation(_ input: Operations.CreateOrganizationInvitation.Input, caller: Caller) async throws -> Operations.CreateOrganizationInvitation.Output {
        guard case .json(let request) = input.body else { throw DomainError.invalidInput("Send a JSON body.") }
        let issued = try await organizations.invite(email: request.email, role: APIMapping.role(request.role), caller: caller)
        return .created(.init(body: .json(APIMapping.invitation(issued.invitation, at: Date(), acceptURL: issued.acceptURL))))
    }

    func acceptOrganizationInvitation(_ input: Operations.AcceptOrganizationInvitation.Input, caller: Caller) async throws -> Operations.AcceptOrganizationInvitation.Output {
        let (organization, invitation) = try await organizations.acceptInvitation(token: input.path.token, caller: caller)
        return .ok(.init(body: .json(.init(
            organization: APIMapping.organization(
                organization, role: invitation.role, active: organization.id == caller.principal.organization.organization.id
            ),
            invitation: APIMapping.invitation(invitation, at: Date())
        ))))
    }

    func revokeOrganizationInvitation(_ input: Operations.RevokeOrganizationInvitation.Input, caller: Caller) async throws -> Operations.RevokeOrganizationInvitation.Output {
        let invitation = try await organizations.revokeInvitation(try pathID(input.path.invitationId, "invitation"), caller: caller)
        return .ok(.init(body: .json(APIMapping.invitation(invitation, at: Date()))))
    }
}
