import Foundation

/// One recorded marketplace event: who did what, when, to which object, and what changed (names, never secret values).
public struct MarketplaceAuditEvent: Sendable, Equatable {
    public enum Action: String, Sendable, Codable {
        case packageCreated = "package.created"
        case releaseCreated = "release.created"
        case releaseMoved = "release.moved"
        case allowlistChanged = "release.allowlist_changed"
        case keyRegistered = "key.registered"
        case keyRevoked = "key.revoked"
        case installed = "install.created"
        case consented = "install.consented"
        case settingsChanged = "install.settings_changed"
        case uninstalled = "install.removed"
        case policyChanged = "policy.changed"
    }

    public let id: Int64
    public let action: Action
    public let actorID: UserID
    public let extensionKey: ExtensionKey
    /// The tenant the event concerns (the publisher's for publishing, the installer's for installs).
    public let tenantID: TenantID?
    public let detail: [String: JSONValue]
    public let createdAt: Date

    public init(id: Int64, action: Action, actorID: UserID, extensionKey: ExtensionKey, tenantID: TenantID?, detail: [String: JSONValue], createdAt: Date) {
        self.id = id
        self.action = action
        self.actorID = actorID
        self.extensionKey = extensionKey
        self.tenantID = tenantID
        self.detail = detail
        self.createdAt = createdAt
    }
}
