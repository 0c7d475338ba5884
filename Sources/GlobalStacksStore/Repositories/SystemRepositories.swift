import Foundation
import GlobalStacksDomain
import Logging

/// What the server itself needs at first start and for its embedded agent. Never held by request handlers.
public protocol IdentityBootstrap: Sendable {
    func userCount() async throws -> Int
    /// The earliest active site admin (who the server acts as when it enrolls its embedded agent).
    func firstSiteAdmin() async throws -> UserID?
    /// Creates an account (the first admin from the server's settings, or a self sign-up) with its personal organization.
    func createUser(_ user: NewUser, at now: Date) async throws -> User
    /// Stores the hash of the one-time setup token, replacing any earlier one.
    func replaceSetupToken(hash: String, at now: Date) async throws
    /// Creates the first site admin when `hash` matches the setup token and no user exists yet; consumes the token.
    func redeemSetupToken(hash: String, admin: NewUser, at now: Date) async throws -> User
}

/// Credentials before there is a principal: sign-in, the principal behind a presented secret, and minting sessions
/// and API keys. Held by the authenticator and the credential issuer, never by request handlers.
public protocol CredentialAuthority: Sendable {
    /// The account and its password hash, for sign-in.
    func userForSignIn(email: EmailAddress) async throws -> (user: User, passwordHash: String)?
    func createCredential(_ credential: NewCredential, at now: Date) async throws -> Credential
    /// The principal behind a secret's hash, resolved against current memberships and tenants. No usability checks.
    func principal(tokenHash: String, kind: Credential.Kind) async throws -> Principal?
    func touchCredential(id: CredentialID, at now: Date) async throws
    /// Ends a credential the server issued itself (an invocation's, when the invocation ends).
    func revokeIssuedCredential(id: CredentialID, at now: Date) async throws
}

public struct NewCredential: Sendable {
    public let kind: Credential.Kind
    public let userID: UserID
    public let tokenHash: String
    public let tokenPrefix: String
    public let name: String?
    public let expiresAt: Date?
    public let activeOrganizationID: OrganizationID
    /// An invocation credential's tenant and permissions.
    public var activeTenantID: TenantID?
    public var permissions: Set<ExtensionPermission>?
    /// A sandbox access credential's sandbox.
    public var sandboxID: SandboxID?

    public init(kind: Credential.Kind, userID: UserID, tokenHash: String, tokenPrefix: String, name: String?, expiresAt: Date?, activeOrganizationID: OrganizationID) {
        self.kind = kind
        self.userID = userID
        self.tokenHash = tokenHash
        self.tokenPrefix = tokenPrefix
        self.name = name
        self.expiresAt = expiresAt
        self.activeOrganizationID = activeOrganizationID
    }
}

/// Readiness and schema, for the operations endpoints and start-up.
public protocol StoreMaintenance: Sendable {
    /// Applies pending schema migrations; safe when several replicas start at once.
    func migrate(logger: Logger) async throws
    /// Succeeds when the database answers a query (readiness).
    func ping() async throws
}

/// Device-code sign-in before there is a principal: the sign-ins under way and the accounts behind provider
/// identities. Held by the device-login flow, never by request handlers.
public protocol DeviceLoginAuthority: Sendable {
    func createDeviceLogin(_ login: DeviceLogin, tokenHash: String, at now: Date) async throws
    func deviceLogin(tokenHash: String) async throws -> DeviceLogin?
    /// Records a poll's result; the status moves only away from `pending`.
    func updateDeviceLogin(_ login: DeviceLogin) async throws
    /// The account of an approved, unexpired sign-in, once: a second call (or a concurrent one) gets nil.
    func consumeDeviceLogin(tokenHash: String, at now: Date) async throws -> UserID?
    /// Sign-ins past their expiry are deleted.
    func pruneDeviceLogins(before cutoff: Date) async throws
    func user(provider: String, subject: String) async throws -> User?
    func linkIdentity(provider: String, subject: String, to user: UserID, at now: Date) async throws
    /// An account by id, for the device-login flow (active or not; the caller checks).
    func user(id: UserID) async throws -> User?
}
