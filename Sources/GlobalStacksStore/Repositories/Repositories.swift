import Foundation
import GlobalStacksDomain

/// User accounts. Creating a user also creates their personal organization.
public protocol UserRepository: Sendable {
    func userCount() async throws -> Int
    /// The earliest active site admin (who the server acts as when it enrolls its embedded agent).
    func firstSiteAdmin() async throws -> UserID?
    func createUser(_ user: NewUser, at now: Date) async throws -> User
    func user(id: UserID) async throws -> User?
    /// The account and its password hash, for sign-in.
    func userForSignIn(email: EmailAddress) async throws -> (user: User, passwordHash: String)?
    func listUsers(limit: Int) async throws -> [User]
    /// Deactivates the account and revokes all its sessions and API keys.
    func deactivateUser(id: UserID, at now: Date) async throws -> User
    /// Stores the hash of the one-time setup token, replacing any earlier one.
    func replaceSetupToken(hash: String, at now: Date) async throws
    /// Creates the first site admin when `hash` matches the setup token and no user exists yet; consumes the token.
    func redeemSetupToken(hash: String, admin: NewUser, at now: Date) async throws -> User
}

/// Sessions and API keys, and the organization and tenant each one has selected.
public protocol CredentialRepository: Sendable {
    func createCredential(_ credential: NewCredential, at now: Date) async throws -> Credential
    /// The principal behind a secret's hash, resolved against current memberships and tenants. No usability checks.
    func principal(tokenHash: String, kind: Credential.Kind) async throws -> Principal?
    func touchCredential(id: CredentialID, at now: Date) async throws
    /// Revokes a live credential of `userID` of the given kind; false when there is none.
    func revokeCredential(id: CredentialID, kind: Credential.Kind, userID: UserID, at now: Date) async throws -> Bool
    func apiKeys(userID: UserID) async throws -> [Credential]
    /// Makes `organizationID` active for the credential and restores the tenant it last used there, if still present.
    func activateOrganization(_ organizationID: OrganizationID, credentialID: CredentialID) async throws
    /// Makes the scope's tenant active for the credential and remembers it for its organization.
    func activateTenant(_ scope: TenantScope, credentialID: CredentialID) async throws
}

public struct NewCredential: Sendable {
    public let kind: Credential.Kind
    public let userID: UserID
    public let tokenHash: String
    public let tokenPrefix: String
    public let name: String?
    public let expiresAt: Date?
    public let activeOrganizationID: OrganizationID

    public init(kind: Credential.Kind, userID: UserID, tokenHash: String, tokenPrefix: String, name: String?, expiresAt: Date?, activeOrganizationID: OrganizationID) {
        self.kind = kind
        self.userID = userID
        self.tokenHash = tokenHash
        self.tokenPrefix = tokenPrefix
        self.name = name
        self.expiresAt = expiresAt
        self.activeOrganizationID = activeOrganizationID
    }
}

/// Organizations, members and invitations. Role rules run inside the store's transaction so they hold under concurrency.
public protocol OrganizationRepository: Sendable {
    func memberships(userID: UserID) async throws -> [OrganizationMembershipView]
    /// The organization as `userID` sees it; nil when they are not an active member.
    func membership(userID: UserID, organizationID: OrganizationID) async throws -> OrganizationMembershipView?
    func createOrganization(name: String, owner: UserID, at now: Date) async throws -> Organization
    func renameOrganization(_ organizationID: OrganizationID, name: String, at now: Date) async throws -> Organization
    func members(organizationID: OrganizationID) async throws -> [Membership]
    func changeMemberRole(organizationID: OrganizationID, actor: UserID, member: UserID, to role: OrganizationRole, at now: Date) async throws -> Membership
    func removeMember(organizationID: OrganizationID, actor: UserID, member: UserID, at now: Date) async throws
    func invitations(organizationID: OrganizationID) async throws -> [Invitation]
    func createInvitation(_ invitation: NewInvitation, at now: Date) async throws -> Invitation
    /// Accepts the invitation for the signed-in user; makes them a member with the invited role.
    func acceptInvitation(tokenHash: String, user: User, at now: Date) async throws -> (organization: Organization, invitation: Invitation)
    func revokeInvitation(organizationID: OrganizationID, invitationID: InvitationID, at now: Date) async throws -> Invitation
}

public struct NewInvitation: Sendable {
    public let organizationID: OrganizationID
    public let invitedBy: UserID
    public let email: EmailAddress
    public let role: OrganizationRole
    public let tokenHash: String
    public let tokenPrefix: String
    public let expiresAt: Date

    public init(organizationID: OrganizationID, invitedBy: UserID, email: EmailAddress, role: OrganizationRole, tokenHash: String, tokenPrefix: String, expiresAt: Date) {
        self.organizationID = organizationID
        self.invitedBy = invitedBy
        self.email = email
        self.role = role
        self.tokenHash = tokenHash
        self.tokenPrefix = tokenPrefix
        self.expiresAt = expiresAt
    }
}

/// Tenants of an organization.
public protocol TenantRepository: Sendable {
    func tenants(organizationID: OrganizationID) async throws -> [Tenant]
    func tenant(id: TenantID, organizationID: OrganizationID) async throws -> Tenant?
    func createTenant(organizationID: OrganizationID, name: String, slug: Slug, description: String?, at now: Date) async throws -> Tenant
    func updateTenant(_ scope: TenantScope, at now: Date, _ change: @Sendable (inout Tenant) throws -> Void) async throws -> Tenant
}

/// Who owns a cluster being created.
public enum ClusterOwner: Sendable {
    case tenant(TenantScope)
    case platform
}

/// Clusters visible to a tenant: its own `byo` clusters and every managed cluster.
public protocol ClusterRepository: Sendable {
    /// With no scope, only managed clusters are visible.
    func clusters(visibleTo scope: TenantScope?) async throws -> [Cluster]
    func cluster(id: ClusterID, visibleTo scope: TenantScope?) async throws -> Cluster?
    /// `slug` nil derives one from the name (adding a number when taken); an explicit slug that is taken is a conflict.
    func createCluster(owner: ClusterOwner, name: String, slug: Slug?, provider: String, metadata: [String: String], at now: Date) async throws -> Cluster
    func updateCluster(id: ClusterID, visibleTo scope: TenantScope?, at now: Date, _ change: @Sendable (Cluster) throws -> Cluster) async throws -> Cluster
}

/// Everything the control plane keeps.
public typealias Store = UserRepository & CredentialRepository & OrganizationRepository & TenantRepository & ClusterRepository
    & ProviderConnectionRepository & OperationRunRepository & AgentRepository & AgentPresenceRepository
    & SandboxRepository & AgentCommandRepository & QuotaRepository
