import Foundation
import GlobalStacksDomain
import GlobalStacksStore
import GlobalStacksTestSupport
import Logging
import Testing
@testable import GlobalStacksUseCases

/// What the service tests share: a migrated SQLite store, accounts in it, and callers authenticated the way every
/// edge authenticates them (a session's secret, looked up again after each change of what it has selected).
enum ServiceFixtures {
    static let request = AnonymousRequest(clientAddress: "192.0.2.7", logger: TestDatabase.logger)

    /// Seen as `any Store`, as the server's start-up sees it, not as the engine's implementation.
    static func withStore<T: Sendable>(_ body: @Sendable (any Store) async throws -> T) async throws -> T {
        try await TestDatabase.make(.sqlite).withStore { try await body($0) }
    }

    /// bcrypt is the server's; a readable stand-in keeps these tests fast.
    struct PlainPasswords: PasswordHashing {
        func hash(_ password: String) async throws -> String { "plain:" + password }
        func verify(_ password: String, against stored: String?) async throws -> Bool { stored == "plain:" + password }
    }

    static func user(_ name: String, siteRole: SiteRole = .user, in store: some IdentityBootstrap) async throws -> User {
        try await store.createUser(NewUser(
            email: try Validation.email("\(name)@example.com"), displayName: name, passwordHash: "plain:secret-\(name)", siteRole: siteRole
        ), at: Date())
    }

    /// A signed-in caller of `user`, with a session token to look them up again.
    static func session(_ user: User, in store: some CredentialAuthority) async throws -> String {
        try await CredentialIssuer(store: store, lifetime: CredentialLifetime()).issueSession(for: user, at: Date()).token
    }

    /// The caller behind a session token, as it stands now.
    static func caller(_ token: String, in store: some CredentialAuthority) async throws -> Caller {
        let principal = try #require(try await store.principal(tokenHash: SecretHasher.hash(token), kind: .session))
        return Caller(principal: principal)
    }

    static func kind(of body: () async throws -> Void) async -> DomainError.Kind? {
        do {
            try await body()
            return nil
        } catch let error as DomainError {
            return error.kind
        } catch {
            return nil
        }
    }
}
