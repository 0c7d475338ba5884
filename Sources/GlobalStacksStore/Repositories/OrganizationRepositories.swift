import Foundation
import GlobalStacksDomain

/// An organization's own data: its name, members and invitations. Role rules run inside the store's transaction so
/// they hold under concurrency (the scope's role is read again there).
public protocol OrganizationRepository: Sendable {
    func renameOrganization(name: String, _ scope: OrganizationScope, at now: Date) async throws -> Organization
    func members(_ scope: OrganizationScope) async throws -> [Membership]
    /// The scope's member changes `member`'s role.
    func changeMemberRole(member: UserID, to role: OrganizationRole, _ scope: OrganizationScope, at now: Date) async throws -> Membership
    /// The scope's member removes `member` (themselves, or another as owner/admin).
    func removeMember(_ member: UserID, _ scope: OrganizationScope, at now: Date) async throws
    func invitations(_ scope: OrganizationScope) async throws -> [Invitation]
    /// The scope's member invites someone.
    func createInvitation(_ invitation: NewInvitation, _ scope: OrganizationScope, at now: Date) async throws -> Invitation
    func revokeInvitation(id: InvitationID, _ scope: OrganizationScope, at now: Date) async throws -> Invitation
}

public struct NewInvitation: Sendable {
    public let email: EmailAddress
    public let role: OrganizationRole
    public let tokenHash: String
    public let tokenPrefix: String
    public let expiresAt: Date

    public init(email: EmailAddress, role: OrganizationRole, tokenHash: String, tokenPrefix: String, expiresAt: Date) {
        self.email = email
        self.role = role
        self.tokenHash = tokenHash
        self.tokenPrefix = tokenPrefix
        self.expiresAt = expiresAt
    }
}

/// Tenants of an organization.
public protocol TenantRepository: Sendable {
    func tenants(_ scope: OrganizationScope) async throws -> [Tenant]
    func tenant(id: TenantID, _ scope: OrganizationScope) async throws -> Tenant?
    func createTenant(name: String, slug: Slug, description: String?, _ scope: OrganizationScope, at now: Date) async throws -> Tenant
    func updateTenant(_ scope: TenantScope, at now: Date, _ change: @Sendable (inout Tenant) throws -> Void) async throws -> Tenant
}

/// Who owns a cluster being created.
public enum ClusterOwner: Sendable {
    case tenant(TenantScope)
    /// A globalstacks-managed cluster, created by a site operator or admin.
    case platform(PlatformScope)
}

/// Clusters: a tenant reads its own `byo` clusters and every managed one, and changes its own; the platform reads and
/// changes the managed ones (`ClusterVisibility`).
public protocol ClusterRepository: Sendable {
    func clusters(visibleTo scope: ClusterVisibility) async throws -> [Cluster]
    func cluster(id: ClusterID, visibleTo scope: ClusterVisibility) async throws -> Cluster?
    /// `slug` nil derives one from the name (adding a number when taken); an explicit slug that is taken is a conflict.
    func createCluster(owner: ClusterOwner, name: String, slug: Slug?, provider: String, metadata: [String: String], at now: Date) async throws -> Cluster
    /// Not found unless the scope may change the cluster (a tenant its own `byo` clusters, the platform managed ones).
    func updateCluster(id: ClusterID, _ scope: ClusterVisibility, at now: Date, _ change: @Sendable (Cluster) throws -> Cluster) async throws -> Cluster
}

