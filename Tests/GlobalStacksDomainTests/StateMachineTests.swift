import Foundation
import GlobalStacksDomain
import Testing

@Suite("Cluster and tenant status")
struct StateMachineTests {
    @Test func clusterTransitions() {
        let allowed: Set<String> = [
            "provisioning>active", "active>paused", "paused>active",
            "provisioning>archived", "active>archived", "paused>archived",
        ]
        for from in ClusterStatus.allCases {
            for to in ClusterStatus.allCases where from != to {
                #expect(from.canTransition(to: to) == allowed.contains("\(from.rawValue)>\(to.rawValue)"), "\(from) → \(to)")
            }
            #expect(from.canTransition(to: from))
        }
    }

    @Test func clusterChangeRefusesIllegalTransitionsWithAConflict() throws {
        let now = Date()
        let cluster = Cluster(
            id: .generate(), tenantID: nil, name: "a", slug: Slug.derived(from: "a"), ownership: .globalstacksManaged,
            provider: "globalstacks", status: .archived, metadata: [:], createdAt: now, updatedAt: now
        )
        #expect(throws: DomainError.conflict("A cluster cannot go from archived to active.")) {
            try ClusterChange(status: .active).applied(to: cluster, at: now)
        }
        let renamed = try ClusterChange(name: "b", metadata: ["k": "v"]).applied(to: cluster, at: now.addingTimeInterval(1))
        #expect(renamed.name == "b" && renamed.metadata == ["k": "v"] && renamed.updatedAt > cluster.updatedAt)
    }

    @Test func tenantOperability() {
        #expect(TenantStatus.active.isOperable)
        #expect(!TenantStatus.suspended.isOperable)
        #expect(!TenantStatus.archived.isOperable)
        #expect(TenantStatus.suspended.canTransition(to: .active))
        #expect(!TenantStatus.archived.canTransition(to: .active))
        #expect(!TenantStatus.archived.canTransition(to: .suspended))
    }

    @Test func credentialLifetime() {
        let lifetime = CredentialLifetime(sessionIdleTimeout: 100, sessionAbsoluteLifetime: 1_000, lastUsedResolution: 10)
        let now = Date()
        let session = Credential(
            id: .generate(), kind: .session, userID: .generate(), name: nil, tokenPrefix: "x",
            createdAt: now, lastUsedAt: now, expiresAt: now.addingTimeInterval(1_000), revokedAt: nil
        )
        #expect(lifetime.isUsable(session, at: now.addingTimeInterval(99)))
        #expect(!lifetime.isUsable(session, at: now.addingTimeInterval(101)), "idle too long")
        var active = session
        active.lastUsedAt = now.addingTimeInterval(950)
        #expect(!lifetime.isUsable(active, at: now.addingTimeInterval(1_001)), "past absolute expiry")
        var revoked = session
        revoked.revokedAt = now
        #expect(!lifetime.isUsable(revoked, at: now))
        let apiKey = Credential(
            id: .generate(), kind: .apiKey, userID: .generate(), name: "ci", tokenPrefix: "gsk_",
            createdAt: now, lastUsedAt: now, expiresAt: nil, revokedAt: nil
        )
        #expect(lifetime.isUsable(apiKey, at: now.addingTimeInterval(1_000_000)), "API keys have no idle timeout")
        #expect(!lifetime.needsLastUsedRefresh(session, at: now.addingTimeInterval(9)))
        #expect(lifetime.needsLastUsedRefresh(session, at: now.addingTimeInterval(10)))
    }
}
