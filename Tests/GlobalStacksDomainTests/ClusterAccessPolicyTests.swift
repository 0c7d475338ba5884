import Foundation
import GlobalStacksDomain
import Testing

@Suite("Access policy: clusters")
struct ClusterAccessPolicyTests {
    @Test func onlySiteOperatorsAndAdminsGetThePlatformScope() throws {
        for site in [SiteRole.operator, .admin] {
            let principal = AccessPolicyTests.principal(site: site, role: .member)
            #expect(try AccessPolicy.platformScope(principal).operatorID == principal.user.id)
        }
        #expect(throws: DomainError.forbidden("Only site operators and admins can manage globalstacks-managed clusters.")) {
            try AccessPolicy.platformScope(AccessPolicyTests.principal(site: .user, role: .owner))
        }
    }

    @Test func readingFollowsTheActiveTenantAndChangingTheClustersOwner() throws {
        let owner = AccessPolicyTests.principal(role: .owner)
        let tenant = try #require(AccessPolicy.activeTenantScope(owner))
        #expect(AccessPolicy.clusterVisibility(owner) == .tenant(tenant))
        let withoutTenant = AccessPolicyTests.principal(role: .owner, tenantIn: .generate())
        #expect(AccessPolicy.clusterVisibility(withoutTenant) == .account(AccessPolicy.accountScope(withoutTenant)))

        let now = Date()
        func cluster(_ ownership: ClusterOwnership) -> Cluster {
            Cluster(
                id: .generate(), tenantID: ownership == .byo ? tenant.tenantID : nil, name: "C", slug: Slug.derived(from: "c"), ownership: ownership,
                provider: "p", status: .active, metadata: [:], createdAt: now, updatedAt: now
            )
        }
        #expect(try AccessPolicy.clusterManagement(cluster(.byo), owner) == .tenant(tenant))
        #expect(throws: DomainError.self) { try AccessPolicy.clusterManagement(cluster(.byo), AccessPolicyTests.principal(role: .member)) }
        #expect(throws: DomainError.self) { try AccessPolicy.clusterManagement(cluster(.globalstacksManaged), owner) }
        let operatorMember = AccessPolicyTests.principal(site: .operator, role: .member)
        #expect(try AccessPolicy.clusterManagement(cluster(.globalstacksManaged), operatorMember) == .platform(try AccessPolicy.platformScope(operatorMember)))
    }
}
