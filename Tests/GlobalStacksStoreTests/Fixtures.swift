import Foundation
@testable import GlobalStacksDomain
import GlobalStacksStore
import Testing

/// Small builders shared by the conformance tests.
enum Fixtures {
    static func newUser(_ email: String, role: SiteRole = .user) -> NewUser {
        NewUser(email: EmailAddress(canonical: email), displayName: email.components(separatedBy: "@")[0], passwordHash: "$2b$04$hash", siteRole: role)
    }

    static func session(for user: User, store: any Store, token: String = UUID().uuidString, at now: Date = Date()) async throws -> (Credential, String) {
        let credential = try await store.createCredential(NewCredential(
            kind: .session, userID: user.id, tokenHash: "hash-\(token)", tokenPrefix: String(token.prefix(8)), name: nil,
            expiresAt: now.addingTimeInterval(3600), activeOrganizationID: user.personalOrganizationID
        ), at: now)
        return (credential, "hash-\(token)")
    }

    static func slug(_ value: String) -> Slug {
        try! Slug(validating: value)
    }
}

extension DomainError {
    /// Runs `body` and returns the domain error it throws, or nil when it succeeds.
    /// Any other error (a raw database error would be a 500 at the edge) fails the test.
    static func caught(_ body: () async throws -> Void) async -> DomainError? {
        do {
            try await body()
            return nil
        } catch let error as DomainError {
            return error
        } catch {
            Issue.record("expected a DomainError, got \(String(reflecting: error))")
            return DomainError.invalidInput("unexpected error")
        }
    }
}

/// Scopes as `AccessPolicy` makes them for a request. What these tests prove is the store's behaviour given a scope;
/// how a request comes by one is proven by `AccessPolicyTests` and the API tests.
extension Fixtures {
    static func scope(_ organizationID: OrganizationID, as userID: UserID = .generate(), role: OrganizationRole = .owner) -> OrganizationScope {
        OrganizationScope(organizationID: organizationID, userID: userID, role: role)
    }

    static func account(_ user: User, credentialID: CredentialID = .generate()) -> AccountScope {
        AccountScope(userID: user.id, email: user.email, credentialID: credentialID)
    }

    static func account(_ userID: UserID, credentialID: CredentialID = .generate()) -> AccountScope {
        AccountScope(userID: userID, email: EmailAddress(canonical: "\(userID.rawValue)@example.com"), credentialID: credentialID)
    }

    /// The account behind `credential`, as it signs in with it.
    static func account(of credential: Credential) -> AccountScope {
        account(credential.userID, credentialID: credential.id)
    }

    static let siteAdmin = SiteAdministrationScope(adminID: .generate())
}
