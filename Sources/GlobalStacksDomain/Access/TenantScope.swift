/// Proof that a principal may reach one tenant's data. Store methods that touch tenant data take a scope,
/// and only `AccessPolicy` can make one, so there is no unscoped path to tenant data.
public struct TenantScope: Sendable, Equatable {
    public let tenantID: TenantID
    public let organizationID: OrganizationID

    init(tenantID: TenantID, organizationID: OrganizationID) {
        self.tenantID = tenantID
        self.organizationID = organizationID
    }
}
