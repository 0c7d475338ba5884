import GlobalStacksDomain

/// The authenticated caller of one use case: the principal `Authenticator` resolved from the credential the request
/// presented, on any edge. Only the authenticator makes one, so a service never acts for a caller nobody
/// authenticated. Scopes come from `AccessPolicy` through the accessors below.
public struct Caller: Sendable, Equatable {
    public let principal: Principal

    init(principal: Principal) {
        self.principal = principal
    }

    public var user: User { principal.user }

    /// The caller's own account.
    public var account: AccountScope { AccessPolicy.accountScope(principal) }

    /// The caller's active organization.
    public var organization: OrganizationScope { AccessPolicy.organizationScope(principal) }

    /// The active organization, for a caller allowed `capability` there (403 otherwise).
    public func organization(requiring capability: Capability) throws -> OrganizationScope {
        try AccessPolicy.organizationScope(requiring: capability, principal)
    }

    /// The active tenant; a missing selection is a 400 that says how to select one.
    public func activeTenant() throws -> TenantScope {
        try AccessPolicy.requireActiveTenantScope(principal)
    }

    public func require(_ capability: Capability) throws {
        try AccessPolicy.require(capability, principal)
    }
}
