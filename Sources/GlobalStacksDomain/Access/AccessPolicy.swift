/// The one place that decides what a principal may do.
/// Not visible to the caller → 404 (decided by scoping); visible but not allowed → 403 (decided here).
public enum AccessPolicy {
    public static func allows(_ capability: Capability, _ principal: Principal) -> Bool {
        allows(capability, organizationRole: principal.organization.role, siteRole: principal.user.siteRole)
    }

    /// The same decision from roles alone, for work evaluated away from a request (queued operation runs).
    public static func allows(_ capability: Capability, organizationRole orgRole: OrganizationRole, siteRole site: SiteRole) -> Bool {
        switch capability {
        case .manageOrganization, .manageTenants, .manageTenantClusters, .manageIntegrations, .runProviderOperations,
             .publishExtensions, .installExtensions, .manageDataPlane, .manageTemplates:
            return orgRole.canManage
        case .buildTemplates:
            return true
        case .manageManagedClusters, .reviewExtensions, .publishPlatformTemplates:
            return site == .operator || site == .admin
        case .manageUsers:
            return site == .admin
        }
    }

    public static func require(_ capability: Capability, _ principal: Principal) throws {
        guard allows(capability, principal) else {
            throw DomainError.forbidden(refusal(for: capability))
        }
    }

    /// An extension invocation's credential reaches only the operations its consented permissions open
    /// (`ExtensionPermission.operations`); a person's credential is not limited here.
    public static func requireInvocationAllows(_ operationID: String, _ principal: Principal) throws {
        guard let granted = principal.credential.permissions else { return }
        guard let needed = ExtensionPermission.required(for: operationID) else {
            throw DomainError.forbidden("An extension's invocation credential cannot call \(operationID); no extension permission allows it.")
        }
        guard granted.contains(needed) else {
            throw DomainError.forbidden("\(operationID) needs the extension permission '\(needed.rawValue)', which this invocation was not granted.")
        }
    }

    /// The caller's own account.
    public static func accountScope(_ principal: Principal) -> AccountScope {
        AccountScope(userID: principal.user.id, email: principal.user.email, credentialID: principal.credential.id)
    }

    /// The caller's active organization (the principal was resolved against a current, active membership).
    public static func organizationScope(_ principal: Principal) -> OrganizationScope {
        OrganizationScope(organizationID: principal.organization.organization.id, userID: principal.user.id, role: principal.organization.role)
    }

    /// Like `organizationScope`, but only for a caller allowed `capability` there (403 otherwise).
    public static func organizationScope(requiring capability: Capability, _ principal: Principal) throws -> OrganizationScope {
        try require(capability, principal)
        return organizationScope(principal)
    }

    /// An organization of the caller other than the active one, from its membership as the store read it for the
    /// caller's own account (`membership(organizationID:_:)`).
    public static func organizationScope(for membership: OrganizationMembershipView, _ account: AccountScope) -> OrganizationScope {
        OrganizationScope(organizationID: membership.organization.id, userID: account.userID, role: membership.role)
    }

    /// Site administration (user accounts): site admins only (403 otherwise).
    public static func siteAdministrationScope(_ principal: Principal) throws -> SiteAdministrationScope {
        try require(.manageUsers, principal)
        return SiteAdministrationScope(adminID: principal.user.id)
    }

    /// Marketplace review across every publisher: site operators and admins only (403 otherwise).
    public static func marketplaceReviewScope(_ principal: Principal) throws -> MarketplaceReviewScope {
        try require(.reviewExtensions, principal)
        return MarketplaceReviewScope(reviewerID: principal.user.id)
    }

    /// The scope of the caller's active tenant, or nil when no tenant is selected.
    public static func activeTenantScope(_ principal: Principal) -> TenantScope? {
        guard let tenant = principal.tenant, tenant.organizationID == principal.organization.organization.id else {
            return nil
        }
        return TenantScope(tenantID: tenant.id, organizationID: tenant.organizationID)
    }

    /// Like `activeTenantScope`, but a missing selection is an error that tells the caller what to do.
    public static func requireActiveTenantScope(_ principal: Principal) throws -> TenantScope {
        guard let scope = activeTenantScope(principal) else {
            throw DomainError.invalidInput("No tenant is selected; select one with POST /v1/tenants/{tenantId}/activate.")
        }
        return scope
    }

    /// The scope of a tenant in the caller's active organization; a tenant anywhere else is not visible (404).
    public static func tenantScope(for tenant: Tenant, _ principal: Principal) throws -> TenantScope {
        guard tenant.organizationID == principal.organization.organization.id else {
            throw DomainError.notFound("No tenant \(tenant.id) in the active organization.")
        }
        return TenantScope(tenantID: tenant.id, organizationID: tenant.organizationID)
    }

    /// Work inside a sandbox (exec, its files, its output, its exec history): its creator, and the organization's
    /// owners and admins. Other members see that it exists (403, not 404) but cannot reach into it.
    public static func requireSandboxWork(_ principal: Principal, on sandbox: Sandbox) throws {
        guard sandbox.createdBy == principal.user.id || principal.organization.role.canManage else {
            throw DomainError.forbidden("Only the sandbox's creator and the organization's owners and admins may run commands in it or reach its files.")
        }
    }

    private static func refusal(for capability: Capability) -> String {
        switch capability {
        case .manageOrganization: "Owner or admin role in the organization is required."
        case .manageTenants: "Owner or admin role in the organization is required to manage tenants."
        case .manageTenantClusters: "Owner or admin role in the organization is required to manage the tenant's clusters."
        case .manageManagedClusters: "Only site operators and admins can manage globalstacks-managed clusters."
        case .manageUsers: "Only site admins can manage user accounts."
        case .manageIntegrations: "Owner or admin role in the organization is required to manage provider connections."
        case .runProviderOperations: "Owner or admin role in the organization is required to start provider operations."
        case .publishExtensions: "Owner or admin role in the organization is required to publish extensions from its tenants."
        case .installExtensions: "Owner or admin role in the organization is required to install and configure extensions."
        case .manageDataPlane: "Owner or admin role in the organization is required to create and delete data-plane instances and object stores."
        case .buildTemplates: "Building templates needs a membership of the organization."
        case .manageTemplates: "Owner or admin role in the organization is required to delete others' templates and to declare warm pools."
        case .publishPlatformTemplates: "Only site operators and admins can publish platform templates."
        case .reviewExtensions: "Only site operators and admins can review marketplace releases and set extension policy."
        }
    }
}
