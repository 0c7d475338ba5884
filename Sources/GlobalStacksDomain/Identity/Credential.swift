import Foundation

/// A bearer secret that authenticates a user: a browser session (cookie) or an API key.
/// Only the SHA-256 of the secret is stored.
public struct Credential: Sendable, Equatable {
    public enum Kind: String, Sendable, Codable {
        case session
        case apiKey = "api_key"
        /// Held by one extension invocation's sandbox: limited to the permissions the tenant consented to, in the
        /// install's tenant, until the invocation ends.
        case invocation
        /// Reaches one sandbox only (its processes, files and ports: the E2B-compatible API's `envdAccessToken`), as
        /// the person who asked for it, while the sandbox lives. Never accepted by the v1 API.
        case sandboxAccess = "sandbox_access"
    }

    public let id: CredentialID
    public let kind: Kind
    public let userID: UserID
    /// API keys carry a name; sessions do not.
    public let name: String?
    /// The first characters of the secret, to recognise it in lists.
    public let tokenPrefix: String
    public let createdAt: Date
    public var lastUsedAt: Date
    /// Absolute expiry; nil for API keys that never expire.
    public let expiresAt: Date?
    public var revokedAt: Date?
    /// An invocation credential's permissions; nil for a person's credential (everything the person may do).
    public let permissions: Set<ExtensionPermission>?
    /// The one sandbox a sandbox access credential reaches.
    public let sandboxID: SandboxID?

    public init(
        id: CredentialID, kind: Kind, userID: UserID, name: String?, tokenPrefix: String,
        createdAt: Date, lastUsedAt: Date, expiresAt: Date?, revokedAt: Date?, permissions: Set<ExtensionPermission>? = nil,
        sandboxID: SandboxID? = nil
    ) {
        self.sandboxID = sandboxID
        self.permissions = permissions
        self.id = id
        self.kind = kind
        self.userID = userID
        self.name = name
        self.tokenPrefix = tokenPrefix
        self.createdAt = createdAt
        self.lastUsedAt = lastUsedAt
        self.expiresAt = expiresAt
        self.revokedAt = revokedAt
    }
}

/// Expiry rules for credentials: sessions expire when idle too long or past their absolute lifetime.
public struct CredentialLifetime: Sendable {
    public var sessionIdleTimeout: TimeInterval
    public var sessionAbsoluteLifetime: TimeInterval
    /// `lastUsedAt` is written at most this often, so authenticated reads stay reads.
    public var lastUsedResolution: TimeInterval

    public init(sessionIdleTimeout: TimeInterval = 12 * 3600, sessionAbsoluteLifetime: TimeInterval = 7 * 86_400, lastUsedResolution: TimeInterval = 60) {
        self.sessionIdleTimeout = sessionIdleTimeout
        self.sessionAbsoluteLifetime = sessionAbsoluteLifetime
        self.lastUsedResolution = lastUsedResolution
    }

    public func isUsable(_ credential: Credential, at now: Date) -> Bool {
        if credential.revokedAt != nil { return false }
        if let expiresAt = credential.expiresAt, expiresAt <= now { return false }
        if credential.kind == .session, now.timeIntervalSince(credential.lastUsedAt) > sessionIdleTimeout { return false }
        return true
    }

    public func needsLastUsedRefresh(_ credential: Credential, at now: Date) -> Bool {
        now.timeIntervalSince(credential.lastUsedAt) >= lastUsedResolution
    }
}
