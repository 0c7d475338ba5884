import Foundation
import GlobalStacksDomain
import GlobalStacksStore
import Testing
@testable import GlobalStacksUseCases

/// The rules the organization, tenant and group services apply for the caller: who manages, who only reads, and
/// that another organization's tenant is not found.
@Suite("Organization, tenant and group services")
struct OrganizationServicesTests {
    @Test func ownersManageMembersReadAndOtherOrganizationsSeeNothing() async throws {
        try await ServiceFixtures.withStore { store in
            let organizations = OrganizationService(store: store, publicURL: "https://gs.example.com")
            let tenants = TenantService(store: store)
            let groups = GroupService(store: store)
            let adaToken = try await ServiceFixtures.session(try await ServiceFixtures.user("ada", in: store), in: store)
            let bobToken = try await ServiceFixtures.session(try await ServiceFixtures.user("bob", in: store), in: store)
            let eveToken = try await ServiceFixtures.session(try await ServiceFixtures.user("eve", in: store), in: store)

            // Ada founds Acme and invites Bob as a member; the link carries the secret once.
            let acme = try await organizations.create(name: "Acme", caller: try await ServiceFixtures.caller(adaToken, in: store))
            try await organizations.activate(acme.id, caller: try await ServiceFixtures.caller(adaToken, in: store))
            let ada = try await ServiceFixtures.caller(adaToken, in: store)
            let issued = try await organizations.invite(email: "bob@example.com", role: .member, caller: ada)
            #expect(issued.acceptURL.hasPrefix("https://gs.example.com/v1/invitations/\(SecretPrefix.invitation)"))
            let secret = try #require(issued.acceptURL.split(separator: "/").dropLast().last.map(String.init))
            _ = try await organizations.acceptInvitation(token: secret, caller: try await ServiceFixtures.caller(bobToken, in: store))
            try await organizations.activate(acme.id, caller: try await ServiceFixtures.caller(bobToken, in: store))
            let bob = try await ServiceFixtures.caller(bobToken, in: store)
            #expect(try await organizations.current(caller: bob).members.count == 2)
            #expect(await ServiceFixtures.kind { _ = try await organizations.invitations(caller: bob) } == .forbidden)
            #expect(await ServiceFixtures.kind { _ = try await organizations.rename(to: "Bob's", caller: bob) } == .forbidden)

            // Tenants: the owner creates one, a member sees it but may not create or change one.
            let production = try await tenants.create(name: "Production", slug: "production", description: nil, caller: ada)
            #expect(try await tenants.tenants(caller: bob).map(\.id) == [production.id])
            #expect(await ServiceFixtures.kind { _ = try await tenants.create(name: "Mine", slug: "mine", description: nil, caller: bob) } == .forbidden)
            #expect(await ServiceFixtures.kind {
                _ = try await tenants.update(production.id, TenantChange(name: "Prod", description: nil, status: nil), caller: bob)
            } == .forbidden)
            #expect(try await tenants.activate(production.id, caller: bob).id == production.id)
            #expect(try await ServiceFixtures.caller(bobToken, in: store).principal.tenant?.id == production.id)

            // Eve, in her personal organization only, finds none of Acme's tenants or groups.
            let eve = try await ServiceFixtures.caller(eveToken, in: store)
            #expect(await ServiceFixtures.kind { _ = try await tenants.tenant(production.id, caller: eve) } == .notFound)
            #expect(await ServiceFixtures.kind { _ = try await tenants.activate(production.id, caller: eve) } == .notFound)

            // Groups: the owner creates and fills them; a member reads them with their counts.
            let platform = try await groups.create(name: "platform", displayName: nil, description: nil, kind: nil, parentID: nil, caller: ada)
            #expect(platform.displayName == "platform" && platform.kind == .team)
            #expect(await ServiceFixtures.kind {
                _ = try await groups.create(name: "mine", displayName: nil, description: nil, kind: nil, parentID: nil, caller: bob)
            } == .forbidden)
            _ = try await groups.add(bob.user.id, to: platform.id, role: nil, caller: ada)
            #expect(try await groups.groups(caller: bob).map(\.memberCount) == [1])
            #expect(await ServiceFixtures.kind { _ = try await groups.group(platform.id, caller: eve) } == .notFound)
            #expect(await ServiceFixtures.kind {
                _ = try await groups.setQuota(.group(platform.id), QuotaLimits(maxSessions: 2, maxCPU: nil, maxMemory: nil, maxStorage: nil), caller: bob)
            } == .forbidden)
        }
    }
}
