import GlobalStacksDomain
import Testing

/// The shell-context precedence rules (DESIGN.md, "Shell context") and the contract's examples, on a directory of two
/// workspaces the user belongs to: Alpha (42) with tenants 7 (active) and 8 (suspended), and Beta (43) with tenant 9.
@Suite("Shell context resolution")
struct ShellContextResolverTests {
    let alpha = WorkspaceReference(id: 42, organizationID: .generate(), slug: "alpha-workspace", name: "Alpha Workspace", kind: .business)
    let beta = WorkspaceReference(id: 43, organizationID: .generate(), slug: "beta", name: "Beta", kind: .personal)
    var seven: TenantReference { TenantReference(id: 7, tenantID: sevenID, workspaceID: 42, externalID: "tenant-7", name: "Tenant Seven", status: .active) }
    var eight: TenantReference { TenantReference(id: 8, tenantID: eightID, workspaceID: 42, externalID: "tenant-8", name: "Eight", status: .suspended) }
    var nine: TenantReference { TenantReference(id: 9, tenantID: nineID, workspaceID: 43, externalID: "tenant-9", name: "Nine", status: .active) }
    let sevenID = TenantID.generate(), eightID = TenantID.generate(), nineID = TenantID.generate()
    var directory: ShellDirectory { ShellDirectory(workspaces: [alpha, beta], tenants: [seven, eight, nine]) }

    let home = ShellRoute(category: .workspaceScoped, intendedURL: "/admin", allowsQueryHint: true)

    func session(workspace: WorkspaceReference?, remembered tenant: TenantID? = nil, rememberedWorkspace: WorkspaceReference? = nil) -> ShellSession {
        ShellSession(
            workspace: workspace?.organizationID,
            rememberedTenants: tenant.map { [workspace!.organizationID: $0] } ?? [:],
            rememberedWorkspace: rememberedWorkspace?.organizationID
        )
    }

    func resolve(_ request: ShellContextRequest, _ session: ShellSession) -> ResolvedShellContext {
        ShellContextResolver.resolve(request, session: session, directory: directory)
    }

    @Test func theContractsTenantlessExample() {
        let context = resolve(ShellContextRequest(route: home), session(workspace: alpha))
        #expect(context.state == .tenantlessWorkspace && context.displayMode == .tenantless && context.pageCategory == .workspaceScoped)
        #expect(context.workspaceSource == .sessionWorkspace && context.tenantSource == .none)
        #expect(context.workspace == alpha && context.tenant == nil && context.recoveryDirective == .none)
    }

    @Test func theRememberedTenantOnWorkspaceScopedPages() {
        let context = resolve(ShellContextRequest(route: home), session(workspace: alpha, remembered: sevenID))
        #expect(context.state == .tenantScoped && context.tenantSource == .remembered && context.tenant == seven)
        #expect(context.requestedContext == nil && context.rememberedContext == nil)
    }

    @Test func aQueryHintWinsOverTheRememberedTenantOnlyWhereTheRouteAllowsIt() {
        var context = resolve(ShellContextRequest(route: home, queryHint: .text("tenant-7")), session(workspace: alpha))
        #expect(context.tenantSource == .queryHint && context.tenant == seven)
        #expect(context.requestedContext == RequestedContext(workspaceIdentifier: nil, tenantIdentifier: .text("tenant-7"), source: .queryHint, pageCategory: .workspaceScoped))
        context = resolve(ShellContextRequest(route: home, queryHint: .number(7)), session(workspace: alpha))
        #expect(context.tenant == seven)
        let noHints = ShellRoute(category: .workspaceScoped, intendedURL: "/admin/marketplace")
        context = resolve(ShellContextRequest(route: noHints, queryHint: .number(7)), session(workspace: alpha))
        #expect(context.state == .tenantlessWorkspace && context.tenant == nil)
    }

    @Test func aHintThatNamesNoUsableTenantIsNotFoundNeverAWiderView() {
        let cases: [(ContextIdentifier, ShellState)] = [
            (.text("tenant-404"), .invalidTenant), (.number(9), .incompatibleTenant), (.text("tenant-8"), .inaccessibleTenant),
        ]
        for (hint, state) in cases {
            let context = resolve(ShellContextRequest(route: home, queryHint: hint), session(workspace: alpha, remembered: sevenID))
            #expect(context.state == state && context.recoveryDirective.action == .abortNotFound && context.tenant == nil && context.workspace == nil)
        }
    }

    @Test func tenantBoundRoutesTakeOnlyTheirRoutesTenant() {
        let route = ShellRoute(category: .tenantBound, intendedURL: "/admin/t/tenant-7", tenant: .text("tenant-7"))
        var context = resolve(ShellContextRequest(route: route, queryHint: .text("tenant-9")), session(workspace: alpha, remembered: eightID))
        #expect(context.state == .tenantScoped && context.tenantSource == .route && context.tenant == seven && context.pageCategory == .tenantBound)
        // A suspended tenant's own pages still open (to see and reactivate it); only selecting it is refused.
        context = resolve(ShellContextRequest(route: ShellRoute(category: .tenantBound, intendedURL: "/admin/t/tenant-8", tenant: .text("tenant-8"))), session(workspace: alpha))
        #expect(context.tenant == eight)
        context = resolve(ShellContextRequest(route: ShellRoute(category: .tenantBound, intendedURL: "/admin/t/tenant-9", tenant: .text("tenant-9"))), session(workspace: alpha, remembered: sevenID))
        #expect(context.state == .incompatibleTenant && context.recoveryDirective.action == .abortNotFound)
        context = resolve(ShellContextRequest(route: ShellRoute(category: .tenantBound, intendedURL: "/admin/t/x", tenant: .text("tenant-x"))), session(workspace: alpha, remembered: sevenID))
        #expect(context.state == .invalidTenant)
        context = resolve(ShellContextRequest(route: ShellRoute(category: .tenantScopedEvidence, intendedURL: "/admin/operations/1")), session(workspace: alpha, remembered: sevenID))
        #expect(context.state == .missingTenant && context.tenant == nil)
    }

    @Test func anExplicitSelectionMustBeAnOperableTenantOfTheWorkspace() {
        var context = resolve(ShellContextRequest(route: home, select: .number(7)), session(workspace: alpha))
        #expect(context.tenantSource == .explicitSelect && context.tenant == seven)
        context = resolve(ShellContextRequest(route: home, select: .number(8)), session(workspace: alpha))
        #expect(context.state == .inaccessibleTenant)
        context = resolve(ShellContextRequest(route: home, select: .number(9)), session(workspace: alpha))
        #expect(context.state == .incompatibleTenant)
    }

    @Test func workspacesComeFromASwitchTheSessionThenTheRememberedOne() {
        var context = resolve(ShellContextRequest(route: home, switchTo: .number(43)), session(workspace: alpha, remembered: sevenID))
        #expect(context.workspace == beta && context.workspaceSource == .explicitSwitch && context.tenant == nil)
        context = resolve(ShellContextRequest(route: home, switchTo: .number(99)), session(workspace: alpha))
        #expect(context.state == .invalidWorkspace && context.recoveryDirective.action == .abortNotFound)
        // The session's own workspace is gone: the remembered one restores it.
        let gone = ShellSession(workspace: .generate(), rememberedTenants: [:], rememberedWorkspace: beta.organizationID)
        context = resolve(ShellContextRequest(route: home), gone)
        #expect(context.workspace == beta && context.workspaceSource == .remembered)
    }

    @Test func noWorkspaceRecoversToTheChooserKeepingTheIntendedURL() {
        let lost = ShellSession(workspace: .generate(), rememberedTenants: [:], rememberedWorkspace: .generate())
        let page = ShellRoute(category: .tenantBound, intendedURL: "/admin/t/tenant-7/sandboxes", tenant: .text("tenant-7"))
        var context = resolve(ShellContextRequest(route: page), lost)
        #expect(context.state == .missingWorkspace && context.displayMode == .recovery)
        #expect(context.recoveryDirective == RecoveryDirective(action: .redirectChooseWorkspace, reason: "missing_workspace", destination: "/admin/choose-workspace", preserveIntendedURL: true))
        // The contract's chooser example: on the chooser itself there is nothing more to do.
        context = resolve(ShellContextRequest(route: ShellRoute(category: .workspaceChooserException, intendedURL: "/admin/choose-workspace", isChooser: true)), lost)
        #expect(context.recoveryDirective == RecoveryDirective(action: .none, reason: "missing_workspace", destination: "/admin/choose-workspace", preserveIntendedURL: true))
        #expect(context.pageCategory == .workspaceChooserException && context.workspace == nil)
    }

    @Test func theTenantChooserShowsTheChoiceAndIneligibleRememberedTenantsSayWhy() {
        let chooser = ShellRoute(category: .workspaceScoped, intendedURL: "/admin/choose-tenant", isChooser: true)
        var context = resolve(ShellContextRequest(route: chooser), session(workspace: alpha, remembered: sevenID))
        #expect(context.state == .tenantlessWorkspace && context.recoveryDirective == RecoveryDirective(action: .none, destination: "/admin/choose-tenant"))
        context = resolve(ShellContextRequest(route: home), session(workspace: alpha, remembered: eightID))
        #expect(context.state == .tenantlessWorkspace)
        #expect(context.rememberedContext == RememberedContextCandidate(workspaceID: 42, tenantID: 8, source: .remembered, eligible: false, invalidReason: "tenant_suspended"))
        let record = ShellRoute(category: .canonicalWorkspaceRecordViewer, intendedURL: "/admin/workspace/tenants")
        context = resolve(ShellContextRequest(route: record), session(workspace: alpha, remembered: sevenID))
        #expect(context.state == .tenantlessWorkspace && context.tenant == nil)
    }

    @Test func onlyConsolePathsOfThisOriginAreDestinations() {
        for safe in ["/admin", "/admin/t/tenant-7", "/admin?tenant=tenant-7", "/admin/operations/12"] {
            #expect(ShellNavigation.safeConsolePath(safe) == safe)
        }
        for unsafe in ["https://evil.example/admin", "//evil.example/admin", "/admin//evil.example", "/administrator", "/admin\\..\\x",
                       "/admin/../v1/sandboxes", "/admin\r\nSet-Cookie: x", "/admin/%2e%2e/v1/users", "/admin/%2E%2E?x", "/admin/..?x",
                       "/admin/./t", "/admin/%2f/evil.example", "/admin/%5cevil", "/admin/%0d%0aSet-Cookie", "/admin/%zz", "admin", "", "/\\evil.example", String(repeating: "/admin", count: 400)] {
            #expect(ShellNavigation.safeConsolePath(unsafe) == nil, "\(unsafe.prefix(40))")
        }
    }

    @Test func switchingAndClearingLandOnConcretePages() {
        let switched = resolve(ShellContextRequest(route: home, switchTo: .number(42)), session(workspace: beta))
        #expect(ShellNavigation.afterSwitch(switched, intended: "//evil.example", tenants: [seven, eight]) == "/admin/t/tenant-7")
        #expect(ShellNavigation.afterSwitch(switched, intended: "/admin/operations", tenants: [seven]) == "/admin/operations")
        #expect(ShellNavigation.afterSwitch(switched, intended: nil, tenants: []) == "/admin/workspace/tenants")
        #expect(ShellNavigation.afterSwitch(switched, intended: nil, tenants: [seven, nine]) == "/admin/choose-tenant")
        #expect(ShellNavigation.afterClearingTenant(returnTo: ShellRoute(category: .workspaceScoped, intendedURL: "/admin?tenant=tenant-7"))
            == RecoveryDirective(action: .renderTenantlessWorkspace, destination: "/admin"))
        #expect(ShellNavigation.afterClearingTenant(returnTo: ShellRoute(category: .tenantBound, intendedURL: "/admin/t/tenant-7")).destination == "/admin/workspace/tenants")
        #expect(ShellNavigation.afterClearingTenant(returnTo: ShellRoute(category: .tenantScopedEvidence, intendedURL: "/admin/operations/3")).action == .redirectOperationsIndex)
        #expect(ShellNavigation.afterClearingTenant(returnTo: nil).action == .redirectWorkspaceHome)
    }
}
