import Foundation
import GlobalStacksTestSupport
import HTTPTypes
import Testing

/// The README's path, end to end through the HTTP edge, on both databases:
/// sign in → create organization → invite → accept → create tenant → create cluster.
@Suite("Organizations, tenants and clusters through the API")
struct WorkspaceFlowTests {
    @Test(arguments: TestEngine.available)
    func readmeFlow(engine: TestEngine) async throws {
        try await TestServer.run(engine) { api, _ in
            let admin = try await api.signInAdmin()
            let ada = try await api.newUser("ada@example.com", admin: admin)
            let bo = try await api.newUser("bo@example.com", admin: admin)

            // Ada creates a business organization and switches to it.
            let org = try await api.request(.post, "/v1/organizations", json: #"{"name":"Acme Corp"}"#, session: ada)
            #expect(org.status == .created && org.string("kind") == "business" && org.string("slug") == "acme-corp")
            let orgID = try #require(org.string("id"))
            #expect(try await api.request(.post, "/v1/organizations/\(orgID)/activate", session: bo).status == .notFound, "not Bo's")
            #expect(try await api.request(.post, "/v1/organizations/\(orgID)/activate", session: ada).status == .ok)
            let listed = try await api.request(.get, "/v1/organizations", session: ada)
            #expect(listed.string("activeOrganizationId") == orgID)
            #expect(listed.items.filter { $0["active"] as? Bool == true }.count == 1)

            // Invite Bo; the token is only in acceptUrl.
            let invitation = try await api.request(.post, "/v1/organizations/current/invitations", json: #"{"email":"bo@example.com","role":"member"}"#, session: ada)
            #expect(invitation.status == .created)
            let acceptURL = try #require(invitation.string("acceptUrl"))
            #expect(acceptURL.hasPrefix("https://gstacks.example.com/v1/invitations/gsi_"))
            let token = try #require(acceptURL.components(separatedBy: "/invitations/").last?.components(separatedBy: "/").first)
            #expect(token.hasPrefix(try #require(invitation.string("tokenPrefix"))))
            let invitations = try await api.request(.get, "/v1/organizations/current/invitations", session: ada)
            #expect(invitations.items.count == 1 && invitations.items[0]["acceptUrl"] == nil, "the token is shown once")
            #expect(try await api.request(.post, "/v1/organizations/current/invitations", json: #"{"email":"bo@example.com","role":"member"}"#, session: ada).status == .conflict)
            #expect(try await api.request(.post, "/v1/organizations/current/invitations", json: #"{"email":"ada@example.com","role":"member"}"#, session: ada).status == .conflict)
            #expect(try await api.request(.post, "/v1/invitations/\(token)/accept", session: admin).status == .conflict, "the wrong user")

            let accepted = try await api.request(.post, "/v1/invitations/\(token)/accept", session: bo)
            #expect(accepted.status == .ok)
            #expect((accepted.json["invitation"] as? [String: Any])?["status"] as? String == "accepted")
            #expect(try await api.request(.post, "/v1/invitations/\(token)/accept", session: bo).status == .conflict, "used")

            // Bo is a member: he sees the organization but cannot manage it.
            #expect(try await api.request(.post, "/v1/organizations/\(orgID)/activate", session: bo).status == .ok)
            let boView = try await api.request(.get, "/v1/organizations/current", session: bo)
            #expect(boView.string("currentRole") == "member")
            #expect((boView.json["members"] as? [Any])?.count == 2)
            #expect(try await api.request(.patch, "/v1/organizations/current", json: #"{"name":"Bo Corp"}"#, session: bo).status == .forbidden)
            #expect(try await api.request(.get, "/v1/organizations/current/invitations", session: bo).status == .forbidden)
            #expect(try await api.request(.post, "/v1/tenants", json: #"{"name":"Prod","slug":"prod"}"#, session: bo).status == .forbidden)

            // The last owner can be neither demoted nor removed.
            let adaID = try #require(((try await api.request(.get, "/v1/auth/session", session: ada)).json["user"] as? [String: Any])?["id"] as? String)
            #expect(try await api.request(.patch, "/v1/organizations/current/members/\(adaID)", json: #"{"role":"admin"}"#, session: ada).status == .conflict)
            #expect(try await api.request(.delete, "/v1/organizations/current/members/\(adaID)", session: ada).status == .conflict)
            #expect(try await api.request(.delete, "/v1/organizations/current/members/\(adaID)", session: bo).status == .forbidden)
            #expect(try await api.request(.patch, "/v1/organizations/current", json: #"{"name":"Acme Corporation"}"#, session: ada).status == .ok)

            // Tenants: slug rules, uniqueness, selection.
            let badSlug = try await api.request(.post, "/v1/tenants", json: #"{"name":"Prod","slug":"Prod_1"}"#, session: ada)
            #expect(badSlug.status == .badRequest && badSlug.message.contains("lower-case"))
            let tenant = try await api.request(.post, "/v1/tenants", json: #"{"name":"Production","slug":"prod","description":"live"}"#, session: ada)
            #expect(tenant.status == .created && tenant.string("slug") == "prod")
            #expect(try await api.request(.post, "/v1/tenants", json: #"{"name":"Again","slug":"prod"}"#, session: ada).status == .conflict)
            let tenantID = try #require(tenant.string("id"))
            #expect(try await api.request(.get, "/v1/tenants", session: bo).items.count == 1)
            let activated = try await api.request(.post, "/v1/tenants/\(tenantID)/activate", session: ada)
            #expect(activated.status == .ok && activated.json["active"] as? Bool == true && activated.string("status") == "active")
            #expect(try await api.request(.get, "/v1/auth/session", session: ada).string("tenantId") == tenantID)
            #expect(try await api.request(.post, "/v1/tenants/\(tenantID)/activate", session: admin).status == .notFound, "another organization's tenant")

            // Clusters: BYO for the active tenant, with a derived slug.
            let cluster = try await api.request(.post, "/v1/clusters", json: #"{"name":"Edge Rack 1","ownership":"byo","metadata":{"zone":"a"}}"#, session: ada)
            #expect(cluster.status == .created)
            #expect(cluster.string("slug") == "edge-rack-1" && cluster.string("provider") == "self-hosted" && cluster.string("status") == "active")
            let clusterID = try #require(cluster.string("id"))
            #expect(try await api.request(.get, "/v1/clusters", session: ada).items.map { $0["id"] as? String } == [clusterID])
            #expect(try await api.request(.get, "/v1/clusters/\(clusterID)", session: bo).status == .notFound, "Bo has not selected the tenant")
            #expect(try await api.request(.post, "/v1/tenants/\(tenantID)/activate", session: bo).status == .ok)
            #expect(try await api.request(.get, "/v1/clusters/\(clusterID)", session: bo).status == .ok)
            #expect(try await api.request(.patch, "/v1/clusters/\(clusterID)", json: #"{"status":"paused"}"#, session: bo).status == .forbidden)

            // Input PostgreSQL cannot store (NUL) and ids that cannot exist are 400 and 404, never 500.
            let nul = try await api.request(.post, "/v1/auth/session", json: #"{"strategy":"password","loginName":"a\#u{5C}u0000@x.io","password":"whatever-pw"}"#)
            #expect(nul.status == .badRequest)
            let nulDescription = try await api.request(.post, "/v1/tenants", json: #"{"name":"N","slug":"n","description":"a\#u{5C}u0000b"}"#, session: ada)
            #expect(nulDescription.status == .badRequest)
            #expect(try await api.request(.get, "/v1/clusters/%00", session: ada).status == .notFound)
            #expect(try await api.request(.post, "/v1/tenants/not-a-uuid/activate", session: ada).status == .notFound)
            #expect(try await api.request(.patch, "/v1/organizations/current/members/%00x", json: #"{"role":"admin"}"#, session: ada).status == .notFound)
        }
    }

    @Test func clusterRulesAndTenantStatus() async throws {
        try await TestServer.run { api, _ in
            let admin = try await api.signInAdmin()
            let ada = try await api.newUser("ada@example.com", admin: admin)
            let noTenant = try await api.request(.post, "/v1/clusters", json: #"{"name":"Edge","ownership":"byo"}"#, session: ada)
            #expect(noTenant.status == .badRequest && noTenant.message.contains("activate"))
            #expect(try await api.request(.post, "/v1/clusters", json: #"{"name":"Shared","ownership":"globalstacks-managed"}"#, session: ada).status == .forbidden)

            let managed = try await api.request(.post, "/v1/clusters", json: #"{"name":"EU West","ownership":"globalstacks-managed","slug":"eu-west"}"#, session: admin)
            #expect(managed.status == .created && managed.string("provider") == "globalstacks")
            let managedID = try #require(managed.string("id"))
            #expect(try await api.request(.get, "/v1/clusters/\(managedID)", session: ada).status == .ok, "managed clusters are visible to everyone")
            #expect(try await api.request(.patch, "/v1/clusters/\(managedID)", json: #"{"name":"Mine"}"#, session: ada).status == .forbidden)
            #expect(try await api.request(.patch, "/v1/clusters/\(managedID)", json: #"{"status":"paused"}"#, session: admin).status == .ok)
            #expect(try await api.request(.patch, "/v1/clusters/\(managedID)", json: #"{"status":"archived"}"#, session: admin).status == .ok)
            let illegal = try await api.request(.patch, "/v1/clusters/\(managedID)", json: #"{"status":"active"}"#, session: admin)
            #expect(illegal.status == .conflict && illegal.message.contains("archived"))
            #expect(try await api.request(.patch, "/v1/clusters/\(managedID)", json: #"{"status":"gone"}"#, session: admin).status == .badRequest)
            #expect(try await api.request(.post, "/v1/clusters", json: #"{"name":"EU West","ownership":"globalstacks-managed","slug":"eu-west"}"#, session: admin).status == .conflict)
            #expect(try await api.request(.get, "/v1/clusters/nope", session: ada).status == .notFound)

            let tenant = try await api.request(.post, "/v1/tenants", json: #"{"name":"Prod","slug":"prod"}"#, session: ada)
            let tenantID = try #require(tenant.string("id"))
            _ = try await api.request(.post, "/v1/tenants/\(tenantID)/activate", session: ada)
            let suspended = try await api.request(.patch, "/v1/tenants/\(tenantID)", json: #"{"status":"suspended"}"#, session: ada)
            #expect(suspended.status == .ok && suspended.json["operable"] as? Bool == false)
            #expect(try await api.request(.post, "/v1/clusters", json: #"{"name":"Edge","ownership":"byo"}"#, session: ada).status == .conflict)
            #expect(try await api.request(.patch, "/v1/tenants/\(tenantID)", json: #"{"status":"archived"}"#, session: ada).status == .ok)
            #expect(try await api.request(.patch, "/v1/tenants/\(tenantID)", json: #"{"status":"active"}"#, session: ada).status == .conflict)
            let detail = try await api.request(.get, "/v1/tenants/\(tenantID)", session: ada)
            #expect(detail.string("status") == "archived" && detail.string("externalId")?.hasPrefix("tnt-") == true)
            let long = try await api.request(.post, "/v1/tenants", json: #"{"name":"\#(String(repeating: "n", count: 101))","slug":"long"}"#, session: ada)
            #expect(long.status == .badRequest && long.message.contains("100"))
        }
    }
}
