/// A console route as the resolver sees it: its category and where its tenant may come from.
public struct ShellRoute: Sendable, Equatable {
    public let category: ShellPageCategory
    /// The path (and query) the request asked for: where the workspace chooser returns once a workspace is chosen.
    public let intendedURL: String
    /// The route's own tenant: the path's external id on tenant-bound pages, the record's tenant on evidence pages.
    public let tenant: ContextIdentifier?
    /// Only some workspace-scoped pages take `?tenant=` / `?tenant_id=` (the contract: "routes that explicitly allow").
    public let allowsQueryHint: Bool
    /// The page is itself a chooser (of a workspace or a tenant): its directive names it as the destination.
    public let isChooser: Bool

    public init(category: ShellPageCategory, intendedURL: String, tenant: ContextIdentifier? = nil, allowsQueryHint: Bool = false, isChooser: Bool = false) {
        self.category = category
        self.intendedURL = intendedURL
        self.tenant = tenant
        self.allowsQueryHint = allowsQueryHint
        self.isChooser = isChooser
    }

    public var path: String { String(intendedURL.prefix { $0 != "?" }) }
}

/// What one console request asks of the context, besides its route.
public struct ShellContextRequest: Sendable, Equatable {
    public let route: ShellRoute
    /// `POST /admin/switch-workspace`'s `workspace_id`.
    public let switchTo: ContextIdentifier?
    /// `POST /admin/select-tenant`'s `tenant_id`.
    public let select: ContextIdentifier?
    /// `?tenant=` (an external id) or `?tenant_id=` (a number).
    public let queryHint: ContextIdentifier?

    public init(route: ShellRoute, switchTo: ContextIdentifier? = nil, select: ContextIdentifier? = nil, queryHint: ContextIdentifier? = nil) {
        self.route = route
        self.switchTo = switchTo
        self.select = select
        self.queryHint = queryHint
    }
}

/// What the session holds: its workspace (nil once the user left it), the tenant remembered per workspace, and the
/// user's last workspace (used only to restore a session whose own workspace is gone).
public struct ShellSession: Sendable, Equatable {
    public let workspace: OrganizationID?
    public let rememberedTenants: [OrganizationID: TenantID]
    public let rememberedWorkspace: OrganizationID?

    public init(workspace: OrganizationID?, rememberedTenants: [OrganizationID: TenantID], rememberedWorkspace: OrganizationID?) {
        self.workspace = workspace
        self.rememberedTenants = rememberedTenants
        self.rememberedWorkspace = rememberedWorkspace
    }
}

/// Every workspace the user is an active member of, and their tenants: all a resolution may name.
public struct ShellDirectory: Sendable, Equatable {
    public let workspaces: [WorkspaceReference]
    public let tenants: [TenantReference]

    public init(workspaces: [WorkspaceReference], tenants: [TenantReference]) {
        self.workspaces = workspaces
        self.tenants = tenants
    }

    public func workspace(_ identifier: ContextIdentifier) -> WorkspaceReference? {
        workspaces.first { candidate in
            switch identifier {
            case .number(let number): candidate.id == number
            case .text(let text): candidate.slug == text
            }
        }
    }

    public func workspace(_ id: OrganizationID) -> WorkspaceReference? { workspaces.first { $0.organizationID == id } }

    /// A tenant of any of the user's workspaces, by number or external id.
    public func tenant(_ identifier: ContextIdentifier) -> TenantReference? {
        tenants.first { candidate in
            switch identifier {
            case .number(let number): candidate.id == number
            case .text(let text): candidate.externalID == text
            }
        }
    }

    public func tenants(of workspace: WorkspaceReference) -> [TenantReference] { tenants.filter { $0.workspaceID == workspace.id } }
}
