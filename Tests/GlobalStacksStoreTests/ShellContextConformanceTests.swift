import Foundation
@testable import GlobalStacksDomain
import GlobalStacksStore
import GlobalStacksTestSupport
import Testing

@Suite("Store conformance: the console's shell context")
struct ShellContextConformanceTests {
    @Test(arguments: TestEngine.available)
    func theSessionRemembersTenantsPerWorkspaceAndTheUserTheirLastWorkspace(engine: TestEngine) async throws {
        try await TestDatabase.make(engine).withStore { store in
            let ada = try await store.createUser(Fixtures.newUser("ada@example.com"), at: Date())
            let (session, hash) = try await Fixtures.session(for: ada, store: store)
            let account = Fixtures.account(of: session)
            var state = try await store.shellSession(account)
            #expect(state == ShellSession(workspace: ada.personalOrganizationID, rememberedTenants: [:], rememberedWorkspace: nil))

            let acme = try await store.createOrganization(name: "Acme", Fixtures.account(ada.id), at: Date())
            let prod = try await store.createTenant(name: "Prod", slug: Fixtures.slug("prod"), description: nil, Fixtures.scope(acme.id), at: Date())
            try await store.activateTenant(TenantScope(tenantID: prod.id, organizationID: acme.id), account)
            state = try await store.shellSession(account)
            #expect(state == ShellSession(workspace: acme.id, rememberedTenants: [acme.id: prod.id], rememberedWorkspace: acme.id))

            // The directory names both workspaces (personal first) and Acme's tenant, numbered.
            let directory = try await store.shellDirectory(Fixtures.account(ada.id))
            #expect(directory.workspaces.map(\.organizationID) == [ada.personalOrganizationID, acme.id])
            #expect(directory.tenants.map(\.tenantID) == [prod.id])
            let acmeNumber = try #require(directory.workspace(acme.id)?.id)
            #expect(directory.tenants.first?.workspaceID == acmeNumber && directory.tenant(.text(prod.externalID))?.tenantID == prod.id)

            // Clearing forgets the tenant in that workspace only for this session.
            try await store.clearTenant(Fixtures.scope(acme.id, as: ada.id), account)
            state = try await store.shellSession(account)
            #expect(state.rememberedTenants.isEmpty && state.workspace == acme.id)
            #expect(try await store.principal(tokenHash: hash, kind: .session)?.tenant == nil)
        }
    }
}
