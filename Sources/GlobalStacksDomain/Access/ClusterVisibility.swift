/// The clusters a request reaches, with their agents and provisioning tokens. Each case carries a proof `AccessPolicy`
/// made, so there is no unscoped view: a tenant changes only its own `byo` clusters, the platform only managed ones.
public enum ClusterVisibility: Sendable, Equatable {
    /// A tenant: its own `byo` clusters (to read and change) and every managed cluster (to read).
    case tenant(TenantScope)
    /// The platform: every managed cluster (to read and change); site operators and admins.
    case platform(PlatformScope)
    /// A signed-in caller with no tenant selected: every managed cluster, to read (they are visible to everyone).
    case account(AccountScope)
}
