import Foundation

/// A secret that lets one host enroll an agent into one cluster. Shown once, stored as a hash.
public struct ProvisioningToken: Sendable, Equatable {
    public let id: ProvisioningTokenID
    public let clusterID: ClusterID
    public let name: String?
    public let tokenPrefix: String
    public let singleUse: Bool
    public let expiresAt: Date
    public var usedAt: Date?
    public var revokedAt: Date?
    public let createdBy: UserID
    public let createdAt: Date

    public init(id: ProvisioningTokenID, clusterID: ClusterID, name: String?, tokenPrefix: String, singleUse: Bool, expiresAt: Date, usedAt: Date?, revokedAt: Date?, createdBy: UserID, createdAt: Date) {
        self.id = id
        self.clusterID = clusterID
        self.name = name
        self.tokenPrefix = tokenPrefix
        self.singleUse = singleUse
        self.expiresAt = expiresAt
        self.usedAt = usedAt
        self.revokedAt = revokedAt
        self.createdBy = createdBy
        self.createdAt = createdAt
    }

    /// Why the token cannot enroll an agent at `now`, or nil when it can.
    public func refusal(at now: Date) -> String? {
        if revokedAt != nil { return "This provisioning token was revoked." }
        if now >= expiresAt { return "This provisioning token expired; ask for a new one." }
        if singleUse && usedAt != nil { return "This single-use provisioning token was already used." }
        return nil
    }

    public static let maximumLifetime: TimeInterval = 30 * 86_400
}

public typealias ProvisioningTokenID = Identifier<ProvisioningToken>
