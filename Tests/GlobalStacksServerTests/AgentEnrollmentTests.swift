import Foundation
import GlobalStacksTestSupport
import HTTPTypes
import Testing

/// Provisioning tokens, enrollment and approval through the API, on both databases.
@Suite("Agent enrollment through the API")
struct AgentEnrollmentTests {
    static func register(_ api: APIClient, token: String?, _ body: String) async throws -> APIClient.Reply {
        var headers: HTTPFields = [:]
        if let token { headers[.authorization] = "Bearer \(token)" }
        return try await api.request(.post, "/v1/agents/register", json: body, headers: headers)
    }

    static let host = #"{"agentId":"rack-1","platform":"process","region":"eu-1","capacity":{"maxSessions":8,"cpu":"4","memory":"8Gi"},"capabilities":["process","bwrap"],"metadata":{"version":"1"}}"#

    @Test(arguments: TestEngine.available)
    func enrollApproveAndRevoke(engine: TestEngine) async throws {
        try await TestServer.run(engine) { api, _ in
            let admin = try await api.signInAdmin()
            let ada = try await api.newUser("ada@example.com", admin: admin)
            let carol = try await api.newUser("carol@example.com", admin: admin)
            let dave = try await api.newUser("dave@example.com", admin: admin)
            _ = try await api.organization(owner: ada, members: [(carol, "carol@example.com", "member")])
            let tenantID = try #require(try await api.request(.post, "/v1/tenants", json: #"{"name":"Prod","slug":"prod"}"#, session: ada).string("id"))
            for session in [ada, carol] { try await api.request(.post, "/v1/tenants/\(tenantID)/activate", session: session) }
            let clusterID = try #require(try await api.request(.post, "/v1/clusters", json: #"{"name":"Rack","ownership":"byo"}"#, session: ada).string("id"))
            let tokens = "/v1/clusters/\(clusterID)/provisioning-tokens"

            // Tokens: owners/admins of the cluster's tenant only; the secret appears once.
            #expect(try await api.request(.post, tokens, json: "{}", session: carol).status == .forbidden)
            #expect(try await api.request(.post, tokens, json: "{}", session: dave).status == .notFound)
            #expect(try await api.request(.post, tokens, json: #"{"expiresInHours":0}"#, session: ada).status == .badRequest)
            let issued = try await api.request(.post, tokens, json: #"{"name":"rack 1","singleUse":true}"#, session: ada)
            #expect(issued.status == .created)
            let token = try #require(issued.string("token"))
            #expect(token.hasPrefix("gsp_"))
            let listed = try await api.request(.get, tokens, session: ada)
            #expect(listed.items.count == 1 && !String(decoding: listed.body, as: UTF8.self).contains(token))

            // Enrollment with the token alone; bad input is a 400, a used single-use token a 401.
            #expect(try await Self.register(api, token: nil, Self.host).status == .unauthorized)
            #expect(try await Self.register(api, token: "gsp_wrong", Self.host).status == .unauthorized)
            for bad in [#"{"agentId":"x y","platform":"process"}"#, #"{"agentId":"rack-9","platform":"mainframe"}"#,
                        #"{"agentId":"rack-9","platform":"process","capacity":{"maxSessions":1,"cpu":"lots","memory":"1Gi"}}"#,
                        #"{"agentId":"rack-9","platform":"process","capabilities":["Has Spaces"]}"#] {
                #expect(try await Self.register(api, token: token, bad).status == .badRequest, "\(bad)")
            }
            let registered = try await Self.register(api, token: token, Self.host)
            #expect(registered.status == .created)
            #expect(registered.string("apiKey")?.hasPrefix("gsa_") == true)
            let agent = try #require(registered.json["agent"] as? [String: Any])
            #expect(agent["approvalStatus"] as? String == "pending" && agent["status"] as? String == "offline")
            #expect((agent["capacity"] as? [String: Any])?["cpu"] as? String == "4000m")
            let agentID = try #require(agent["id"] as? String)
            let agentKey = try #require(registered.string("apiKey"))
            let reused = try await Self.register(api, token: token, #"{"agentId":"rack-2","platform":"process"}"#)
            #expect(reused.status == .unauthorized && reused.message.contains("already used"))

            // Visible to the tenant's members, managed by its owners/admins, invisible elsewhere.
            #expect(try await api.request(.get, "/v1/agents", session: carol).items.count == 1)
            #expect(try await api.request(.get, "/v1/agents/\(agentID)", session: dave).status == .notFound)
            #expect(try await api.request(.get, "/v1/agents?clusterId=\(clusterID)", session: ada).items.count == 1)
            #expect(try await api.request(.post, "/v1/agents/\(agentID)/approve", session: carol).status == .forbidden)
            let approved = try await api.request(.post, "/v1/agents/\(agentID)/approve", session: ada)
            #expect(approved.string("approvalStatus") == "approved" && approved.string("approvedAt") != nil)
            #expect(try await api.request(.post, "/v1/agents/\(agentID)/approve", session: ada).status == .conflict)
            #expect(try await api.request(.post, "/v1/agents/\(agentID)/drain", session: carol).status == .forbidden)
            #expect(try await api.request(.post, "/v1/agents/\(agentID)/drain", session: ada).string("drainingSince") != nil)
            #expect(try await api.request(.post, "/v1/agents/\(agentID)/drain", session: ada).status == .conflict)
            #expect(try await api.request(.post, "/v1/agents/\(agentID)/reject", session: ada).string("approvalStatus") == "rejected")
            // The gateway's plain-HTTP answer (what an agent reads when its upgrade fails) says what is wrong with the key.
            let notUpgraded = try await api.request(.get, "/v1/agents/connect", headers: [.authorization: "Bearer \(agentKey)"])
            #expect(notUpgraded.status == .badRequest && notUpgraded.message.contains("key is valid"), "\(notUpgraded.message)")
            #expect(try await api.request(.post, "/v1/agents/\(agentID)/revoke", session: ada).json["revoked"] as? Bool == true)
            let refused = try await api.request(.get, "/v1/agents/connect", headers: [.authorization: "Bearer \(agentKey)"])
            #expect(refused.status == .unauthorized && refused.message.contains("Enroll the agent again"), "\(refused.message)")
            #expect(try await api.request(.post, "/v1/agents/\(agentID)/approve", session: ada).status == .conflict)
            #expect(try await api.request(.post, "/v1/agents/\(agentID)/revoke", session: ada).status == .conflict)

            // A revoked token enrolls nothing.
            let tokenID = try #require(issued.json["provisioningToken"] as? [String: Any])["id"] as? String
            #expect(try await api.request(.delete, "\(tokens)/\(try #require(tokenID))", session: ada).json["revokedAt"] != nil)
            #expect(try await api.request(.delete, "\(tokens)/\(try #require(tokenID))", session: ada).status == .conflict)
        }
    }

    /// An agent rotates its own key with it; the previous key cannot rotate again, the new one can.
    @Test(arguments: TestEngine.available)
    func anAgentRotatesItsOwnKey(engine: TestEngine) async throws {
        try await TestServer.run(engine) { api, _ in
            let (admin, agentID, key) = try await AgentGatewayTests.enrolledAgent(api)
            func rotate(_ bearer: String) async throws -> APIClient.Reply {
                try await api.request(.post, "/v1/agents/rotate-key", headers: [.authorization: "Bearer \(bearer)"])
            }
            let rotated = try await rotate(key)
            #expect(rotated.status == .ok)
            let newKey = try #require(rotated.string("apiKey"))
            #expect(newKey.hasPrefix("gsa_") && newKey != key)
            #expect(try await rotate(key).status == .unauthorized, "only the current key rotates")
            let current = try #require(try await rotate(newKey).string("apiKey"))
            #expect(try await rotate("gsp_not-an-agent-key").status == .unauthorized)

            // An agent proposes its next key; repeating the same rotation (its answer was lost) succeeds.
            let cluster = try #require(try await api.request(.get, "/v1/agents/\(agentID)", session: admin).string("clusterId"))
            let token = try #require(try await api.request(.post, "/v1/clusters/\(cluster)/provisioning-tokens", json: "{}", session: admin).string("token"))
            let second = try #require(try await Self.register(api, token: token, Self.host.replacingOccurrences(of: "rack-1", with: "rack-2")).string("apiKey"))
            let proposed = "gsa_" + String(repeating: "k", count: 40)
            let body = #"{"newKey":"\#(proposed)"}"#
            for _ in 0..<2 {
                let reply = try await api.request(.post, "/v1/agents/rotate-key", json: body, headers: [.authorization: "Bearer \(second)"])
                #expect(reply.status == .ok && reply.string("apiKey") == proposed)
            }
            let bad = try await api.request(.post, "/v1/agents/rotate-key", json: #"{"newKey":"short"}"#, headers: [.authorization: "Bearer \(proposed)"])
            #expect(bad.status == .badRequest)
            // A key another agent holds (current, or previous within its grace period), or this agent's own, is a 400
            // that names no agent, never a 500 from the unique index.
            for taken in [current, newKey, proposed] {
                let reply = try await api.request(.post, "/v1/agents/rotate-key", json: #"{"newKey":"\#(taken)"}"#, headers: [.authorization: "Bearer \(proposed)"])
                #expect(reply.status == .badRequest && reply.message.contains("cannot be used") && !reply.message.contains(agentID), "\(reply.status) \(reply.message)")
            }
            #expect(try await rotate(current).status == .ok, "a refused proposal changes neither agent")
            let withNUL = "gsa_\\u0000" + String(repeating: "k", count: 40)
            let nul = try await api.request(.post, "/v1/agents/rotate-key", json: #"{"newKey":"\#(withNUL)"}"#, headers: [.authorization: "Bearer \(proposed)"])
            #expect(nul.status == .badRequest)
        }
    }
}
