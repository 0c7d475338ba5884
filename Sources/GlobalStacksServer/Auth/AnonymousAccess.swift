import Foundation
import GlobalStacksDomain
import GlobalStacksStore
import GlobalStacksUseCases

/// What the operations anonymous callers may reach (`AnonymousOperations`) need of the store before there is a
/// principal: sign-in, the one-time setup and self sign-up (agents enrolling or rotating their key go through
/// `AgentService`). The presented secret (or the server's settings) is the proof. Handlers hold this, never the system
/// protocols behind it.
struct AnonymousAccess: Sendable {
    private let identity: any IdentityBootstrap & CredentialAuthority

    init(store: some IdentityBootstrap & CredentialAuthority) {
        self.identity = store
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
}
