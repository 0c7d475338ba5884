import Foundation
import GlobalStacksDomain
import GlobalStacksStore

/// The console's shell context (the shell-context contract): resolves the workspace and tenant of each console
/// request with `ShellContextResolver`, and switches, selects and clears them. The resolution hands the page a
/// caller focused on what was resolved, so every page calls the same services as the v1 API with that context.
public struct ShellContextService: Sendable {
    private let store: any AccountRepository & TenantRepository

    public init(store: any AccountRepository & TenantRepository) {
        self.store = store
    }

    /// One console request's context, and the caller its page acts as: the resolved workspace and tenant are that
    /// caller's active organization and tenant (nil when the context did not resolve).
    public struct Resolution: Sendable {
        public let context: ResolvedShellContext
        public let directory: ShellDirectory
        public let caller: Caller?
    }

    public func resolve(_ request: ShellContextRequest, caller: Caller) async throws -> Resolution {
        let account = caller.account
        async let session = store.shellSession(account)
        async let directory = store.shellDirectory(account)
        let (heldSession, names) = try await (session, directory)
        let context = ShellContextResolver.resolve(request, session: heldSession, directory: names)
        guard context.isResolved, let workspace = context.workspace else { return Resolution(context: context, directory: names, caller: nil) }
        guard let membership = try await store.membership(organizationID: workspace.organizationID, account) else {
            return Resolution(context: context, directory: names, caller: nil)
        }
        if context.workspaceSource == .remembered {
            // Restore: the session's own workspace is gone; from now on it is the remembered one.
            try await store.activateOrganization(AccessPolicy.organizationScope(for: membership, account), account)
        }
        var tenant: Tenant?
        if let reference = context.tenant {
            tenant = try await store.tenant(id: reference.tenantID, AccessPolicy.organizationScope(for: membership, account))
            guard tenant != nil else { return Resolution(context: context, directory: names, caller: nil) }
        }
        let focused = Principal(user: caller.user, credential: caller.principal.credential, organization: membership, tenant: tenant)
        return Resolution(context: context, directory: names, caller: Caller(principal: focused))
    }

    /// `POST /admin/switch-workspace`: makes the workspace the session's and says where to go next (404 for a
    /// workspace the caller is not an active member of).
    public func switchWorkspace(to identifier: ContextIdentifier, intended: String?, caller: Caller) async throws -> String {
        // Resolved with the switch, the context already has the tenant remembered there (the store restores the same).
        let resolution = try await resolve(ShellContextRequest(route: Self.home, switchTo: identifier), caller: caller)
        guard let workspace = resolution.context.workspace, let focused = resolution.caller else {
            throw DomainError.notFound("No organization \(Self.describe(identifier)) among yours.")
        }
        try await store.activateOrganization(focused.organization, caller.account)
        return ShellNavigation.afterSwitch(resolution.context, intended: intended, tenants: resolution.directory.tenants(of: workspace))
    }

    /// `POST /admin/select-tenant`: makes an operable tenant of the session's workspace the selected one (404 for any
    /// other) and returns its entry page.
    public func selectTenant(_ identifier: ContextIdentifier, caller: Caller) async throws -> String {
        let resolution = try await resolve(ShellContextRequest(route: Self.home, select: identifier), caller: caller)
        guard resolution.context.tenantSource == .explicitSelect, let tenant = resolution.context.tenant, let focused = resolution.caller else {
            throw DomainError.notFound("No tenant \(Self.describe(identifier)) you can select in this organization.")
        }
        try await store.activateTenant(try focused.activeTenant(), caller.account)
        return ShellNavigation.tenantEntry(tenant)
    }

    /// `POST /admin/clear-tenant-context`: forgets the session's tenant in its workspace, then says where the page it
    /// came from goes without one.
    public func clearTenant(returnTo route: ShellRoute?, caller: Caller) async throws -> RecoveryDirective {
        let resolution = try await resolve(ShellContextRequest(route: Self.home), caller: caller)
        guard let focused = resolution.caller else {
            throw DomainError.notFound("Your session has no organization left to clear a tenant in; choose one at \(ShellContextResolver.workspaceChooserPath).")
        }
        try await store.clearTenant(focused.organization, caller.account)
        return ShellNavigation.afterClearingTenant(returnTo: route)
    }

    private static let home = ShellRoute(category: .workspaceScoped, intendedURL: ShellNavigation.home)

    private static func describe(_ identifier: ContextIdentifier) -> String {
        switch identifier {
        case .number(let number): String(number)
        case .text(let text): "'\(text.prefix(64))'"
        }
    }
}
