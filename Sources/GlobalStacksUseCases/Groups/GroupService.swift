import Foundation
import GlobalStacksDomain
import GlobalStacksStore

/// Groups and quotas of the caller's active organization. Every member may read them; owners and admins change them.
public struct GroupService: Sendable {
    private let store: any QuotaRepository

    public init(store: any QuotaRepository) {
        self.store = store
    }

    public func groups(caller: Caller) async throws -> [CountedGroup] {
        let scope = caller.organization
        let groups = try await store.groups(scope)
        let counts = try await store.groupMemberCounts(scope)
        return groups.map { CountedGroup(group: $0, memberCount: counts[$0.id] ?? 0) }
    }

    /// The group, or 404 when it is not in the caller's active organization.
    public func group(_ id: GroupID, caller: Caller) async throws -> CountedGroup {
        let scope = caller.organization
        guard let group = try await store.group(id: id, scope) else { throw DomainError.notFound("No group \(id) in the active organization.") }
        return CountedGroup(group: group, memberCount: try await store.groupMemberCounts(scope)[group.id] ?? 0)
    }

    /// A group named `name` (a slug); the display name defaults to it, the kind to a team.
    public func create(
        name: String, displayName: String?, description: String?, kind: GroupKind?, parentID: GroupID?, caller: Caller
    ) async throws -> Group {
        let scope = try caller.organization(requiring: .manageOrganization)
        let name = try Slug(validating: name, field: "name")
        return try await store.createGroup(NewGroup(
            name: name, displayName: try Validation.name(displayName ?? name.rawValue, field: "displayName"),
            description: try Validation.description(description), kind: kind ?? .team, parentID: parentID
        ), scope, at: Date())
    }

    /// Deletes a group without subgroups (409 otherwise), with its members and quota.
    public func delete(_ id: GroupID, caller: Caller) async throws {
        try await store.deleteGroup(id: id, try caller.organization(requiring: .manageOrganization))
    }

    public func members(of group: GroupID, caller: Caller) async throws -> [GroupMembership] {
        try await store.groupMembers(groupID: group, caller.organization)
    }

    /// Adds a member of the organization to the group, as a plain member unless `role` says otherwise.
    public func add(_ user: UserID, to group: GroupID, role: GroupRole?, caller: Caller) async throws -> GroupMembership {
        let scope = try caller.organization(requiring: .manageOrganization)
        return try await store.addGroupMember(groupID: group, userID: user, role: role ?? .member, scope, at: Date())
    }

    public func remove(_ user: UserID, from group: GroupID, caller: Caller) async throws {
        try await store.removeGroupMember(groupID: group, userID: user, try caller.organization(requiring: .manageOrganization))
    }

    // MARK: quotas

    /// A quota's limits (none set: all nil) beside current use.
    public func quota(_ target: QuotaTarget, caller: Caller) async throws -> QuotaUsage {
        try await store.quotaUsage(target, caller.organization)
    }

    /// Changes the limits `change` sets (nil: unchanged).
    public func setQuota(_ target: QuotaTarget, _ change: QuotaLimits, caller: Caller) async throws -> QuotaUsage {
        try await store.setQuota(target, try caller.organization(requiring: .manageOrganization), change: change, at: Date())
    }

    public func removeQuota(_ target: QuotaTarget, caller: Caller) async throws {
        try await store.removeQuota(target, try caller.organization(requiring: .manageOrganization))
    }

    /// Every quota that applies to the caller's next sandbox.
    public func applicableQuotas(caller: Caller) async throws -> [QuotaUsage] {
        try await store.applicableQuotas(caller.organization)
    }
}

/// A group with how many members it has.
public struct CountedGroup: Sendable {
    public let group: Group
    public let memberCount: Int
}
