import Foundation
import GlobalStacksDomain
import GlobalStacksStore

/// Mints sessions and API keys: a fresh secret, of which only the hash is stored.
public struct CredentialIssuer: Sendable {
    private let store: any CredentialAuthority
    public let lifetime: CredentialLifetime

    public init(store: any CredentialAuthority, lifetime: CredentialLifetime) {
        self.store = store
        self.lifetime = lifetime
    }

    public func issueSession(for user: User, at now: Date) async throws -> (credential: Credential, token: String) {
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
    public func issueInvocationCredential(
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

    /// A token that reaches `sandbox` only, as `user`, in the sandbox's tenant: shown once, to the client that asked
    /// (every create and connect gets its own).
    public func issueSandboxAccess(to sandbox: Sandbox, for user: UserID, at now: Date) async throws -> String {
        let token = SecretToken.generate(prefix: SecretPrefix.sandboxAccess)
        var new = NewCredential(
            kind: .sandboxAccess, userID: user, tokenHash: SecretHasher.hash(token.value), tokenPrefix: token.displayPrefix,
            name: "sandbox access", expiresAt: nil, activeOrganizationID: sandbox.organizationID
        )
        new.activeTenantID = sandbox.tenantID
        new.sandboxID = sandbox.id
        _ = try await store.createCredential(new, at: now)
        return token.value
    }

    public func revoke(_ credential: Credential, at now: Date) async throws {
        try await store.revokeIssuedCredential(id: credential.id, at: now)
    }

    public func issueAPIKey(for principal: Principal, name: String, expiresAt: Date?, at now: Date) async throws -> (credential: Credential, key: String) {
        let key = SecretToken.generate(prefix: SecretPrefix.apiKey)
        let credential = try await store.createCredential(NewCredential(
            kind: .apiKey, userID: principal.user.id, tokenHash: SecretHasher.hash(key.value), tokenPrefix: key.displayPrefix,
            name: name, expiresAt: expiresAt, activeOrganizationID: principal.organization.organization.id
        ), at: now)
        return (credential, key.value)
    }
}
