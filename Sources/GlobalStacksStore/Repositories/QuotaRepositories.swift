import Foundation
import GlobalStacksDomain

/// A group being created.
public struct NewGroup: Sendable {
    public let name: Slug
    public let displayName: String
    public let description: String?
    public let kind: GroupKind
    public let parentID: GroupID?

    public init(name: Slug, displayName: String, description: String?, kind: GroupKind, parentID: GroupID?) {
        self.name = name
        self.displayName = displayName
        self.description = description
        self.kind = kind
        self.parentID = parentID
    }
}

/// Groups, their members, and the quotas of an organization, its users and its groups. Everything is reached
/// through an `OrganizationScope`.
public protocol QuotaRepository: Sendable {
    func createGroup(_ group: NewGroup, _ scope: OrganizationScope, at now: Date) async throws -> Group
    func groups(_ scope: OrganizationScope) async throws -> [Group]
    /// How many members each group of the organization has (groups without members are absent).
    func groupMemberCounts(_ scope: OrganizationScope) async throws -> [GroupID: Int]
    func group(id: GroupID, _ scope: OrganizationScope) async throws -> Group?
    /// Deletes a group without subgroups (409 otherwise), with its members and quota.
    func deleteGroup(id: GroupID, _ scope: OrganizationScope) async throws
    /// Adds a member of the organization to the group (409 when already in it, 404 for someone outside).
    func addGroupMember(groupID: GroupID, userID: UserID, role: GroupRole, _ scope: OrganizationScope, at now: Date) async throws -> GroupMembership
    func groupMembers(groupID: GroupID, _ scope: OrganizationScope) async throws -> [GroupMembership]
    func removeGroupMember(groupID: GroupID, userID: UserID, _ scope: OrganizationScope) async throws
    /// Changes the limits `change` gives (nil: unchanged) of one quota and returns it with current use.
    func setQuota(_ target: QuotaTarget, _ scope: OrganizationScope, change: QuotaLimits, at now: Date) async throws -> QuotaUsage
    /// Removes every limit of one quota (nothing to remove is not an error; an unknown group or member is 404).
    func removeQuota(_ target: QuotaTarget, _ scope: OrganizationScope) async throws
    /// A quota's limits (none set: all nil) beside current use.
    func quotaUsage(_ target: QuotaTarget, _ scope: OrganizationScope) async throws -> QuotaUsage
    /// Every quota that applies to the scope member's next sandbox: their own, each group they are in and every group
    /// above those, and the organization's.
    func applicableQuotas(_ scope: OrganizationScope) async throws -> [QuotaUsage]
}
