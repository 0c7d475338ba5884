import Foundation
import GlobalStacksDomain

/// What a principal does with its own account: its organizations, its API keys, what its credential has selected, and
/// the invitations it accepts. Every method takes the caller's `AccountScope`.
public protocol AccountRepository: Sendable {
    func memberships(_ account: AccountScope) async throws -> [OrganizationMembershipView]
    /// The organization as the caller sees it; nil when they are not an active member (make a scope of it with
    /// `AccessPolicy.organizationScope(for:_:)`).
    func membership(organizationID: OrganizationID, _ account: AccountScope) async throws -> OrganizationMembershipView?
    /// A business organization with the caller as its owner.
    func createOrganization(name: String, _ account: AccountScope, at now: Date) async throws -> Organization
    func apiKeys(_ account: AccountScope) async throws -> [Credential]
    /// Revokes a live credential of the caller of the given kind; false when there is none.
    func revokeCredential(id: CredentialID, kind: Credential.Kind, _ account: AccountScope, at now: Date) async throws -> Bool
    /// Makes the organization active for the caller's credential and restores the tenant it last used there, if still present.
    func activateOrganization(_ scope: OrganizationScope, _ account: AccountScope) async throws
    /// Makes the scope's tenant active for the caller's credential and remembers it for its organization.
    func activateTenant(_ scope: TenantScope, _ account: AccountScope) async throws
    /// Forgets the caller's tenant in the organization: no active tenant, none remembered there.
    func clearTenant(_ scope: OrganizationScope, _ account: AccountScope) async throws
    /// What the caller's credential holds for the console: its organization, the tenant remembered per organization,
    /// and the organization the user last chose.
    func shellSession(_ account: AccountScope) async throws -> ShellSession
    /// Every organization the caller is an active member of, with its tenants, numbered as the console names them.
    func shellDirectory(_ account: AccountScope) async throws -> ShellDirectory
    /// Accepts the invitation for the caller; makes them a member with the invited role.
    func acceptInvitation(tokenHash: String, _ account: AccountScope, at now: Date) async throws -> (organization: Organization, invitation: Invitation)
}

/// Every user account, for site admins.
public protocol SiteAdministrationRepository: Sendable {
    func createUser(_ user: NewUser, _ scope: SiteAdministrationScope, at now: Date) async throws -> User
    func listUsers(limit: Int, _ scope: SiteAdministrationScope) async throws -> [User]
    /// Deactivates the account and revokes all its sessions and API keys.
    func deactivateUser(id: UserID, _ scope: SiteAdministrationScope, at now: Date) async throws -> User
}
