import Foundation

public enum OrganizationKind: String, Sendable, Codable {
    case personal
    case business
}

public enum OrganizationRole: String, Sendable, Codable, CaseIterable, Comparable {
    case member
    case admin
    case owner

    /// Owners and admins manage the organization, its members, invitations and tenants.
    public var canManage: Bool { self != .member }

    private var rank: Int {
        switch self {
        case .member: 0
        case .admin: 1
        case .owner: 2
        }
    }

    public static func < (lhs: Self, rhs: Self) -> Bool { lhs.rank < rhs.rank }
}

public struct Organization: Sendable, Equatable {
    public let id: OrganizationID
    public var name: String
    public var slug: Slug
    public let kind: OrganizationKind
    public let createdAt: Date
    public var updatedAt: Date

    public init(id: OrganizationID, name: String, slug: Slug, kind: OrganizationKind, createdAt: Date, updatedAt: Date) {
        self.id = id
        self.name = name
        self.slug = slug
        self.kind = kind
        self.createdAt = createdAt
        self.updatedAt = updatedAt
    }
}

/// An organization as one member sees it.
public struct OrganizationMembershipView: Sendable, Equatable {
    public let organization: Organization
    public let role: OrganizationRole

    public init(organization: Organization, role: OrganizationRole) {
        self.organization = organization
        self.role = role
    }
}
