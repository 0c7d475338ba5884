import Foundation
import GlobalStacksAPI
import GlobalStacksDomain
import GlobalStacksStore

extension APIController {
    static let invitationTokenPrefix = "gsi_"

    func listOrganizationInvitations(_ input: Operations.ListOrganizationInvitations.Input) async throws -> Operations.ListOrganizationInvitations.Output {
        let principal = try await authenticator.principal()
        try AccessPolicy.require(.manageOrganization, principal)
        let now = Date()
        let invitations = try await store.invitations(organizationID: principal.organization.organization.id)
        return .ok(.init(body: .json(.init(items: invitations.map { APIMapping.invitation($0, at: now) }))))
    }

    func createOrganizationInvitation(_ input: Operations.CreateOrganizationInvitation.Input) async throws -> Operations.CreateOrganizationInvitation.Output {
        let principal = try await authenticator.principal()
        try AccessPolicy.require(.manageOrganization, principal)
        guard case .json(let request) = input.body else { throw DomainError.invalidInput("Send a JSON body.") }
        let email = try Validation.email(request.email)
        let token = SecretToken.generate(prefix: Self.invitationTokenPrefix)
        let now = Date()
        let invitation = try await store.createInvitation(NewInvitation(
            organizationID: principal.organization.organization.id, invitedBy: principal.user.id, email: email,
            role: APIMapping.role(request.role), tokenHash: SecretHasher.hash(token.value), tokenPrefix: token.displayPrefix,
            expiresAt: now.addingTimeInterval(Invitation.lifetime)
        ), at: now)
        // The only time the token is shown: the link the invitee follows.
        let acceptURL = "\(configuration.resolvedPublicURL)/v1/invitations/\(token.value)/accept"
        return .created(.init(body: .json(APIMapping.invitation(invitation, at: now, acceptURL: acceptURL))))
    }

    func acceptOrganizationInvitation(_ input: Operations.AcceptOrganizationInvitation.Input) async throws -> Operations.AcceptOrganizationInvitation.Output {
        let principal = try await authenticator.principal()
        let now = Date()
        let (organization, invitation) = try await store.acceptInvitation(
            tokenHash: SecretHasher.hash(input.path.token), user: principal.user, at: now
        )
        return .ok(.init(body: .json(.init(
            organization: APIMapping.organization(organization, role: invitation.role, active: organization.id == principal.organization.organization.id),
            invitation: APIMapping.invitation(invitation, at: now)
        ))))
    }

    func revokeOrganizationInvitation(_ input: Operations.RevokeOrganizationInvitation.Input) async throws -> Operations.RevokeOrganizationInvitation.Output {
        let principal = try await authenticator.principal()
        try AccessPolicy.require(.manageOrganization, principal)
        let now = Date()
        let invitation = try await store.revokeInvitation(
            organizationID: principal.organization.organization.id, invitationID: try pathID(input.path.invitationId, "invitation"), at: now
        )
        return .ok(.init(body: .json(APIMapping.invitation(invitation, at: now))))
    }
}
