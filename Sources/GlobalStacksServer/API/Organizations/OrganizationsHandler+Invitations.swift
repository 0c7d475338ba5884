import Foundation
import GlobalStacksAPI
import GlobalStacksDomain
import GlobalStacksStore
import GlobalStacksUseCases

extension OrganizationsHandler {

    func listOrganizationInvitations(_ input: Operations.ListOrganizationInvitations.Input) async throws -> Operations.ListOrganizationInvitations.Output {
        let principal = try authenticator.principal()
        let scope = try AccessPolicy.organizationScope(requiring: .manageOrganization, principal)
        let now = Date()
        let invitations = try await store.invitations(scope)
        return .ok(.init(body: .json(.init(items: invitations.map { APIMapping.invitation($0, at: now) }))))
    }

    func createOrganizationInvitation(_ input: Operations.CreateOrganizationInvitation.Input) async throws -> Operations.CreateOrganizationInvitation.Output {
        let principal = try authenticator.principal()
        let scope = try AccessPolicy.organizationScope(requiring: .manageOrganization, principal)
        guard case .json(let request) = input.body else { throw DomainError.invalidInput("Send a JSON body.") }
        let email = try Validation.email(request.email)
        let token = SecretToken.generate(prefix: SecretPrefix.invitation)
        let now = Date()
        let invitation = try await store.createInvitation(NewInvitation(
            email: email,
            role: APIMapping.role(request.role), tokenHash: SecretHasher.hash(token.value), tokenPrefix: token.displayPrefix,
            expiresAt: now.addingTimeInterval(Invitation.lifetime)
        ), scope, at: now)
        // The only time the token is shown: the link the invitee follows.
        let acceptURL = "\(publicURL)/v1/invitations/\(token.value)/accept"
        return .created(.init(body: .json(APIMapping.invitation(invitation, at: now, acceptURL: acceptURL))))
    }

    func acceptOrganizationInvitation(_ input: Operations.AcceptOrganizationInvitation.Input) async throws -> Operations.AcceptOrganizationInvitation.Output {
        let principal = try authenticator.principal()
        let now = Date()
        let (organization, invitation) = try await store.acceptInvitation(
            tokenHash: SecretHasher.hash(input.path.token), AccessPolicy.accountScope(principal), at: now
        )
        return .ok(.init(body: .json(.init(
            organization: APIMapping.organization(organization, role: invitation.role, active: organization.id == principal.organization.organization.id),
            invitation: APIMapping.invitation(invitation, at: now)
        ))))
    }

    func revokeOrganizationInvitation(_ input: Operations.RevokeOrganizationInvitation.Input) async throws -> Operations.RevokeOrganizationInvitation.Output {
        let principal = try authenticator.principal()
        let scope = try AccessPolicy.organizationScope(requiring: .manageOrganization, principal)
        let now = Date()
        let invitation = try await store.revokeInvitation(id: try pathID(input.path.invitationId, "invitation"), scope, at: now)
        return .ok(.init(body: .json(APIMapping.invitation(invitation, at: now))))
    }
}
