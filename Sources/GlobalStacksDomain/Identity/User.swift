import Foundation

/// Site-wide role: `operator` runs platform capacity, `admin` also manages users.
public enum SiteRole: String, Sendable, CaseIterable, Codable {
    case user
    case `operator`
    case admin
}

public struct User: Sendable, Equatable {
    public let id: UserID
    public var email: EmailAddress
    public var displayName: String
    public var siteRole: SiteRole
    public var personalOrganizationID: OrganizationID
    public var deactivatedAt: Date?
    public let createdAt: Date
    public var updatedAt: Date

    public init(
        id: UserID, email: EmailAddress, displayName: String, siteRole: SiteRole,
        personalOrganizationID: OrganizationID, deactivatedAt: Date?, createdAt: Date, updatedAt: Date
    ) {
        self.id = id
        self.email = email
        self.displayName = displayName
        self.siteRole = siteRole
        self.personalOrganizationID = personalOrganizationID
        self.deactivatedAt = deactivatedAt
        self.createdAt = createdAt
        self.updatedAt = updatedAt
    }

    public var isActive: Bool { deactivatedAt == nil }
}

/// What a new account needs; the password arrives already hashed.
public struct NewUser: Sendable {
    public let email: EmailAddress
    public let displayName: String
    public let passwordHash: String
    public let siteRole: SiteRole

    public init(email: EmailAddress, displayName: String, passwordHash: String, siteRole: SiteRole) {
        self.email = email
        self.displayName = displayName
        self.passwordHash = passwordHash
        self.siteRole = siteRole
    }
}
