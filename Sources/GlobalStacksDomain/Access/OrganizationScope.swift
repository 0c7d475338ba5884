/// Proof that a principal is an active member of one organization, with the role it holds there. Store methods that
/// touch organization data (members, invitations, tenants, groups, quotas) take one, and only `AccessPolicy` can
/// make one, so no request reaches an organization it does not belong to.
public struct OrganizationScope: Sendable, Equatable {
    public let organizationID: OrganizationID
    /// The member acting (the actor of role changes and invitations).
    public let userID: UserID
    /// The member's role when the scope was made; rules that must hold under concurrency read it again in the store.
    public let role: OrganizationRole

    init(organizationID: OrganizationID, userID: UserID, role: OrganizationRole) {
        self.organizationID = organizationID
        self.userID = userID
        self.role = role
    }
}
