import Foundation
import GlobalStacksDomain
import GlobalStacksStore
import GlobalStacksTestSupport
import Testing

@Suite("Store conformance: organizations, tenants and clusters")
struct OrganizationConformanceTests {
    /// An owner (ada), a second user (bo) and a business organization owned by ada.
    private static func world(_ store: any Store) async throws -> (ada: User, bo: User, acme: Organization) {
        let ada = try await store.createUser(Fixtures.newUser("ada@example.com"), at: Date())
        let bo = try await store.createUser(Fixtures.newUser("bo@example.com"), at: Date())
        let acme = try await store.createOrganization(name: "Acme", Fixtures.account(ada.id), at: Date())
        return (ada, bo, acme)
    }

    private static func invite(_ store: any Store, _ organization: Organization, by inviter: User, _ email: String, role: OrganizationRole = .member, token: String = UUID().uuidString, expiresIn: TimeInterval = 3600) async throws -> Invitation {
        try await store.createInvitation(NewInvitation(
            email: EmailAddress(canonical: email), role: role,
            tokenHash: token, tokenPrefix: "gsi_\(token.prefix(4))", expiresAt: Date().addingTimeInterval(expiresIn)
        ), Fixtures.scope(organization.id, as: inviter.id), at: Date())
    }

    @Test(arguments: TestEngine.available)
    func invitationLifecycle(engine: TestEngine) async throws {
        try await TestDatabase.make(engine).withStore { store in
            let (ada, bo, acme) = try await Self.world(store)
            let invitation = try await Self.invite(store, acme, by: ada, "bo@example.com", role: .admin, token: "t1")
            #expect(await DomainError.caught { _ = try await Self.invite(store, acme, by: ada, "bo@example.com") }?.kind == .conflict, "one pending invitation per address")
            #expect(await DomainError.caught { _ = try await Self.invite(store, acme, by: ada, "ada@example.com") }?.kind == .conflict, "already a member")
            #expect(await DomainError.caught { _ = try await store.acceptInvitation(tokenHash: "t1", Fixtures.account(ada), at: Date()) }?.kind == .conflict, "email must match")
            #expect(await DomainError.caught { _ = try await store.acceptInvitation(tokenHash: "nope", Fixtures.account(bo), at: Date()) }?.kind == .notFound)

            let (organization, accepted) = try await store.acceptInvitation(tokenHash: "t1", Fixtures.account(bo), at: Date())
            #expect(organization.id == acme.id)
            #expect(accepted.id == invitation.id && accepted.storedStatus == .accepted)
            #expect(try await store.membership(organizationID: acme.id, Fixtures.account(bo.id))?.role == .admin)
            #expect(await DomainError.caught { _ = try await store.acceptInvitation(tokenHash: "t1", Fixtures.account(bo), at: Date()) }?.kind == .conflict, "used")
            #expect(Set(try await store.members(Fixtures.scope(acme.id)).map(\.userID)) == [ada.id, bo.id])
        }
    }

    @Test(arguments: TestEngine.available)
    func personalOrganizationsTakeNoInvitations(engine: TestEngine) async throws {
        try await TestDatabase.make(engine).withStore { store in
            let (ada, _, _) = try await Self.world(store)
            let personal = try #require(try await store.membership(organizationID: ada.personalOrganizationID, Fixtures.account(ada.id))).organization
            #expect(await DomainError.caught { _ = try await Self.invite(store, personal, by: ada, "bo@example.com", role: .owner) }?.kind == .conflict)
            #expect(await DomainError.caught { try await store.removeMember(ada.id, Fixtures.scope(personal.id, as: ada.id), at: Date()) }?.kind == .conflict)
        }
    }

    @Test(arguments: TestEngine.available)
    func revokedAndExpiredInvitations(engine: TestEngine) async throws {
        try await TestDatabase.make(engine).withStore { store in
            let (ada, bo, acme) = try await Self.world(store)
            let revoked = try await Self.invite(store, acme, by: ada, "bo@example.com", token: "r")
            #expect(try await store.revokeInvitation(id: revoked.id, Fixtures.scope(acme.id), at: Date()).storedStatus == .revoked)
            #expect(await DomainError.caught { _ = try await store.revokeInvitation(id: revoked.id, Fixtures.scope(acme.id), at: Date()) }?.kind == .conflict)
            #expect(await DomainError.caught { _ = try await store.acceptInvitation(tokenHash: "r", Fixtures.account(bo), at: Date()) }?.kind == .conflict)

            let expired = try await Self.invite(store, acme, by: ada, "bo@example.com", token: "e", expiresIn: -1)
            #expect(expired.status(at: Date()) == .expired)
            #expect(await DomainError.caught { _ = try await store.acceptInvitation(tokenHash: "e", Fixtures.account(bo), at: Date()) }?.kind == .conflict)
            // An expired invitation does not block a fresh one.
            _ = try await Self.invite(store, acme, by: ada, "bo@example.com", token: "fresh")
            let statuses = try await store.invitations(Fixtures.scope(acme.id)).map { $0.status(at: Date()) }
            #expect(statuses.sorted { $0.rawValue < $1.rawValue } == [.expired, .pending, .revoked])
        }
    }

    @Test(arguments: TestEngine.available)
    func concurrentAcceptsOfOneInvitationAdmitOnce(engine: TestEngine) async throws {
        try await TestDatabase.make(engine).withStore { store in
            let (ada, bo, acme) = try await Self.world(store)
            _ = try await Self.invite(store, acme, by: ada, "bo@example.com", token: "once")
            let outcomes = await withTaskGroup(of: DomainError?.self) { group in
                for _ in 0..<8 {
                    group.addTask { await DomainError.caught { _ = try await store.acceptInvitation(tokenHash: "once", Fixtures.account(bo), at: Date()) } }
                }
                return await group.reduce(into: [DomainError?]()) { $0.append($1) }
            }
            #expect(outcomes.filter { $0 == nil }.count == 1)
            #expect(outcomes.compactMap { $0?.kind } == Array(repeating: .conflict, count: 7))
        }
    }

    @Test(arguments: TestEngine.available)
    func roleChangesFollowTheRules(engine: TestEngine) async throws {
        try await TestDatabase.make(engine).withStore { store in
            let (ada, bo, acme) = try await Self.world(store)
            _ = try await Self.invite(store, acme, by: ada, "bo@example.com", token: "b")
            _ = try await store.acceptInvitation(tokenHash: "b", Fixtures.account(bo), at: Date())
            #expect(await DomainError.caught { _ = try await store.changeMemberRole(member: ada.id, to: .member, Fixtures.scope(acme.id, as: bo.id), at: Date()) }?.kind == .forbidden)
            #expect(await DomainError.caught { _ = try await store.changeMemberRole(member: ada.id, to: .admin, Fixtures.scope(acme.id, as: ada.id), at: Date()) }?.kind == .conflict, "last owner")
            #expect(await DomainError.caught { try await store.removeMember(ada.id, Fixtures.scope(acme.id, as: ada.id), at: Date()) }?.kind == .conflict, "last owner")
            #expect(await DomainError.caught { _ = try await store.changeMemberRole(member: .generate(), to: .admin, Fixtures.scope(acme.id, as: ada.id), at: Date()) }?.kind == .notFound)
            let promoted = try await store.changeMemberRole(member: bo.id, to: .owner, Fixtures.scope(acme.id, as: ada.id), at: Date())
            #expect(promoted.role == .owner)
            _ = try await store.changeMemberRole(member: ada.id, to: .member, Fixtures.scope(acme.id, as: bo.id), at: Date())
            #expect(try await store.membership(organizationID: acme.id, Fixtures.account(ada.id))?.role == .member)
            try await store.removeMember(ada.id, Fixtures.scope(acme.id, as: ada.id), at: Date())
            #expect(try await store.membership(organizationID: acme.id, Fixtures.account(ada.id)) == nil, "a member may leave")
            let renamed = try await store.renameOrganization(name: "Acme Inc", Fixtures.scope(acme.id), at: Date())
            #expect(renamed.name == "Acme Inc")
        }
    }

    @Test(arguments: TestEngine.available)
    func twoOwnersDemotingEachOtherAtOnceLeaveOneOwner(engine: TestEngine) async throws {
        try await TestDatabase.make(engine).withStore { store in
            let (ada, bo, acme) = try await Self.world(store)
            _ = try await Self.invite(store, acme, by: ada, "bo@example.com", role: .owner, token: "b")
            _ = try await store.acceptInvitation(tokenHash: "b", Fixtures.account(bo), at: Date())
            async let first = DomainError.caught { _ = try await store.changeMemberRole(member: bo.id, to: .member, Fixtures.scope(acme.id, as: ada.id), at: Date()) }
            async let second = DomainError.caught { _ = try await store.changeMemberRole(member: ada.id, to: .member, Fixtures.scope(acme.id, as: bo.id), at: Date()) }
            let errors = await [first, second]
            #expect(errors.compactMap { $0 }.count == 1, "exactly one demotion wins")
            let owners = try await store.members(Fixtures.scope(acme.id)).filter { $0.role == .owner }
            #expect(owners.count == 1)
        }
    }

    @Test(arguments: TestEngine.available)
    func tenantSlugsAreUniquePerOrganization(engine: TestEngine) async throws {
        try await TestDatabase.make(engine).withStore { store in
            let (ada, _, acme) = try await Self.world(store)
            let prod = try await store.createTenant(name: "Prod", slug: Fixtures.slug("prod"), description: "live", Fixtures.scope(acme.id), at: Date())
            #expect(prod.externalID.hasPrefix("tnt-") && prod.status == .active)
            #expect(await DomainError.caught { _ = try await store.createTenant(name: "Again", slug: Fixtures.slug("prod"), description: nil, Fixtures.scope(acme.id), at: Date()) }?.kind == .conflict)
            _ = try await store.createTenant(name: "Prod", slug: Fixtures.slug("prod"), description: nil, Fixtures.scope(ada.personalOrganizationID), at: Date())
            #expect(try await store.tenants(Fixtures.scope(acme.id)) == [prod])
            #expect(try await store.tenant(id: prod.id, Fixtures.scope(ada.personalOrganizationID)) == nil, "not visible from another organization")
        }
    }

    @Test(arguments: TestEngine.available)
    func tenantUpdatesRollBackWhenTheChangeIsRefused(engine: TestEngine) async throws {
        try await TestDatabase.make(engine).withStore { store in
            let (ada, _, acme) = try await Self.world(store)
            let tenant = try await store.createTenant(name: "Prod", slug: Fixtures.slug("prod"), description: nil, Fixtures.scope(acme.id), at: Date())
            let (session, hash) = try await Fixtures.session(for: ada, store: store)
            try await store.activateOrganization(Fixtures.scope(acme.id), Fixtures.account(of: session))
            let principal = try #require(try await store.principal(tokenHash: hash, kind: .session))
            let scope = try AccessPolicy.tenantScope(for: tenant, principal)
            let archived = try await store.updateTenant(scope, at: Date()) { $0.status = .archived; $0.name = "Old" }
            #expect(archived.status == .archived && archived.name == "Old")
            let error = await DomainError.caught {
                _ = try await store.updateTenant(scope, at: Date()) { tenant in
                    tenant.name = "Half-written"
                    throw DomainError.conflict("refused")
                }
            }
            #expect(error?.kind == .conflict)
            #expect(try await store.tenant(id: tenant.id, Fixtures.scope(acme.id))?.name == "Old")
        }
    }

    @Test(arguments: TestEngine.available)
    func clusterVisibilitySlugsAndUpdates(engine: TestEngine) async throws {
        try await TestDatabase.make(engine).withStore { store in
            let (ada, _, acme) = try await Self.world(store)
            let (session, hash) = try await Fixtures.session(for: ada, store: store)
            try await store.activateOrganization(Fixtures.scope(acme.id), Fixtures.account(of: session))
            var scopes: [TenantScope] = []
            for slug in ["prod", "dev"] {
                let tenant = try await store.createTenant(name: slug, slug: Fixtures.slug(slug), description: nil, Fixtures.scope(acme.id), at: Date())
                let principal = try #require(try await store.principal(tokenHash: hash, kind: .session))
                scopes.append(try AccessPolicy.tenantScope(for: tenant, principal))
            }
            let managed = try await store.createCluster(owner: .platform(Fixtures.platform), name: "EU West", slug: nil, provider: "globalstacks", metadata: ["region": "eu"], at: Date())
            #expect(managed.slug.rawValue == "eu-west" && managed.tenantID == nil && managed.ownership == .globalstacksManaged)
            let first = try await store.createCluster(owner: .tenant(scopes[0]), name: "Edge", slug: nil, provider: "self-hosted", metadata: [:], at: Date())
            let second = try await store.createCluster(owner: .tenant(scopes[0]), name: "Edge", slug: nil, provider: "self-hosted", metadata: [:], at: Date())
            #expect([first.slug.rawValue, second.slug.rawValue] == ["edge", "edge-2"], "derived slugs get a number when taken")
            let otherTenants = try await store.createCluster(owner: .tenant(scopes[1]), name: "Edge", slug: Fixtures.slug("edge"), provider: "self-hosted", metadata: [:], at: Date())
            #expect(otherTenants.slug.rawValue == "edge", "slugs are per tenant")
            #expect(await DomainError.caught { _ = try await store.createCluster(owner: .tenant(scopes[0]), name: "X", slug: Fixtures.slug("edge"), provider: "p", metadata: [:], at: Date()) }?.kind == .conflict)

            // Creation order, but rows made within one millisecond may come in either order.
            #expect(Set(try await store.clusters(visibleTo: .tenant(scopes[0])).map(\.id)) == [managed.id, first.id, second.id])
            #expect(try await store.clusters(visibleTo: .platform(Fixtures.platform)).map(\.id) == [managed.id])
            #expect(try await store.clusters(visibleTo: .account(Fixtures.account(ada))).map(\.id) == [managed.id], "no tenant selected: managed clusters")
            #expect(try await store.cluster(id: otherTenants.id, visibleTo: .tenant(scopes[0])) == nil)
            #expect(try await store.cluster(id: managed.id, visibleTo: .tenant(scopes[1]))?.metadata == ["region": "eu"])

            let paused = try await store.updateCluster(id: first.id, .tenant(scopes[0]), at: Date()) {
                try ClusterChange(status: .paused, metadata: ["a": "b"]).applied(to: $0, at: Date())
            }
            #expect(paused.status == .paused)
            #expect(try await store.cluster(id: first.id, visibleTo: .tenant(scopes[0]))?.metadata == ["a": "b"])
            #expect(await DomainError.caught { _ = try await store.updateCluster(id: otherTenants.id, .tenant(scopes[0]), at: Date()) { $0 } }?.kind == .notFound)
        }
    }
}
