import Foundation
import GlobalStacksDomain
import Testing
@testable import GlobalStacksUseCases

@Suite("Principal cache")
struct PrincipalCacheTests {
    static func principal() throws -> Principal {
        let now = Date()
        let organization = Organization(id: .generate(), name: "Acme", slug: try Slug(validating: "acme"), kind: .business, createdAt: now, updatedAt: now)
        let user = User(id: .generate(), email: try Validation.email("ada@example.com"), displayName: "Ada", siteRole: .user, personalOrganizationID: organization.id, deactivatedAt: nil, createdAt: now, updatedAt: now)
        let credential = Credential(id: .generate(), kind: .session, userID: user.id, name: nil, tokenPrefix: "abc", createdAt: now, lastUsedAt: now, expiresAt: nil, revokedAt: nil)
        return Principal(user: user, credential: credential, organization: OrganizationMembershipView(organization: organization, role: .owner), tenant: nil)
    }

    @Test func entriesLiveASecondAndAClearWinsOverALookupThatBeganBeforeIt() throws {
        let cache = PrincipalCache()
        let ada = try Self.principal()
        let now = Date()
        cache.remember(ada, for: "session:a", lookedUpIn: cache.generation, at: now)
        #expect(cache.principal(for: "session:a", at: now.addingTimeInterval(0.5)) == ada)
        #expect(cache.principal(for: "session:a", at: now.addingTimeInterval(1.5)) == nil, "expired")

        // A read looks the principal up, a sign-out clears the cache meanwhile: the stale result is not kept.
        let generation = cache.generation
        cache.removeAll()
        cache.remember(ada, for: "session:a", lookedUpIn: generation, at: now)
        #expect(cache.principal(for: "session:a", at: now) == nil)
        cache.remember(ada, for: "session:a", lookedUpIn: cache.generation, at: now)
        #expect(cache.principal(for: "session:a", at: now) == ada)
    }
}
