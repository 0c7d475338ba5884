import Foundation

/// A team, department or project inside an organization. Groups nest; a group's quota bounds the sandboxes of its
/// members and of the members of every group below it.
public struct Group: Sendable, Equatable {
    public let id: GroupID
    public let organizationID: OrganizationID
    public var parentID: GroupID?
    /// Machine name: lower-case letters, digits and hyphens, unique in the organization.
    public let name: Slug
    public var displayName: String
    public var description: String?
    public var kind: GroupKind
    public let createdAt: Date
    public var updatedAt: Date

    public init(
        id: GroupID, organizationID: OrganizationID, parentID: GroupID?, name: Slug, displayName: String, description: String?,
        kind: GroupKind, createdAt: Date, updatedAt: Date
    ) {
        self.id = id
        self.organizationID = organizationID
        self.parentID = parentID
        self.name = name
        self.displayName = displayName
        self.description = description
        self.kind = kind
        self.createdAt = createdAt
        self.updatedAt = updatedAt
    }

    /// Ids of `id` and every group above it, nearest first; stops at a cycle (which the store never writes).
    public static func ancestry(of id: GroupID, in groups: [GroupID: Group]) -> [GroupID] {
        var chain: [GroupID] = []
        var next: GroupID? = id
        while let current = next, !chain.contains(current), let group = groups[current] {
            chain.append(current)
            next = group.parentID
        }
        return chain
    }
}

public typealias GroupID = Identifier<Group>

public enum GroupKind: String, Sendable, Codable, CaseIterable {
    case team, department, project
}

/// A user's place in a group.
public struct GroupMembership: Sendable, Equatable {
    public let id: GroupMembershipID
    public let groupID: GroupID
    public let userID: UserID
    public let role: GroupRole
    public let createdAt: Date

    public init(id: GroupMembershipID, groupID: GroupID, userID: UserID, role: GroupRole, createdAt: Date) {
        self.id = id
        self.groupID = groupID
        self.userID = userID
        self.role = role
        self.createdAt = createdAt
    }
}

public typealias GroupMembershipID = Identifier<GroupMembership>

public enum GroupRole: String, Sendable, Codable, CaseIterable {
    case member, admin, owner
}
