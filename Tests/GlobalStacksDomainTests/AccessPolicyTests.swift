import Foundation
import GlobalStacksDomain
import Testing

@Suite("Access policy")
struct AccessPolicyTests {
    static func principal(site: SiteRole = .user, role: OrganizationRole, tenantIn tenantOrganization: OrganizationID? = nil) -> Principal {
        let now = Date()
        let organizationID = OrganizationID.generate()
        let user = User(
            id: .generate(), email: EmailAddress(canonical: "a@example.com"), displayName: "A", siteRole: site,
            personalOrganizationID: organizationID, deactivatedAt: nil, createdAt: now, updatedAt: now
        )
        let organization = Organization(id: organizationID, name: "Org", slug: Slug.derived(from: "org"), kind: .business, createdAt: now, updatedAt: now)
        let tenant = Tenant(
            id: .generate(), organizationID: tenantOrganization ?? organizationID, name: "T", slug: Slug.derived(from: "t"),
            description: nil, externalID: "tnt-x", status: .active, createdAt: now, updatedAt: now
        )
        let credential = Credential(
            id: .generate(), kind: .session, userID: user.id, name: nil, tokenPrefix: "x",
            createdAt: now, lastUsedAt: now, expiresAt: nil, revokedAt: nil
        )
        return Principal(user: user, credential: credential, organization: OrganizationMembershipView(organization: organization, role: role), tenant: tenant)
    }

    @Test func organizationCapabilitiesFollowTheOrganizationRole() {
        for role in OrganizationRole.allCases {
            let principal = Self.principal(role: role)
            for capability in [Capability.manageOrganization, .manageTenants, .manageTenantClusters] {
                #expect(AccessPolicy.allows(capability, principal) == (role != .member), "\(role) \(capability)")
            }
        }
    }

    @Test func platformCapabilitiesFollowTheSiteRole() {
        #expect(!AccessPolicy.allows(.manageManagedClusters, Self.principal(site: .user, role: .owner)))
        #expect(AccessPolicy.allows(.manageManagedClusters, Self.principal(site: .operator, role: .member)))
        #expect(AccessPolicy.allows(.manageManagedClusters, Self.principal(site: .admin, role: .member)))
        #expect(!AccessPolicy.allows(.manageUsers, Self.principal(site: .operator, role: .owner)))
        #expect(AccessPolicy.allows(.manageUsers, Self.principal(site: .admin, role: .member)))
        #expect(throws: DomainError.forbidden("Only site admins can manage user accounts.")) {
            try AccessPolicy.require(.manageUsers, Self.principal(role: .owner))
        }
    }

    @Test func tenantScopesComeOnlyFromTheActiveOrganization() throws {
        let principal = Self.principal(role: .member)
        let scope = try #require(AccessPolicy.activeTenantScope(principal))
        #expect(scope.tenantID == principal.tenant?.id)
        #expect(scope.organizationID == principal.organization.organization.id)

        let elsewhere = Self.principal(role: .owner, tenantIn: .generate())
        #expect(AccessPolicy.activeTenantScope(elsewhere) == nil)
        #expect(throws: DomainError.self) { try AccessPolicy.requireActiveTenantScope(elsewhere) }
        #expect(throws: DomainError.self) { try AccessPolicy.tenantScope(for: elsewhere.tenant!, elsewhere) }
    }

    /// Exec, files and output of a sandbox: its creator and the organization's owners and admins; not other members.
    @Test func onlyTheCreatorAndTheOrganizationsManagersWorkInASandbox() throws {
        let creator = Self.principal(role: .member)
        let sandbox = Sandbox(
            id: .generate(), tenantID: creator.tenant!.id, organizationID: creator.organization.organization.id, createdBy: creator.user.id,
            spec: try SandboxLifecycleTests.spec(), agentID: .generate(), clusterID: .generate(), state: .running, stateChangedAt: Date(),
            lastError: nil, exitStatus: nil, lastActivityAt: Date(), createdAt: Date(), updatedAt: Date()
        )
        try AccessPolicy.requireSandboxWork(creator, on: sandbox)
        try AccessPolicy.requireSandboxWork(Self.principal(role: .owner), on: sandbox)
        try AccessPolicy.requireSandboxWork(Self.principal(role: .admin), on: sandbox)
        #expect(throws: DomainError.forbidden("Only the sandbox's creator and the organization's owners and admins may run commands in it or reach its files.")) {
            try AccessPolicy.requireSandboxWork(Self.principal(role: .member), on: sandbox)
        }
    }
}
