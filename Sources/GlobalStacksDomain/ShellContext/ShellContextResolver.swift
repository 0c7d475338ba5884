/// Resolves the workspace and tenant of one console request (DESIGN.md, "Shell context"). Pure: what the session
/// holds and what the user may see come in, the contract's `ResolvedShellContext` comes out.
///
/// Workspace, strongest first: an explicit switch, the session's workspace, the remembered last workspace (only to
/// restore a session whose workspace is gone); none → the chooser, keeping the intended URL.
/// Tenant, strongest first: the route's tenant, an explicit selection, a query hint (workspace-scoped routes that allow
/// one), the remembered tenant (workspace-scoped pages only), else none. Tenant-bound and evidence pages take only
/// their route's tenant. A tenant the request names that the user cannot have is not found: never a wider view.
public enum ShellContextResolver {
    public static let workspaceChooserPath = "/admin/choose-workspace"
    public static let tenantChooserPath = "/admin/choose-tenant"

    public static func resolve(_ request: ShellContextRequest, session: ShellSession, directory: ShellDirectory) -> ResolvedShellContext {
        let category = request.route.category
        let workspace: WorkspaceReference
        let workspaceSource: ShellContextSource
        if let wanted = request.switchTo {
            guard let found = directory.workspace(wanted) else {
                return refusal(.invalidWorkspace, reason: "workspace_not_accessible", category,
                               requested: RequestedContext(workspaceIdentifier: wanted, tenantIdentifier: nil, source: .explicitSwitch, pageCategory: category))
            }
            (workspace, workspaceSource) = (found, .explicitSwitch)
        } else if let current = session.workspace.flatMap(directory.workspace) {
            (workspace, workspaceSource) = (current, .sessionWorkspace)
        } else if let remembered = session.rememberedWorkspace.flatMap(directory.workspace) {
            (workspace, workspaceSource) = (remembered, .remembered)
        } else {
            return missingWorkspace(request.route)
        }
        let resolved = ResolvedWorkspace(reference: workspace, source: workspaceSource, category: category)

        switch category {
        case .tenantBound, .tenantScopedEvidence:
            // The route's tenant or nothing: a hint or a remembered tenant never stands in for it.
            guard let routeTenant = request.route.tenant else { return resolved.refusal(.missingTenant, reason: "route_has_no_tenant") }
            return resolved.tenant(routeTenant, source: .route, directory: directory, requireOperable: false, requested: nil)
        case .workspaceChooserException, .canonicalWorkspaceRecordViewer:
            return resolved.tenantless(route: request.route)
        case .workspaceScoped:
            if let selected = request.select {
                return resolved.tenant(selected, source: .explicitSelect, directory: directory, requireOperable: true,
                                       requested: RequestedContext(workspaceIdentifier: nil, tenantIdentifier: selected, source: .explicitSelect, pageCategory: category))
            }
            if let hint = request.queryHint, request.route.allowsQueryHint {
                return resolved.tenant(hint, source: .queryHint, directory: directory, requireOperable: true,
                                       requested: RequestedContext(workspaceIdentifier: nil, tenantIdentifier: hint, source: .queryHint, pageCategory: category))
            }
            // A chooser shows the choice rather than answering it with the remembered tenant.
            guard !request.route.isChooser, let rememberedID = session.rememberedTenants[workspace.organizationID] else {
                return resolved.tenantless(route: request.route)
            }
            guard let remembered = directory.tenants.first(where: { $0.tenantID == rememberedID }), remembered.workspaceID == workspace.id else {
                return resolved.tenantless(route: request.route, remembered: RememberedContextCandidate(
                    workspaceID: workspace.id, tenantID: nil, source: .remembered, eligible: false, invalidReason: "tenant_not_in_workspace"))
            }
            guard remembered.status.isOperable else {
                return resolved.tenantless(route: request.route, remembered: RememberedContextCandidate(
                    workspaceID: workspace.id, tenantID: remembered.id, source: .remembered, eligible: false, invalidReason: "tenant_\(remembered.status.rawValue)"))
            }
            return resolved.scoped(remembered, source: .remembered, requested: nil)
        }
    }

    private static func missingWorkspace(_ route: ShellRoute) -> ResolvedShellContext {
        ResolvedShellContext(
            state: .missingWorkspace, displayMode: .recovery, pageCategory: route.category, workspaceSource: .none, tenantSource: .none,
            workspace: nil, tenant: nil, requestedContext: nil, rememberedContext: nil,
            recoveryDirective: RecoveryDirective(
                action: route.category == .workspaceChooserException ? .none : .redirectChooseWorkspace,
                reason: "missing_workspace", destination: workspaceChooserPath, preserveIntendedURL: true
            )
        )
    }

    static func refusal(_ state: ShellState, reason: String, _ category: ShellPageCategory, requested: RequestedContext?) -> ResolvedShellContext {
        ResolvedShellContext(
            state: state, displayMode: .recovery, pageCategory: category, workspaceSource: .none, tenantSource: .none,
            workspace: nil, tenant: nil, requestedContext: requested, rememberedContext: nil,
            recoveryDirective: RecoveryDirective(action: .abortNotFound, reason: reason)
        )
    }
}

/// The workspace half of a resolution, finishing it with or without a tenant.
private struct ResolvedWorkspace {
    let reference: WorkspaceReference
    let source: ShellContextSource
    let category: ShellPageCategory

    func tenant(_ identifier: ContextIdentifier, source: ShellContextSource, directory: ShellDirectory, requireOperable: Bool, requested: RequestedContext?) -> ResolvedShellContext {
        guard let tenant = directory.tenant(identifier) else { return refusal(.invalidTenant, reason: "tenant_not_found", requested: requested) }
        guard tenant.workspaceID == reference.id else { return refusal(.incompatibleTenant, reason: "tenant_in_another_workspace", requested: requested) }
        guard !requireOperable || tenant.status.isOperable else {
            return refusal(.inaccessibleTenant, reason: "tenant_\(tenant.status.rawValue)", requested: requested)
        }
        return scoped(tenant, source: source, requested: requested)
    }

    func scoped(_ tenant: TenantReference, source tenantSource: ShellContextSource, requested: RequestedContext?) -> ResolvedShellContext {
        ResolvedShellContext(
            state: .tenantScoped, displayMode: .tenantScoped, pageCategory: category, workspaceSource: source, tenantSource: tenantSource,
            workspace: reference, tenant: tenant, requestedContext: requested, rememberedContext: nil, recoveryDirective: .none
        )
    }

    func tenantless(route: ShellRoute, remembered: RememberedContextCandidate? = nil) -> ResolvedShellContext {
        ResolvedShellContext(
            state: .tenantlessWorkspace, displayMode: .tenantless, pageCategory: category, workspaceSource: source, tenantSource: .none,
            workspace: reference, tenant: nil, requestedContext: nil, rememberedContext: remembered,
            recoveryDirective: RecoveryDirective(action: .none, destination: route.isChooser ? route.path : nil)
        )
    }

    func refusal(_ state: ShellState, reason: String, requested: RequestedContext? = nil) -> ResolvedShellContext {
        ShellContextResolver.refusal(state, reason: reason, category, requested: requested)
    }
}
