import Foundation

public enum InvitationStatus: String, Sendable, Codable {
    case pending
    case accepted
    case revoked
    case expired
}

public struct Invitation: Sendable, Equatable {
    public static let lifetime: TimeInterval = 7 * 86_400

    public let id: InvitationID
    public let organizationID: OrganizationID
    public let email: EmailAddress
    public let role: OrganizationRole
    /// The stored status; a pending invitation past `expiresAt` reads as expired.
    public var storedStatus: InvitationStatus
    public let tokenPrefix: String
    public let expiresAt: Date
    public let createdAt: Date
    public var updatedAt: Date

    public init(
        id: InvitationID, organizationID: OrganizationID, email: EmailAddress, role: OrganizationRole,
        storedStatus: InvitationStatus, tokenPrefix: String, expiresAt: Date, createdAt: Date, updatedAt: Date
    ) {
        self.id = id
        self.organizationID = organizationID
        self.email = email
        self.role = role
        self.storedStatus = storedStatus
        self.tokenPrefix = tokenPrefix
        self.expiresAt = expiresAt
        self.createdAt = createdAt
        self.updatedAt = updatedAt
    }

    public func status(at now: Date) -> InvitationStatus {
        storedStatus == .pending && expiresAt <= now ? .expired : storedStatus
    }

    /// Why this invitation cannot be accepted by `email` now, or nil when it can.
    public func acceptanceRefusal(by email: EmailAddress, at now: Date) -> DomainError? {
        switch status(at: now) {
        case .pending:
            guard email == self.email else {
                return .conflict("This invitation was sent to a different email address; sign in as the invited user to accept it.")
            }
            return nil
        case .accepted: return .conflict("This invitation has already been accepted.")
        case .revoked: return .conflict("This invitation was revoked; ask for a new one.")
        case .expired: return .conflict("This invitation has expired; ask for a new one.")
        }
    }
}
