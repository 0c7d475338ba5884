/// Proof that a principal may reach one tenant's data. Store methods that touch tenant data take a scope,
/// and only `AccessPolicy` can make one, so there is no unscoped path to tenant data.
public struct TenantScope: Sendable, Equatable {
    public let tenantID: TenantID
    public let organizationID: OrganizationID
    /// The caller's role in the tenant's organization.
    public let role: OrganizationRole

    init(tenantID: TenantID, organizationID: OrganizationID, role: OrganizationRole) {
        self.tenantID = tenantID
        self.organizationID = organizationID
        self.role = role
    }
}
