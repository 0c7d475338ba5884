import Foundation
import GlobalStacksDomain
import GlobalStacksStore
import GlobalStacksUseCases

/// What agents enrolling or rotating their key with their own tokens (in `AnonymousOperations`) need of the store
/// before there is a principal: the presented secret is the proof. Handlers hold this, never the system protocol
/// behind it. (Sign-in, setup and sign-up are `IdentityService`'s.)
struct AnonymousAccess: Sendable {
    private let agents: any AgentEnrollmentAuthority

    init(store: some AgentEnrollmentAuthority) {
        self.agents = store
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
