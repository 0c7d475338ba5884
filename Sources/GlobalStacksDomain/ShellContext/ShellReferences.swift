/// A workspace (our organization) as the console names it: the contract's integer id is the organization's number.
public struct WorkspaceReference: Sendable, Equatable {
    public let id: Int64
    public let organizationID: OrganizationID
    public let slug: String
    public let name: String
    public let kind: OrganizationKind

    public init(id: Int64, organizationID: OrganizationID, slug: String, name: String, kind: OrganizationKind) {
        self.id = id
        self.organizationID = organizationID
        self.slug = slug
        self.name = name
        self.kind = kind
    }
}

/// A tenant as the console names it: the contract's integer id is the tenant's number, `externalId` its route name.
public struct TenantReference: Sendable, Equatable {
    public let id: Int64
    public let tenantID: TenantID
    public let workspaceID: Int64
    public let externalID: String
    public let name: String
    public let status: TenantStatus

    public init(id: Int64, tenantID: TenantID, workspaceID: Int64, externalID: String, name: String, status: TenantStatus) {
        self.id = id
        self.tenantID = tenantID
        self.workspaceID = workspaceID
        self.externalID = externalID
        self.name = name
        self.status = status
    }
}

/// How a request named a workspace or tenant: the contract allows an integer id or a string (an external id).
public enum ContextIdentifier: Sendable, Equatable, Hashable {
    case number(Int64)
    case text(String)

    /// A form or query value: digits are a number, anything else text.
    public init(_ value: String) {
        if let number = Int64(value) { self = .number(number) } else { self = .text(value) }
    }
}

/// What the request asked for, when it asked for something (a switch, a selection, a query hint).
public struct RequestedContext: Sendable, Equatable {
    public let workspaceIdentifier: ContextIdentifier?
    public let tenantIdentifier: ContextIdentifier?
    public let source: ShellContextSource
    public let pageCategory: ShellPageCategory

    public init(workspaceIdentifier: ContextIdentifier?, tenantIdentifier: ContextIdentifier?, source: ShellContextSource, pageCategory: ShellPageCategory) {
        self.workspaceIdentifier = workspaceIdentifier
        self.tenantIdentifier = tenantIdentifier
        self.source = source
        self.pageCategory = pageCategory
    }
}

/// A remembered tenant the resolver could not use, with the reason: shown so an operator sees why the page is tenantless.
public struct RememberedContextCandidate: Sendable, Equatable {
    public let workspaceID: Int64
    public let tenantID: Int64?
    public let source: ShellContextSource
    public let eligible: Bool
    public let invalidReason: String?

    public init(workspaceID: Int64, tenantID: Int64?, source: ShellContextSource, eligible: Bool, invalidReason: String?) {
        self.workspaceID = workspaceID
        self.tenantID = tenantID
        self.source = source
        self.eligible = eligible
        self.invalidReason = invalidReason
    }
}

public struct RecoveryDirective: Sendable, Equatable {
    public let action: ShellRecoveryAction
    public let reason: String?
    public let destination: String?
    public let preserveIntendedURL: Bool

    public init(action: ShellRecoveryAction, reason: String? = nil, destination: String? = nil, preserveIntendedURL: Bool = false) {
        self.action = action
        self.reason = reason
        self.destination = destination
        self.preserveIntendedURL = preserveIntendedURL
    }

    public static let none = RecoveryDirective(action: .none)
}

/// The workspace and tenant one console request runs in, where each came from, and what to do when there is none.
public struct ResolvedShellContext: Sendable, Equatable {
    public let state: ShellState
    public let displayMode: ShellDisplayMode
    public let pageCategory: ShellPageCategory
    public let workspaceSource: ShellContextSource
    public let tenantSource: ShellContextSource
    public let workspace: WorkspaceReference?
    public let tenant: TenantReference?
    public let requestedContext: RequestedContext?
    public let rememberedContext: RememberedContextCandidate?
    public let recoveryDirective: RecoveryDirective

    public init(
        state: ShellState, displayMode: ShellDisplayMode, pageCategory: ShellPageCategory, workspaceSource: ShellContextSource,
        tenantSource: ShellContextSource, workspace: WorkspaceReference?, tenant: TenantReference?, requestedContext: RequestedContext?,
        rememberedContext: RememberedContextCandidate?, recoveryDirective: RecoveryDirective
    ) {
        self.state = state
        self.displayMode = displayMode
        self.pageCategory = pageCategory
        self.workspaceSource = workspaceSource
        self.tenantSource = tenantSource
        self.workspace = workspace
        self.tenant = tenant
        self.requestedContext = requestedContext
        self.rememberedContext = rememberedContext
        self.recoveryDirective = recoveryDirective
    }

    /// The page can be rendered (possibly tenantless); otherwise the edge follows `recoveryDirective`.
    public var isResolved: Bool { state == .tenantScoped || state == .tenantlessWorkspace }
}
