import Foundation
import GlobalStacksDomain
import GlobalStacksStore
import Logging

/// Sessions, the first start, sign-up, user accounts (for site admins) and the caller's API keys. Sign-in, setup and
/// sign-up are reached anonymously: they take the `AnonymousRequest` instead of a caller, and are throttled per
/// account and client address because each costs a bcrypt hash.
public struct IdentityService: Sendable {
    private let accounts: any AccountRepository & SiteAdministrationRepository
    private let identity: any IdentityBootstrap & CredentialAuthority
    private let issuer: CredentialIssuer
    private let passwords: any PasswordHashing
    private let throttle: LoginThrottle
    private let allowSignUp: Bool

    public init(
        accounts: any AccountRepository & SiteAdministrationRepository, identity: any IdentityBootstrap & CredentialAuthority,
        issuer: CredentialIssuer, passwords: any PasswordHashing, throttle: LoginThrottle, allowSignUp: Bool
    ) {
        self.accounts = accounts
        self.identity = identity
        self.issuer = issuer
        self.passwords = passwords
        self.throttle = throttle
        self.allowSignUp = allowSignUp
    }

    // MARK: sessions

    /// A new session for the account with this email and password.
    public func signIn(loginName: String, password: String, _ request: AnonymousRequest) async throws -> NewSession {
        let email = try Validation.email(loginName, field: "loginName")
        try throttle.beginAttempt(account: email.canonical, address: request.clientAddress, at: Date())
        let account = try await identity.userForSignIn(email: email)
        guard try await passwords.verify(password, against: account?.passwordHash), let user = account?.user, user.isActive else {
            request.logger.notice("Sign-in refused", metadata: ["client": "\(request.clientAddress)"])
            // Before setup no password can be right: say what to do instead (POST /v1/setup already tells anyone).
            guard try await isSetUp else {
                throw DomainError.unauthenticated("This server has no users yet; create the first site admin with the setup token it printed (POST /v1/setup).")
            }
            throw DomainError.unauthenticated("Email or password is incorrect.")
        }
        throttle.succeeded(account: email.canonical)
        return try await issuer.signIn(user, how: "password", request)
    }

    /// Ends the caller's session (an API key is revoked on its own, not signed out).
    public func signOut(caller: Caller) async throws {
        let principal = caller.principal
        guard principal.credential.kind == .session else {
            throw DomainError.invalidInput("This request is authenticated with an API key; revoke it with DELETE /v1/api-keys/{apiKeyId}.")
        }
        _ = try await accounts.revokeCredential(id: principal.credential.id, kind: .session, caller.account, at: Date())
    }

    // MARK: accounts

    /// The first site admin, with the one-time setup token the server printed at its first start.
    public func completeSetup(token: String, email: String, displayName: String, password: String, _ request: AnonymousRequest) async throws -> User {
        // Unauthenticated and costly (bcrypt): limited per client address, and refused before hashing once set up.
        try throttle.beginAttempt(account: "setup", address: request.clientAddress, at: Date())
        guard try await !isSetUp else {
            throw DomainError.conflict("This installation is already set up; sign in instead.")
        }
        let admin = try await newUser(email: email, displayName: displayName, password: password, siteRole: .admin)
        let user = try await identity.redeemSetupToken(hash: SecretHasher.hash(token), admin: admin, at: Date())
        request.logger.notice("Setup completed: first site admin created", metadata: ["user": "\(user.id)"])
        return user
    }

    /// Self sign-up, when the server allows it.
    public func signUp(email: String, displayName: String, password: String, _ request: AnonymousRequest) async throws -> User {
        guard allowSignUp else {
            throw DomainError.forbidden("Self sign-up is disabled on this server; ask a site admin for an account.")
        }
        try throttle.beginAttempt(account: "signup", address: request.clientAddress, at: Date())
        let new = try await newUser(email: email, displayName: displayName, password: password, siteRole: .user)
        return try await identity.createUser(new, at: Date())
    }

    public func users(caller: Caller) async throws -> [User] {
        try await accounts.listUsers(limit: 1_000, try AccessPolicy.siteAdministrationScope(caller.principal))
    }

    public func createUser(email: String, displayName: String, password: String, siteRole: SiteRole, caller: Caller) async throws -> User {
        let scope = try AccessPolicy.siteAdministrationScope(caller.principal)
        let new = try await newUser(email: email, displayName: displayName, password: password, siteRole: siteRole)
        return try await accounts.createUser(new, scope, at: Date())
    }

    /// Deactivates the account and ends its sessions and API keys.
    public func deactivateUser(_ id: UserID, caller: Caller) async throws -> User {
        try await accounts.deactivateUser(id: id, try AccessPolicy.siteAdministrationScope(caller.principal), at: Date())
    }

    // MARK: API keys

    public func apiKeys(caller: Caller) async throws -> [Credential] {
        try await accounts.apiKeys(caller.account)
    }

    /// A new API key of the caller, in their active organization; the key itself is returned this once.
    public func createAPIKey(name: String, expiresInDays: Int?, caller: Caller) async throws -> (credential: Credential, key: String) {
        let name = try Validation.name(name)
        let now = Date()
        var expiresAt: Date?
        if let days = expiresInDays {
            guard (1...3650).contains(days) else { throw DomainError.invalidInput("expiresInDays must be between 1 and 3650.") }
            expiresAt = now.addingTimeInterval(Double(days) * 86_400)
        }
        return try await issuer.issueAPIKey(for: caller.principal, name: name, expiresAt: expiresAt, at: now)
    }

    public func revokeAPIKey(_ id: CredentialID, caller: Caller) async throws {
        guard try await accounts.revokeCredential(id: id, kind: .apiKey, caller.account, at: Date()) else {
            throw DomainError.notFound("You have no active API key \(id).")
        }
    }

    private var isSetUp: Bool {
        get async throws { try await identity.userCount() > 0 }
    }

    /// Validates and hashes the parts of a new account.
    private func newUser(email: String, displayName: String, password: String, siteRole: SiteRole) async throws -> NewUser {
        let email = try Validation.email(email)
        let displayName = try Validation.name(displayName, field: "displayName")
        let password = try Validation.password(password)
        return NewUser(email: email, displayName: displayName, passwordHash: try await passwords.hash(password), siteRole: siteRole)
    }
}
