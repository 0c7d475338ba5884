/// The authenticated caller of one request, resolved from a session cookie or an API key against current state.
public struct Principal: Sendable, Equatable {
    public let user: User
    public let credential: Credential
    /// The active organization and the caller's current role in it.
    public let organization: OrganizationMembershipView
    /// The active tenant, when one is selected and still belongs to the active organization.
    public let tenant: Tenant?

    public init(user: User, credential: Credential, organization: OrganizationMembershipView, tenant: Tenant?) {
        self.user = user
        self.credential = credential
        self.organization = organization
        self.tenant = tenant
    }
}
