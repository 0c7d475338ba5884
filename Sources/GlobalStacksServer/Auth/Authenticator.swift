import Foundation
import GlobalStacksDomain
import GlobalStacksStore

/// Resolves the caller of the running request from its session cookie or `Authorization: Bearer gsk_…` API key.
struct Authenticator: Sendable {
    private static let signInFirst = DomainError.unauthenticated(
        "Sign in first: POST /v1/auth/session, or send an API key as 'Authorization: Bearer gsk_…'."
    )

    private let store: any CredentialAuthority
    let lifetime: CredentialLifetime
    let principals: PrincipalCache

    init(store: any CredentialAuthority, lifetime: CredentialLifetime, principals: PrincipalCache) {
        self.store = store
        self.lifetime = lifetime
        self.principals = principals
    }

    /// The principal `AuthenticationMiddleware` resolved for the running operation.
    @TaskLocal static var authenticated: Principal?

    /// The caller of the running operation: resolved once, before the handler ran (`AuthenticationMiddleware`).
    /// An operation anonymous callers may reach has none, and asking for one there is a programming error answered 401.
    func principal() throws -> Principal {
        guard let principal = Self.authenticated else { throw Self.signInFirst }
        return principal
    }

    /// The caller, or 401 with a message that says how to sign in.
    func resolvePrincipal() async throws -> Principal {
        guard let principal = try await optionalPrincipal() else { throw Self.signInFirst }
        return principal
    }

    func optionalPrincipal() async throws -> Principal? {
        let environment = try RequestEnvironment.required
        let lookup: (hash: String, kind: Credential.Kind)
        if let bearer = environment.bearerToken {
            if bearer.hasPrefix(SecretPrefix.apiKey) {
                lookup = (SecretHasher.hash(bearer), .apiKey)
            } else if bearer.hasPrefix(SecretPrefix.invocation) {
                lookup = (SecretHasher.hash(bearer), .invocation)
            } else {
                throw DomainError.unauthenticated("Unsupported bearer token; API keys start with '\(SecretPrefix.apiKey)'.")
            }
        } else if let token = environment.sessionToken {
            lookup = (SecretHasher.hash(token), .session)
        } else {
            return nil
        }
        let now = Date()
        let cacheKey = "\(lookup.kind.rawValue):\(lookup.hash)"
        if environment.isReadOnly, let cached = principals.principal(for: cacheKey, at: now), lifetime.isUsable(cached.credential, at: now),
           !lifetime.needsLastUsedRefresh(cached.credential, at: now) {
            return cached
        }
        let generation = principals.generation
        guard let principal = try await store.principal(tokenHash: lookup.hash, kind: lookup.kind),
              principal.user.isActive, lifetime.isUsable(principal.credential, at: now)
        else {
            let message = switch lookup.kind {
            case .session: "Your session has ended; sign in again with POST /v1/auth/session."
            case .apiKey: "This API key is not valid (revoked, expired or unknown)."
            case .invocation: "This invocation credential is no longer valid: its invocation ended."
            }
            throw DomainError.unauthenticated(message)
        }
        if lifetime.needsLastUsedRefresh(principal.credential, at: now) {
            try await store.touchCredential(id: principal.credential.id, at: now)
        } else if environment.isReadOnly {
            principals.remember(principal, for: cacheKey, lookedUpIn: generation, at: now)
        }
        return principal
    }
}

/// Mints sessions and API keys: a fresh secret, of which only the hash is stored.
struct CredentialIssuer: Sendable {
    private let store: any CredentialAuthority
    let lifetime: CredentialLifetime

    init(store: any CredentialAuthority, lifetime: CredentialLifetime) {
        self.store = store
        self.lifetime = lifetime
    }

    func issueSession(for user: User, at now: Date) async throws -> (credential: Credential, token: String) {
        let token = SecretToken.generate()
        let credential = try await store.createCredential(NewCredential(
            kind: .session, userID: user.id, tokenHash: SecretHasher.hash(token.value), tokenPrefix: token.displayPrefix,
            name: nil, expiresAt: now.addingTimeInterval(lifetime.sessionAbsoluteLifetime),
            activeOrganizationID: user.personalOrganizationID
        ), at: now)
        return (credential, token.value)
    }

    /// The credential an extension's invocation calls the API with: the invoking person's, in the install's tenant,
    /// limited to the consented `permissions`, until `expiresAt` (revoked earlier when the invocation ends).
    func issueInvocationCredential(
        user: UserID, organization: OrganizationID, tenant: TenantID, permissions: Set<ExtensionPermission>, expiresAt: Date, at now: Date
    ) async throws -> (credential: Credential, token: String) {
        let token = SecretToken.generate(prefix: SecretPrefix.invocation)
        var new = NewCredential(
            kind: .invocation, userID: user, tokenHash: SecretHasher.hash(token.value), tokenPrefix: token.displayPrefix,
            name: "extension invocation", expiresAt: expiresAt, activeOrganizationID: organization
        )
        new.activeTenantID = tenant
        new.permissions = permissions
        return (try await store.createCredential(new, at: now), token.value)
    }

    func revoke(_ credential: Credential, at now: Date) async throws {
        try await store.revokeIssuedCredential(id: credential.id, at: now)
    }

    func issueAPIKey(for principal: Principal, name: String, expiresAt: Date?, at now: Date) async throws -> (credential: Credential, key: String) {
        let key = SecretToken.generate(prefix: SecretPrefix.apiKey)
        let credential = try await store.createCredential(NewCredential(
            kind: .apiKey, userID: principal.user.id, tokenHash: SecretHasher.hash(key.value), tokenPrefix: key.displayPrefix,
            name: name, expiresAt: expiresAt, activeOrganizationID: principal.organization.organization.id
        ), at: now)
        return (credential, key.value)
    }
}
