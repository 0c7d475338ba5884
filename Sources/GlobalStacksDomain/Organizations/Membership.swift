import Foundation

public enum MembershipStatus: String, Sendable, Codable {
    case active
    case removed
}

public struct Membership: Sendable, Equatable {
    public let organizationID: OrganizationID
    public let userID: UserID
    public let email: EmailAddress
    public let displayName: String
    public var role: OrganizationRole
    public var status: MembershipStatus
    public let createdAt: Date
    public var updatedAt: Date

    public init(
        organizationID: OrganizationID, userID: UserID, email: EmailAddress, displayName: String,
        role: OrganizationRole, status: MembershipStatus, createdAt: Date, updatedAt: Date
    ) {
        self.organizationID = organizationID
        self.userID = userID
        self.email = email
        self.displayName = displayName
        self.role = role
        self.status = status
        self.createdAt = createdAt
        self.updatedAt = updatedAt
    }
}

/// Who may change whose role, and the last-owner rule. Pure: the store calls these inside its transaction.
/// A personal organization belongs to its user alone: it has no other members, so its owner can never lose it.
public enum MembershipRules {
    static func checkShared(_ kind: OrganizationKind) throws {
        guard kind == .business else {
            throw DomainError.conflict("A personal organization has no other members; create a business organization to work with others.")
        }
    }

    /// - Parameters:
    ///   - actor: the role of the person making the change.
    ///   - target: the member's current role.
    ///   - newRole: the role asked for.
    ///   - activeOwners: how many active owners the organization has now.
    public static func checkRoleChange(kind: OrganizationKind, actor: OrganizationRole, target: OrganizationRole, newRole: OrganizationRole, activeOwners: Int) throws {
        try checkShared(kind)
        guard actor.canManage else {
            throw DomainError.forbidden("Only owners and admins can change member roles.")
        }
        if (target == .owner || newRole == .owner) && actor != .owner {
            throw DomainError.forbidden("Only owners can grant or change the owner role.")
        }
        if target == .owner && newRole != .owner && activeOwners <= 1 {
            throw DomainError.conflict("This member is the last owner; make someone else an owner first.")
        }
    }

    /// - Parameter isSelf: members may always leave; removing others needs owner or admin.
    public static func checkRemoval(kind: OrganizationKind, actor: OrganizationRole, target: OrganizationRole, isSelf: Bool, activeOwners: Int) throws {
        try checkShared(kind)
        if !isSelf {
            guard actor.canManage else {
                throw DomainError.forbidden("Only owners and admins can remove members.")
            }
            if target == .owner && actor != .owner {
                throw DomainError.forbidden("Only owners can remove an owner.")
            }
        }
        if target == .owner && activeOwners <= 1 {
            throw DomainError.conflict("This member is the last owner and cannot be removed; make someone else an owner first.")
        }
    }

    public static func checkInvitation(kind: OrganizationKind, actor: OrganizationRole, role: OrganizationRole) throws {
        guard actor.canManage else {
            throw DomainError.forbidden("Only owners and admins can invite members.")
        }
        if role == .owner && actor != .owner {
            throw DomainError.forbidden("Only owners can invite someone as an owner.")
        }
        try checkShared(kind)
    }
}
