import Foundation
import GlobalStacksDomain

/// Every console page's category, by path: one table for the pages themselves and for forms that name a page to
/// return to (clearing the tenant, the chooser's intended URL).
enum ConsolePaths {
    static let signIn = "/admin/sign-in"
    static let workspaceHome = ShellNavigation.home
    static let workspaceChooser = ShellContextResolver.workspaceChooserPath
    static let tenantChooser = ShellContextResolver.tenantChooserPath
    static let managedTenants = ShellNavigation.managedTenants
    static let operations = ShellNavigation.operationsIndex

    /// The route a console URL (path and query) names, nil for anything that is not a console page.
    static func route(for url: String) -> ShellRoute? {
        guard let safe = ShellNavigation.safeConsolePath(url) else { return nil }
        let path = String(safe.prefix { $0 != "?" })
        let parts = path.split(separator: "/", omittingEmptySubsequences: true).map(String.init)
        switch parts.dropFirst().first {
        case nil:
            return ShellRoute(category: .workspaceScoped, intendedURL: safe, allowsQueryHint: true)
        case "choose-workspace":
            return ShellRoute(category: .workspaceChooserException, intendedURL: safe, isChooser: true)
        case "choose-tenant":
            return ShellRoute(category: .workspaceScoped, intendedURL: safe, isChooser: true)
        case "t":
            guard parts.count >= 3 else { return nil }
            return ShellRoute(category: .tenantBound, intendedURL: safe, tenant: .text(parts[2]))
        case "operations":
            // The index takes a hint like the home page; one run's page is evidence of its own tenant.
            return parts.count == 2
                ? ShellRoute(category: .workspaceScoped, intendedURL: safe, allowsQueryHint: true)
                : ShellRoute(category: .tenantScopedEvidence, intendedURL: safe)
        case "workspace":
            return ShellRoute(category: .canonicalWorkspaceRecordViewer, intendedURL: safe)
        case "site":
            return ShellRoute(category: .workspaceScoped, intendedURL: safe)
        default:
            return nil
        }
    }

    /// The sign-in page, returning to `intended` afterwards.
    static func signIn(returningTo intended: String) -> String { signIn + nextQuery(intended) }

    /// The chooser, keeping the intended URL (the contract's `preserveIntendedUrl`).
    static func workspaceChooser(returningTo intended: String) -> String { workspaceChooser + nextQuery(intended) }

    private static func nextQuery(_ intended: String) -> String {
        guard intended != workspaceHome, ShellNavigation.safeConsolePath(intended) != nil,
              let encoded = intended.addingPercentEncoding(withAllowedCharacters: .alphanumerics.union(.init(charactersIn: "-._~/")))
        else { return "" }
        return "?next=" + encoded
    }
}
