import Foundation
import GlobalStacksDomain
import GlobalStacksStore
import GlobalStacksUseCases

/// What the operations anonymous callers may reach (`AnonymousOperations`) need of the store before there is a
/// principal: sign-in, the one-time setup, self sign-up, and agents enrolling or rotating their key with their own
/// tokens. The presented secret (or the server's settings) is the proof. Handlers hold this, never the system
/// protocols behind it.
struct AnonymousAccess: Sendable {
    private let identity: any IdentityBootstrap & CredentialAuthority
    private let agents: any AgentEnrollmentAuthority

    init(store: some IdentityBootstrap & CredentialAuthority & AgentEnrollmentAuthority) {
        self.identity = store
        self.agents = store
    }

    /// The account behind a sign-in name and its password hash.
    func accountForSignIn(email: EmailAddress) async throws -> (user: User, passwordHash: String)? {
        try await identity.userForSignIn(email: email)
    }

    var isSetUp: Bool {
        get async throws { try await identity.userCount() > 0 }
    }

    func redeemSetupToken(_ token: String, admin: NewUser, at now: Date) async throws -> User {
        try await identity.redeemSetupToken(hash: SecretHasher.hash(token), admin: admin, at: now)
    }

    /// Self sign-up (the caller checked that the server allows it).
    func signUp(_ user: NewUser, at now: Date) async throws -> User {
        try await identity.createUser(user, at: now)
    }

    func registerAgent(_ registration: AgentRegistration, provisioningToken: String, key: SecretToken, at now: Date) async throws -> Agent {
        try await agents.registerAgent(
            registration, provisioningTokenHash: SecretHasher.hash(provisioningToken), keyHash: SecretHasher.hash(key.value),
            keyPrefix: key.displayPrefix, at: now
        )
    }

    func rotateAgentKey(presented: String, to key: SecretToken, previousKeyValidUntil: Date, at now: Date) async throws -> Agent {
        try await agents.rotateAgentKey(
            presentedKeyHash: SecretHasher.hash(presented), newKeyHash: SecretHasher.hash(key.value), newKeyPrefix: key.displayPrefix,
            previousKeyValidUntil: previousKeyValidUntil, at: now
        )
    }
}
