/// The words of the shell-context contract (`shell-context.openapi.yaml`): raw values are the contract's.

/// What kind of page a console route is, which decides where its tenant may come from.
public enum ShellPageCategory: String, Sendable, CaseIterable, Codable {
    /// A page about the workspace that may show one tenant: the tenant may come from a selection, a query hint
    /// (where the route allows one) or the remembered tenant.
    case workspaceScoped = "workspace_scoped"
    /// The workspace chooser: the one page that needs no workspace.
    case workspaceChooserException = "workspace_chooser_exception"
    /// A page under `/admin/t/{external_id}`: its tenant is the route's and nothing else.
    case tenantBound = "tenant_bound"
    /// A page about one record of a tenant (an operation run): its tenant is the record's.
    case tenantScopedEvidence = "tenant_scoped_evidence"
    /// A page about the workspace's own record (members, tenants): never tenant-scoped.
    case canonicalWorkspaceRecordViewer = "canonical_workspace_record_viewer"
}

public enum ShellState: String, Sendable, CaseIterable, Codable {
    case tenantScoped = "tenant_scoped"
    case tenantlessWorkspace = "tenantless_workspace"
    case missingWorkspace = "missing_workspace"
    case invalidWorkspace = "invalid_workspace"
    case missingTenant = "missing_tenant"
    case invalidTenant = "invalid_tenant"
    case inaccessibleTenant = "inaccessible_tenant"
    case incompatibleTenant = "incompatible_tenant"
}

public enum ShellDisplayMode: String, Sendable, CaseIterable, Codable {
    case tenantScoped = "tenant_scoped"
    case tenantless
    case recovery
}

/// Where the workspace or the tenant of a resolution came from. `filament_tenant` is in the contract (the panel
/// framework of its first implementation) and never produced here: our console has no panel state of its own.
public enum ShellContextSource: String, Sendable, CaseIterable, Codable {
    case route
    case explicitSwitch = "explicit_switch"
    case explicitSelect = "explicit_select"
    case sessionWorkspace = "session_workspace"
    case filamentTenant = "filament_tenant"
    case remembered
    case queryHint = "query_hint"
    case none
}

public enum ShellRecoveryAction: String, Sendable, CaseIterable, Codable {
    case none
    case renderTenantlessWorkspace = "render_tenantless_workspace"
    case redirectChooseWorkspace = "redirect_choose_workspace"
    case redirectOperationsIndex = "redirect_operations_index"
    case redirectEvidenceOverview = "redirect_evidence_overview"
    case redirectWorkspaceHome = "redirect_workspace_home"
    case redirectWorkspaceManagedTenants = "redirect_workspace_managed_tenants"
    case redirectWorkspaceRecordFallback = "redirect_workspace_record_fallback"
    case abortNotFound = "abort_not_found"
}
