import Foundation
import GlobalStacksDomain
import GlobalStacksStore
import GlobalStacksTestSupport
import HTTPTypes
import Testing

/// The v1 API's additions for a sandbox's lifetime and public ports: what a create asks for comes back with the
/// sandbox, bad values are 400, and a private sandbox's port refuses a visitor without credentials without telling
/// whether it exists.
@Suite("Sandbox lifetime and ports in the v1 API")
struct SandboxLifetimeAPITests {
    @Test func aLifetimeAndPublicPortsComeBackWithTheSandbox() async throws {
        try await TestServer.run { api, database in
            let (admin, agentID, _) = try await AgentGatewayTests.enrolledAgent(api)
            #expect(try await api.request(.post, "/v1/agents/\(agentID)/approve", session: admin).status == .ok)
            try await database.withStore { store in
                try await store.markAgentConnected(AgentID(rawValue: agentID), connectionID: "test", relayURL: nil, at: Date())
            }
            let created = try await api.request(
                .post, "/v1/sandboxes", json: #"{"command":["sleep","600"],"lifetimeSeconds":3600,"publicPorts":true}"#, session: admin
            )
            #expect(created.status == .created, "\(created.status) \(created.message)")
            #expect(created.json["lifetimeSeconds"] as? Int == 3600 && created.json["publicPorts"] as? Bool == true)
            let expires = try #require(created.string("expiresAt").flatMap { ISO8601DateFormatter().date(from: String($0.prefix(19)) + "Z") })
            #expect(abs(expires.timeIntervalSinceNow - 3600) < 60)

            let plain = try await api.request(.post, "/v1/sandboxes", json: #"{"command":["sleep","600"]}"#, session: admin)
            #expect(plain.json["expiresAt"] == nil && plain.json["publicPorts"] as? Bool == false)
            for bad in [#"{"command":["true"],"lifetimeSeconds":0}"#, #"{"command":["true"],"lifetimeSeconds":2592001}"#] {
                #expect(try await api.request(.post, "/v1/sandboxes", json: bad, session: admin).status == .badRequest, "\(bad)")
            }

            // Without credentials: a private sandbox and one that does not exist answer alike.
            let privateID = try #require(plain.string("id"))
            let anonymous = try await api.request(.get, "/v1/sandboxes/\(privateID)/ports/8000/")
            let unknown = try await api.request(.get, "/v1/sandboxes/\(UUID().uuidString.lowercased())/ports/8000/")
            #expect(anonymous.status == .unauthorized && unknown.status == .unauthorized && anonymous.message == unknown.message)
        }
    }
}
