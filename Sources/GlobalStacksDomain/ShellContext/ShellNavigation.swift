import Foundation

/// Where the console sends a person after a switch, a selection or a clear: always a concrete same-origin
/// `/admin…` path, so no form field or query parameter can redirect anywhere else.
public enum ShellNavigation {
    public static let home = "/admin"
    public static let managedTenants = "/admin/workspace/tenants"
    public static let operationsIndex = "/admin/operations"

    /// `value` when it is a console path of this origin, nil otherwise (another host, a scheme, `//`, `\`, control
    /// characters, anything outside `/admin`, or longer than a URL should be).
    public static func safeConsolePath(_ value: String?) -> String? {
        guard let value, value.utf8.count <= 2048, value == home || value.hasPrefix(home + "/") || value.hasPrefix(home + "?") else { return nil }
        // Checked as a browser will read it: percent-decoded, so `%2e%2e` is a `..` segment too.
        let path = String(value.prefix { $0 != "?" && $0 != "#" })
        guard let decoded = path.removingPercentEncoding,
              !value.unicodeScalars.contains(where: { $0.value < 0x21 || $0.value == 0x7F }),
              !decoded.unicodeScalars.contains(where: { $0.value < 0x20 || $0.value == 0x7F }),
              !decoded.contains("\\"), !decoded.contains("//"), !value.contains("\\"),
              !decoded.split(separator: "/", omittingEmptySubsequences: false).contains(where: { $0 == ".." || $0 == "." })
        else { return nil }
        return value
    }

    /// The tenant's entry page: its dashboard.
    public static func tenantEntry(_ tenant: TenantReference) -> String { "/admin/t/\(tenant.externalID)" }

    /// After `POST /admin/switch-workspace`: the intended page when there is one, else the remembered tenant's
    /// dashboard, the only tenant's dashboard, the tenant chooser when there are several, or the managed-tenants
    /// page (where the first one is made) when there are none.
    public static func afterSwitch(_ resolved: ResolvedShellContext, intended: String?, tenants: [TenantReference]) -> String {
        if let intended = safeConsolePath(intended) { return intended }
        if let tenant = resolved.tenant { return tenantEntry(tenant) }
        let operable = tenants.filter(\.status.isOperable)
        switch operable.count {
        case 0: return managedTenants
        case 1: return tenantEntry(operable[0])
        default: return ShellContextResolver.tenantChooserPath
        }
    }

    /// After `POST /admin/clear-tenant-context` from the page `returnTo`: the same page, tenantless, where its category
    /// allows one; otherwise the workspace-safe page its category falls back to.
    public static func afterClearingTenant(returnTo route: ShellRoute?) -> RecoveryDirective {
        guard let route else { return RecoveryDirective(action: .redirectWorkspaceHome, destination: home) }
        switch route.category {
        case .workspaceScoped, .workspaceChooserException, .canonicalWorkspaceRecordViewer:
            // The path alone: a tenant hint in the query would bring the tenant straight back.
            return RecoveryDirective(action: .renderTenantlessWorkspace, destination: route.path)
        case .tenantBound:
            return RecoveryDirective(action: .redirectWorkspaceManagedTenants, destination: managedTenants)
        case .tenantScopedEvidence:
            return RecoveryDirective(action: .redirectOperationsIndex, destination: operationsIndex)
        }
    }
}
