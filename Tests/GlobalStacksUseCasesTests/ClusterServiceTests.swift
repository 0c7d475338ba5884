import Foundation
import GlobalStacksDomain
import GlobalStacksStore
import Synchronization
import Testing
@testable import GlobalStacksUseCases

/// Which scope `ClusterService` hands the store: a managed cluster is changed only with the platform's scope, and a
/// caller who may not change a cluster is refused before the store is asked to.
@Suite("Cluster service")
struct ClusterServiceTests {
    /// Holds clusters and records the scopes of the changes it was asked for.
    final class Clusters: ClusterRepository, Sendable {
        let stored: [Cluster]
        let changes = Mutex<[ClusterVisibility]>([])

        init(_ stored: [Cluster]) { self.stored = stored }

        func clusters(visibleTo scope: ClusterVisibility) async throws -> [Cluster] { stored }
        func cluster(id: ClusterID, visibleTo scope: ClusterVisibility) async throws -> Cluster? { stored.first { $0.id == id } }
        func createCluster(owner: ClusterOwner, name: String, slug: Slug?, provider: String, metadata: [String: String], at now: Date) async throws -> Cluster {
            stored[0]
        }
        func updateCluster(id: ClusterID, _ scope: ClusterVisibility, at now: Date, _ change: @Sendable (Cluster) throws -> Cluster) async throws -> Cluster {
            changes.withLock { $0.append(scope) }
            return try change(stored.first { $0.id == id }!)
        }
    }

    static func caller(site: SiteRole, role: OrganizationRole) throws -> Caller {
        let now = Date()
        let organization = Organization(id: .generate(), name: "Acme", slug: try Slug(validating: "acme"), kind: .business, createdAt: now, updatedAt: now)
        let user = User(
            id: .generate(), email: try Validation.email("ada@example.com"), displayName: "Ada", siteRole: site,
            personalOrganizationID: organization.id, deactivatedAt: nil, createdAt: now, updatedAt: now
        )
        let credential = Credential(id: .generate(), kind: .session, userID: user.id, name: nil, tokenPrefix: "abc", createdAt: now, lastUsedAt: now, expiresAt: nil, revokedAt: nil)
        let tenant = Tenant(
            id: .generate(), organizationID: organization.id, name: "Prod", slug: try Slug(validating: "prod"), description: nil,
            externalID: "tnt-prod", status: .active, createdAt: now, updatedAt: now
        )
        return Caller(principal: Principal(
            user: user, credential: credential, organization: OrganizationMembershipView(organization: organization, role: role), tenant: tenant
        ))
    }

    static let managed = Cluster(
        id: .generate(), tenantID: nil, name: "EU West", slug: try! Slug(validating: "eu-west"), ownership: .globalstacksManaged,
        provider: "globalstacks", status: .active, metadata: [:], createdAt: Date(), updatedAt: Date()
    )

    @Test func aTenantOwnerSeesAManagedClusterButOnlyAnOperatorChangesIt() async throws {
        let store = Clusters([Self.managed])
        let service = ClusterService(store: store)
        let owner = try Self.caller(site: .user, role: .owner)
        #expect(try await service.cluster(Self.managed.id, caller: owner) == Self.managed)
        await #expect(throws: DomainError.forbidden("Only site operators and admins can manage globalstacks-managed clusters.")) {
            _ = try await service.update(Self.managed.id, name: "Mine", status: nil, metadata: nil, caller: owner)
        }
        #expect(store.changes.withLock { $0 }.isEmpty, "refused before the store is asked")

        let operatorMember = try Self.caller(site: .operator, role: .member)
        #expect(try await service.update(Self.managed.id, name: "EU", status: nil, metadata: nil, caller: operatorMember).name == "EU")
        #expect(store.changes.withLock { $0 } == [.platform(try AccessPolicy.platformScope(operatorMember.principal))])
    }

    @Test func anUnknownClusterIsNotFoundBeforeAnyRoleIsAsked() async throws {
        let service = ClusterService(store: Clusters([Self.managed]))
        let member = try Self.caller(site: .user, role: .member)
        let error = await #expect(throws: DomainError.self) {
            _ = try await service.update(.generate(), name: nil, status: nil, metadata: nil, caller: member)
        }
        #expect(error?.kind == .notFound)
    }
}
