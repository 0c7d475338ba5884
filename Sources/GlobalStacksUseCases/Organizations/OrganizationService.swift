import Foundation
import GlobalStacksDomain
import GlobalStacksStore

/// The caller's organizations, the active one's members, and invitations to it. Owners and admins manage an
/// organization (rename, invite, revoke); role rules between members run in the store's transaction.
public struct OrganizationService: Sendable {
    private let store: any AccountRepository & OrganizationRepository
    /// Where invitees follow their link: this server's public URL.
    private let publicURL: String

    public init(store: any AccountRepository & OrganizationRepository, publicURL: String) {
        self.store = store
        self.publicURL = publicURL
    }

    /// The organizations the caller is an active member of.
    public func organizations(caller: Caller) async throws -> [OrganizationMembershipView] {
        try await store.memberships(caller.account)
    }

    /// A business organization with the caller as its owner.
    public func create(name: String, caller: Caller) async throws -> Organization {
        try await store.createOrganization(name: try Validation.name(name), caller.account, at: Date())
    }

    /// Makes one of the caller's organizations the active one of their credential (404 for any other).
    public func activate(_ id: OrganizationID, caller: Caller) async throws {
        let account = caller.account
        guard let membership = try await store.membership(organizationID: id, account) else {
            throw DomainError.notFound("No organization \(id) among yours.")
        }
        try await store.activateOrganization(AccessPolicy.organizationScope(for: membership, account), account)
    }

    /// The active organization with its members; pending invitations carry who was invited, so only those who manage
    /// the organization see them.
    public func current(caller: Caller) async throws -> CurrentOrganization {
        let scope = caller.organization
        let now = Date()
        async let members = store.members(scope)
        async let invitations = AccessPolicy.allows(.manageOrganization, caller.principal) ? store.invitations(scope) : []
        return CurrentOrganization(
            membership: caller.principal.organization, members: try await members,
            pendingInvitations: try await invitations.filter { $0.status(at: now) == .pending }, asOf: now
        )
    }

    public func rename(to name: String, caller: Caller) async throws -> Organization {
        let scope = try caller.organization(requiring: .manageOrganization)
        return try await store.renameOrganization(name: try Validation.name(name), scope, at: Date())
    }

    public func changeRole(of member: UserID, to role: OrganizationRole, caller: Caller) async throws -> Membership {
        try await store.changeMemberRole(member: member, to: role, caller.organization, at: Date())
    }

    /// Removes a member: the caller themselves, or another as owner or admin.
    public func remove(_ member: UserID, caller: Caller) async throws {
        try await store.removeMember(member, caller.organization, at: Date())
    }

    // MARK: invitations

    public func invitations(caller: Caller) async throws -> [Invitation] {
        try await store.invitations(try caller.organization(requiring: .manageOrganization))
    }

    /// Invites `email` with `role`; the link to accept it carries the invitation's secret, shown this once.
    public func invite(email: String, role: OrganizationRole, caller: Caller) async throws -> IssuedInvitation {
        let scope = try caller.organization(requiring: .manageOrganization)
        let email = try Validation.email(email)
        let token = SecretToken.generate(prefix: SecretPrefix.invitation)
        let now = Date()
        let invitation = try await store.createInvitation(NewInvitation(
            email: email, role: role, tokenHash: SecretHasher.hash(token.value), tokenPrefix: token.displayPrefix,
            expiresAt: now.addingTimeInterval(Invitation.lifetime)
        ), scope, at: now)
        return IssuedInvitation(invitation: invitation, acceptURL: "\(publicURL)/v1/invitations/\(token.value)/accept")
    }

    /// The caller accepts the invitation whose secret they present, and becomes a member with its role.
    public func acceptInvitation(token: String, caller: Caller) async throws -> (organization: Organization, invitation: Invitation) {
        try await store.acceptInvitation(tokenHash: SecretHasher.hash(token), caller.account, at: Date())
    }

    public func revokeInvitation(_ id: InvitationID, caller: Caller) async throws -> Invitation {
        try await store.revokeInvitation(id: id, try caller.organization(requiring: .manageOrganization), at: Date())
    }
}

/// The caller's active organization as its members see it.
public struct CurrentOrganization: Sendable {
    /// The organization and the caller's role in it.
    public let membership: OrganizationMembershipView
    public let members: [Membership]
    /// Empty for a caller who does not manage the organization.
    public let pendingInvitations: [Invitation]
    /// When the invitations' status was read.
    public let asOf: Date
}

/// An invitation just created, with the link the invitee follows (the only time its secret is shown).
public struct IssuedInvitation: Sendable {
    public let invitation: Invitation
    public let acceptURL: String
}
