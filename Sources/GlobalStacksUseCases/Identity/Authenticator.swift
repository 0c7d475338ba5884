import Foundation
import GlobalStacksDomain
import GlobalStacksStore

/// Resolves the caller of a request from the credential it presented: a session token, or an API key or invocation
/// credential sent as `Authorization: Bearer …`. Every edge authenticates through this one authenticator and its one
/// principal cache, so a revoked key or an ended session is refused everywhere at once.
public struct Authenticator: Sendable {
    /// The refusal of a request that presented no credential.
    public static let signInFirst = DomainError.unauthenticated(
        "Sign in first: POST /v1/auth/session, or send an API key as 'Authorization: Bearer gsk_…'."
    )

    private let store: any CredentialAuthority
    public let lifetime: CredentialLifetime
    public let principals: PrincipalCache

    public init(store: any CredentialAuthority, lifetime: CredentialLifetime, principals: PrincipalCache) {
        self.store = store
        self.lifetime = lifetime
        self.principals = principals
    }

    /// The caller, or 401 with a message that says how to sign in.
    public func authenticate(_ presented: PresentedCredentials) async throws -> Caller {
        guard let caller = try await optionalCaller(presented) else { throw Self.signInFirst }
        return caller
    }

    /// The caller, nil when the request presented no credential, 401 when it presented one that is not valid.
    public func optionalCaller(_ presented: PresentedCredentials) async throws -> Caller? {
        let lookup: (hash: String, kind: Credential.Kind)
        if let bearer = presented.bearerToken {
            if bearer.hasPrefix(SecretPrefix.apiKey) {
                lookup = (SecretHasher.hash(bearer), .apiKey)
            } else if bearer.hasPrefix(SecretPrefix.invocation) {
                lookup = (SecretHasher.hash(bearer), .invocation)
            } else {
                throw DomainError.unauthenticated("Unsupported bearer token; API keys start with '\(SecretPrefix.apiKey)'.")
            }
        } else if let token = presented.sessionToken {
            lookup = (SecretHasher.hash(token), .session)
        } else {
            return nil
        }
        return try await caller(lookup, isReadOnly: presented.isReadOnly)
    }

    /// The caller behind a sandbox access token, for requests to `sandboxID` only (401 otherwise): a token reaches
    /// the one sandbox it was issued for, as the person it was issued to, in that sandbox's tenant.
    public func authenticateSandboxAccess(_ token: String, to sandboxID: SandboxID) async throws -> Caller {
        guard token.hasPrefix(SecretPrefix.sandboxAccess) else {
            throw DomainError.unauthenticated("This is not a sandbox access token; send the envdAccessToken the sandbox was created or connected with.")
        }
        let caller = try await caller((SecretHasher.hash(token), .sandboxAccess), isReadOnly: true)
        guard caller.principal.credential.sandboxID == sandboxID else {
            throw DomainError.unauthenticated("This access token is for another sandbox.")
        }
        return caller
    }

    private func caller(_ lookup: (hash: String, kind: Credential.Kind), isReadOnly: Bool) async throws -> Caller {
        let now = Date()
        let cacheKey = "\(lookup.kind.rawValue):\(lookup.hash)"
        if isReadOnly, let cached = principals.principal(for: cacheKey, at: now), lifetime.isUsable(cached.credential, at: now),
           !lifetime.needsLastUsedRefresh(cached.credential, at: now) {
            return Caller(principal: cached)
        }
        let generation = principals.generation
        guard let principal = try await store.principal(tokenHash: lookup.hash, kind: lookup.kind),
              principal.user.isActive, lifetime.isUsable(principal.credential, at: now)
        else {
            let message = switch lookup.kind {
            case .session: "Your session has ended; sign in again with POST /v1/auth/session."
            case .apiKey: "This API key is not valid (revoked, expired or unknown)."
            case .invocation: "This invocation credential is no longer valid: its invocation ended."
            case .sandboxAccess: "This sandbox access token is not valid (unknown, or its sandbox is gone)."
            }
            throw DomainError.unauthenticated(message)
        }
        if lifetime.needsLastUsedRefresh(principal.credential, at: now) {
            try await store.touchCredential(id: principal.credential.id, at: now)
        } else if isReadOnly {
            principals.remember(principal, for: cacheKey, lookedUpIn: generation, at: now)
        }
        return Caller(principal: principal)
    }
}
