import Foundation
import GlobalStacksDomain
import GlobalStacksStore
import Testing
@testable import GlobalStacksUseCases

@Suite("Identity service")
struct IdentityServiceTests {
    static func service(_ store: any Store, attempts: Int = 3, allowSignUp: Bool = false) -> IdentityService {
        IdentityService(
            accounts: store, identity: store, issuer: CredentialIssuer(store: store, lifetime: CredentialLifetime()),
            passwords: ServiceFixtures.PlainPasswords(), throttle: LoginThrottle(attemptsPerWindow: attempts, window: 60), allowSignUp: allowSignUp
        )
    }

    @Test func signInIsThrottledPerAccountAndASuccessClearsTheCount() async throws {
        try await ServiceFixtures.withStore { store in
            let identity = Self.service(store)
            let ada = try await ServiceFixtures.user("ada", in: store)
            let request = ServiceFixtures.request
            for _ in 1...2 {
                await #expect(throws: DomainError.unauthenticated("Email or password is incorrect.")) {
                    try await identity.signIn(loginName: "ada@example.com", password: "wrong", request)
                }
            }
            let session = try await identity.signIn(loginName: "ADA@example.com", password: "secret-ada", request)
            #expect(session.user.id == ada.id)
            #expect(try await ServiceFixtures.caller(session.token, in: store).user.id == ada.id, "the token is the session's, its hash stored")

            // Counted from zero again after the success: three more attempts, then a wait, even for the right password.
            for _ in 1...3 {
                _ = await ServiceFixtures.kind { _ = try await identity.signIn(loginName: "ada@example.com", password: "wrong", request) }
            }
            let refused = await ServiceFixtures.kind { _ = try await identity.signIn(loginName: "ada@example.com", password: "secret-ada", request) }
            guard case .tooManyRequests(let seconds)? = refused else {
                Issue.record("expected 429, got \(String(describing: refused))")
                return
            }
            #expect(seconds > 0)
        }
    }

    @Test func beforeSetupSignInSaysHowToSetUpAndSetupWorksOnce() async throws {
        try await ServiceFixtures.withStore { store in
            let identity = Self.service(store, attempts: 10)
            let refused = await #expect(throws: DomainError.self) {
                try await identity.signIn(loginName: "ada@example.com", password: "whatever", ServiceFixtures.request)
            }
            #expect(refused?.message.contains("POST /v1/setup") == true)

            try await store.replaceSetupToken(hash: SecretHasher.hash("gss_first"), at: Date())
            let admin = try await identity.completeSetup(
                token: "gss_first", email: "root@example.com", displayName: "Root", password: "correct horse battery", ServiceFixtures.request
            )
            #expect(admin.siteRole == .admin)
            #expect(await ServiceFixtures.kind {
                _ = try await identity.completeSetup(
                    token: "gss_first", email: "eve@example.com", displayName: "Eve", password: "correct horse battery", ServiceFixtures.request
                )
            } == .conflict)
            #expect(await ServiceFixtures.kind {
                _ = try await identity.signUp(email: "eve@example.com", displayName: "Eve", password: "correct horse battery", ServiceFixtures.request)
            } == .forbidden, "self sign-up is off")
        }
    }

    @Test func usersAreForSiteAdminsAndAPIKeysForTheirOwner() async throws {
        try await ServiceFixtures.withStore { store in
            let identity = Self.service(store)
            let root = try await ServiceFixtures.caller(try await ServiceFixtures.session(try await ServiceFixtures.user("root", siteRole: .admin, in: store), in: store), in: store)
            let ada = try await ServiceFixtures.caller(try await ServiceFixtures.session(try await ServiceFixtures.user("ada", in: store), in: store), in: store)

            #expect(await ServiceFixtures.kind { _ = try await identity.users(caller: ada) } == .forbidden)
            let bob = try await identity.createUser(email: "bob@example.com", displayName: "Bob", password: "correct horse battery", siteRole: .user, caller: root)
            #expect(try await identity.users(caller: root).map(\.id).contains(bob.id))

            let (key, secret) = try await identity.createAPIKey(name: "ci", expiresInDays: 30, caller: ada)
            #expect(secret.hasPrefix(SecretPrefix.apiKey))
            #expect(await ServiceFixtures.kind { _ = try await identity.createAPIKey(name: "ci", expiresInDays: 0, caller: ada) } == .invalidInput)
            #expect(await ServiceFixtures.kind { try await identity.revokeAPIKey(key.id, caller: root) } == .notFound, "another's key")
            try await identity.revokeAPIKey(key.id, caller: ada)
            #expect(try await identity.apiKeys(caller: ada).filter { $0.id == key.id && $0.revokedAt == nil }.isEmpty)

            // Signing out ends a session, not an API key.
            let (_, keySecret) = try await identity.createAPIKey(name: "laptop", expiresInDays: nil, caller: ada)
            let keyCaller = Caller(principal: try #require(try await store.principal(tokenHash: SecretHasher.hash(keySecret), kind: .apiKey)))
            #expect(await ServiceFixtures.kind { try await identity.signOut(caller: keyCaller) } == .invalidInput)
            try await identity.signOut(caller: ada)
            #expect(try await store.principal(tokenHash: SecretHasher.hash(keySecret), kind: .apiKey) != nil)
        }
    }
}
