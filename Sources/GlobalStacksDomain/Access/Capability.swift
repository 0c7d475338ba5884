/// Everything a caller can be allowed to do. Derived from site role, organization role and tenant by `AccessPolicy`.
public enum Capability: Sendable, CaseIterable {
    /// Rename the active organization, manage its members and invitations.
    case manageOrganization
    /// Create tenants in the active organization and change their status.
    case manageTenants
    /// Create and change `byo` clusters of the active tenant.
    case manageTenantClusters
    /// Create and change `globalstacks-managed` clusters (platform capacity).
    case manageManagedClusters
    /// Create, list and deactivate user accounts.
    case manageUsers
    /// Connect, change and remove the tenant's provider accounts, and verify them.
    case manageIntegrations
    /// Start provider-backed operations (syncs) in the tenant.
    case runProviderOperations
    /// Create developer apps, keys, packages and releases of the active tenant, and move its releases.
    case publishExtensions
    /// Install, consent to, configure and uninstall extensions in the active tenant.
    case installExtensions
    /// Create and delete the active tenant's data-plane instances and object stores (members read them).
    case manageDataPlane
    /// Build templates and save sandboxes as templates in the active tenant (every member, as sandboxes).
    case buildTemplates
    /// Delete any of the active tenant's templates and declare its warm pools (a template's creator deletes it too).
    case manageTemplates
    /// Publish platform templates, which every tenant sees.
    case publishPlatformTemplates
    /// Review releases (approve, reject, publish, revoke) and set extension policy for the installation.
    case reviewExtensions
}
