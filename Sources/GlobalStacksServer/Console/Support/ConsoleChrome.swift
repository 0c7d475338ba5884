import GlobalStacksDomain
import GlobalStacksUseCases

/// What every signed-in page shows around its content: who is signed in, the workspace and tenant with their
/// switchers, the navigation, and the CSRF token its forms carry.
struct ConsoleChrome {
    struct Option { let id: Int64; let name: String; let selected: Bool }
    struct Link { let label: String; let href: String; let current: Bool }
    struct TenantBadge { let name: String; let externalId: String; let href: String; let status: String; let operable: Bool }

    let title: String
    let csrf: String
    let userName: String
    let userEmail: String
    let workspaceName: String?
    let workspaces: [Option]
    let tenant: TenantBadge?
    let returnTo: String
    let nav: [Link]
    let hasTenants: Bool

    init(title: String, visitor: ConsoleVisitor, context: ResolvedShellContext?, directory: ShellDirectory?, path: String) {
        self.title = title
        self.csrf = visitor.csrfToken ?? ""
        self.userName = visitor.caller.user.displayName
        self.userEmail = visitor.caller.user.email.canonical
        self.workspaceName = context?.workspace?.name
        self.workspaces = (directory?.workspaces ?? []).map { Option(id: $0.id, name: $0.name, selected: $0.id == context?.workspace?.id) }
        self.tenant = context?.tenant.map {
            TenantBadge(name: $0.name, externalId: $0.externalID, href: ShellNavigation.tenantEntry($0), status: $0.status.rawValue, operable: $0.status.isOperable)
        }
        self.hasTenants = context?.workspace.map { workspace in directory?.tenants.contains { $0.workspaceID == workspace.id } ?? false } ?? false
        self.returnTo = path
        var links = [("Overview", ConsolePaths.workspaceHome), ("Tenants", ConsolePaths.managedTenants), ("Operation runs", ConsolePaths.operations)]
        if let tenant = context?.tenant {
            let base = ShellNavigation.tenantEntry(tenant)
            links += [("Dashboard", base), ("Marketplace", base + "/marketplace"), ("Installs", base + "/installs")]
        }
        if visitor.caller.user.siteRole == .admin {
            links += [("Agents to approve", "/admin/site/agents"), ("Review queue", "/admin/site/reviews")]
        }
        let current = String(path.prefix { $0 != "?" })
        self.nav = links.map { Link(label: $0.0, href: $0.1, current: $0.1 == current) }
    }
}
