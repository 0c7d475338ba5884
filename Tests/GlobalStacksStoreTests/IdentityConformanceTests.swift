import Foundation
import GlobalStacksDomain
import GlobalStacksStore
import GlobalStacksTestSupport
import Testing

/// One store behaviour on both engines: every test runs on SQLite and on PostgreSQL.
@Suite("Store conformance: identity and credentials")
struct IdentityConformanceTests {
    @Test(arguments: TestEngine.available)
    func migrationsAreIdempotentAndSafeToRunConcurrently(engine: TestEngine) async throws {
        let database = try await TestDatabase.make(engine)
        try await database.withStore { store in
            // Two more migrators at once on an already migrated database apply nothing and do not fail.
            async let first: Void = store.migrate(logger: TestDatabase.logger)
            async let second: Void = store.migrate(logger: TestDatabase.logger)
            _ = try await (first, second)
            #expect(try await store.userCount() == 0)
        }
        if engine == .postgres {
            // Two replicas starting on an empty database: the advisory lock lets exactly one apply each migration.
            let fresh = try await TestDatabase.make(.postgres)
            async let a: Void = fresh.withStore { _ in }
            async let b: Void = fresh.withStore { _ in }
            _ = try await (a, b)
        }
    }

    @Test(arguments: TestEngine.available)
    func creatingAUserCreatesTheirPersonalOrganization(engine: TestEngine) async throws {
        try await TestDatabase.make(engine).withStore { store in
            let now = Date()
            let user = try await store.createUser(Fixtures.newUser("ada@example.com"), at: now)
            #expect(user.createdAt == now.truncatedToStoredPrecision)
            #expect(try await store.listUsers(limit: 10, Fixtures.siteAdmin) == [user])
            let memberships = try await store.memberships(Fixtures.account(user.id))
            #expect(memberships.count == 1)
            #expect(memberships[0].organization.id == user.personalOrganizationID)
            #expect(memberships[0].organization.kind == .personal)
            #expect(memberships[0].role == .owner)
            let signIn = try #require(try await store.userForSignIn(email: EmailAddress(canonical: "ada@example.com")))
            #expect(signIn.passwordHash == "$2b$04$hash")
        }
    }

    @Test(arguments: TestEngine.available)
    func duplicateEmailIsAConflictAndLeavesNothingBehind(engine: TestEngine) async throws {
        try await TestDatabase.make(engine).withStore { store in
            _ = try await store.createUser(Fixtures.newUser("ada@example.com"), at: Date())
            let error = await DomainError.caught { _ = try await store.createUser(Fixtures.newUser("ada@example.com"), at: Date()) }
            #expect(error?.kind == .conflict)
            #expect(try await store.userCount() == 1)
            // The rolled-back attempt left no orphan personal organization: the next user gets the plain slug "bo".
            let bo = try await store.createUser(Fixtures.newUser("bo@example.com"), at: Date())
            #expect(try await store.membership(organizationID: bo.personalOrganizationID, Fixtures.account(bo.id))?.organization.slug.rawValue == "bo")
        }
    }

    @Test(arguments: TestEngine.available)
    func concurrentSignUpsWithOneEmailCreateOneAccount(engine: TestEngine) async throws {
        try await TestDatabase.make(engine).withStore { store in
            // nil: created; otherwise the domain error (a raw database error would fail the test).
            let outcomes = try await withThrowingTaskGroup(of: DomainError?.self) { group in
                for _ in 0..<10 {
                    group.addTask {
                        do {
                            _ = try await store.createUser(Fixtures.newUser("race@example.com"), at: Date())
                            return nil
                        } catch let error as DomainError {
                            return error
                        }
                    }
                }
                return try await group.reduce(into: [DomainError?]()) { $0.append($1) }
            }
            let users = try await store.userCount()
            #expect(outcomes.filter { $0 == nil }.count == 1)
            #expect(outcomes.compactMap { $0?.kind }.allSatisfy { $0 == .conflict })
            #expect(users == 1)
        }
    }

    @Test(arguments: TestEngine.available)
    func concurrentSignUpsWithOneLocalPartGetDistinctPersonalSlugs(engine: TestEngine) async throws {
        try await TestDatabase.make(engine).withStore { store in
            let users = try await withThrowingTaskGroup(of: User.self) { group in
                for domain in ["a.com", "b.com", "c.com", "d.com"] {
                    group.addTask { try await store.createUser(Fixtures.newUser("bo@\(domain)"), at: Date()) }
                }
                return try await group.reduce(into: [User]()) { $0.append($1) }
            }
            var slugs: [String] = []
            for user in users {
                slugs.append(try #require(try await store.membership(organizationID: user.personalOrganizationID, Fixtures.account(user.id))).organization.slug.rawValue)
            }
            #expect(slugs.sorted() == ["bo", "bo-2", "bo-3", "bo-4"])
        }
    }

    @Test(arguments: TestEngine.available)
    func twoAdminsDeactivatingEachOtherLeaveOneAdmin(engine: TestEngine) async throws {
        try await TestDatabase.make(engine).withStore { store in
            let first = try await store.createUser(Fixtures.newUser("one@example.com", role: .admin), at: Date())
            let second = try await store.createUser(Fixtures.newUser("two@example.com", role: .admin), at: Date())
            async let a = DomainError.caught { _ = try await store.deactivateUser(id: first.id, Fixtures.siteAdmin, at: Date()) }
            async let b = DomainError.caught { _ = try await store.deactivateUser(id: second.id, Fixtures.siteAdmin, at: Date()) }
            let errors = await [a, b]
            #expect(errors.compactMap { $0?.kind } == [.conflict], "exactly one deactivation is refused")
            let active = try await store.listUsers(limit: 10, Fixtures.siteAdmin).filter(\.isActive)
            #expect(active.count == 1)
        }
    }

    @Test(arguments: TestEngine.available)
    func principalResolvesActiveOrganizationAndTenant(engine: TestEngine) async throws {
        try await TestDatabase.make(engine).withStore { store in
            let ada = try await store.createUser(Fixtures.newUser("ada@example.com"), at: Date())
            let (session, hash) = try await Fixtures.session(for: ada, store: store)
            var principal = try #require(try await store.principal(tokenHash: hash, kind: .session))
            #expect(principal.user == ada)
            #expect(principal.credential.id == session.id)
            #expect(principal.organization.organization.id == ada.personalOrganizationID)
            #expect(principal.tenant == nil)
            #expect(try await store.principal(tokenHash: hash, kind: .apiKey) == nil, "kinds do not mix")
            #expect(try await store.principal(tokenHash: "unknown", kind: .session) == nil)

            // Select a tenant in a business organization, switch away and back: the tenant is remembered.
            let acme = try await store.createOrganization(name: "Acme", Fixtures.account(ada.id), at: Date())
            try await store.activateOrganization(Fixtures.scope(acme.id), Fixtures.account(of: session))
            let tenant = try await store.createTenant(name: "Prod", slug: Fixtures.slug("prod"), description: nil, Fixtures.scope(acme.id), at: Date())
            principal = try #require(try await store.principal(tokenHash: hash, kind: .session))
            #expect(principal.organization.organization.id == acme.id)
            let scope = try AccessPolicy.tenantScope(for: tenant, principal)
            try await store.activateTenant(scope, Fixtures.account(of: session))
            #expect(try await store.principal(tokenHash: hash, kind: .session)?.tenant?.id == tenant.id)
            try await store.activateOrganization(Fixtures.scope(ada.personalOrganizationID), Fixtures.account(of: session))
            #expect(try await store.principal(tokenHash: hash, kind: .session)?.tenant == nil)
            try await store.activateOrganization(Fixtures.scope(acme.id), Fixtures.account(of: session))
            #expect(try await store.principal(tokenHash: hash, kind: .session)?.tenant?.id == tenant.id, "remembered tenant restored")
        }
    }

    @Test(arguments: TestEngine.available)
    func leavingTheActiveOrganizationFallsBackToThePersonalOne(engine: TestEngine) async throws {
        try await TestDatabase.make(engine).withStore { store in
            let ada = try await store.createUser(Fixtures.newUser("ada@example.com"), at: Date())
            let bo = try await store.createUser(Fixtures.newUser("bo@example.com"), at: Date())
            let acme = try await store.createOrganization(name: "Acme", Fixtures.account(ada.id), at: Date())
            let invitation = try await store.createInvitation(NewInvitation(
                email: bo.email, role: .member,
                tokenHash: "invite", tokenPrefix: "gsi_", expiresAt: Date().addingTimeInterval(3600)
            ), Fixtures.scope(acme.id, as: ada.id), at: Date())
            _ = try await store.acceptInvitation(tokenHash: "invite", Fixtures.account(bo), at: Date())
            #expect(try await store.invitations(Fixtures.scope(acme.id)).map(\.id) == [invitation.id])
            let (session, hash) = try await Fixtures.session(for: bo, store: store)
            try await store.activateOrganization(Fixtures.scope(acme.id), Fixtures.account(of: session))
            #expect(try await store.principal(tokenHash: hash, kind: .session)?.organization.role == .member)
            try await store.removeMember(bo.id, Fixtures.scope(acme.id, as: ada.id), at: Date())
            let principal = try #require(try await store.principal(tokenHash: hash, kind: .session))
            #expect(principal.organization.organization.id == bo.personalOrganizationID)
            #expect(principal.organization.role == .owner)
        }
    }

    @Test(arguments: TestEngine.available)
    func credentialsTouchRevokeAndList(engine: TestEngine) async throws {
        try await TestDatabase.make(engine).withStore { store in
            let ada = try await store.createUser(Fixtures.newUser("ada@example.com"), at: Date())
            let start = Date()
            let key = try await store.createCredential(NewCredential(
                kind: .apiKey, userID: ada.id, tokenHash: "key-hash", tokenPrefix: "gsk_abc", name: "ci",
                expiresAt: nil, activeOrganizationID: ada.personalOrganizationID
            ), at: start)
            let (session, _) = try await Fixtures.session(for: ada, store: store)
            #expect(try await store.apiKeys(Fixtures.account(ada.id)).map(\.id) == [key.id], "sessions are not API keys")

            try await store.touchCredential(id: key.id, at: start.addingTimeInterval(120))
            let touched = try #require(try await store.principal(tokenHash: "key-hash", kind: .apiKey)?.credential)
            #expect(touched.lastUsedAt == start.addingTimeInterval(120).truncatedToStoredPrecision)

            #expect(try await store.revokeCredential(id: key.id, kind: .session, Fixtures.account(ada.id), at: Date()) == false, "wrong kind")
            #expect(try await store.revokeCredential(id: key.id, kind: .apiKey, Fixtures.account(ada.id), at: Date()))
            #expect(try await store.revokeCredential(id: key.id, kind: .apiKey, Fixtures.account(ada.id), at: Date()) == false, "already revoked")
            #expect(try await store.principal(tokenHash: "key-hash", kind: .apiKey)?.credential.revokedAt != nil)
            #expect(try await store.revokeCredential(id: session.id, kind: .session, Fixtures.account(UserID.generate()), at: Date()) == false, "someone else's")
        }
    }

    @Test(arguments: TestEngine.available)
    func deactivationRevokesCredentialsAndKeepsTheLastAdmin(engine: TestEngine) async throws {
        try await TestDatabase.make(engine).withStore { store in
            let root = try await store.createUser(Fixtures.newUser("root@example.com", role: .admin), at: Date())
            let ada = try await store.createUser(Fixtures.newUser("ada@example.com"), at: Date())
            let (_, hash) = try await Fixtures.session(for: ada, store: store)
            let deactivated = try await store.deactivateUser(id: ada.id, Fixtures.siteAdmin, at: Date())
            #expect(!deactivated.isActive)
            #expect(try await store.principal(tokenHash: hash, kind: .session)?.credential.revokedAt != nil)
            #expect(await DomainError.caught { _ = try await store.deactivateUser(id: root.id, Fixtures.siteAdmin, at: Date()) }?.kind == .conflict)
            #expect(await DomainError.caught { _ = try await store.deactivateUser(id: .generate(), Fixtures.siteAdmin, at: Date()) }?.kind == .notFound)
            #expect(Set(try await store.listUsers(limit: 10, Fixtures.siteAdmin).map(\.id)) == [root.id, ada.id])
        }
    }

    @Test(arguments: TestEngine.available)
    func setupTokenCreatesTheFirstAdminOnce(engine: TestEngine) async throws {
        try await TestDatabase.make(engine).withStore { store in
            try await store.replaceSetupToken(hash: "old", at: Date())
            try await store.replaceSetupToken(hash: "setup", at: Date())
            let admin = Fixtures.newUser("root@example.com", role: .admin)
            #expect(await DomainError.caught { _ = try await store.redeemSetupToken(hash: "old", admin: admin, at: Date()) }?.kind == .forbidden)
            let user = try await store.redeemSetupToken(hash: "setup", admin: admin, at: Date())
            #expect(user.siteRole == .admin)
            #expect(await DomainError.caught { _ = try await store.redeemSetupToken(hash: "setup", admin: admin, at: Date()) }?.kind == .conflict)
            #expect(try await store.userCount() == 1)
        }
    }
}
