import Foundation
import GlobalStacksDomain
import GlobalStacksStore
import GlobalStacksTestSupport
import HTTPTypes
import Testing

/// The v1 API's templates through the router: bad definitions and names are 400 with the line, unknown things 404, a
/// build with no agent to run it fails with the reason in its log, a member cannot declare pools, and the agents'
/// content endpoint opens only with a grant.
@Suite("Templates in the v1 API")
struct TemplatesAPITests {
    @Test func badInputIsRefusedWithWordsAndUnknownThingsAreNotFound() async throws {
        try await TestServer.run { api, _ in
            let (admin, _, _) = try await AgentGatewayTests.enrolledAgent(api)
            func build(_ definition: String, name: String = "tools", context: String? = nil) async throws -> APIClient.Reply {
                let body: [String: Any] = ["name": name, "definition": definition].merging(context.map { ["contextDigest": $0] } ?? [:]) { a, _ in a }
                let json = String(decoding: try JSONSerialization.data(withJSONObject: body), as: UTF8.self)
                return try await api.request(.post, "/v1/template-builds", json: json, session: admin)
            }
            let notSupported = try await build("FROM debian:bookworm\nEXPOSE 80")
            #expect(notSupported.status == .badRequest && notSupported.message.contains("Line 2"), "\(notSupported.message)")
            #expect(try await build("FROM debian:bookworm", name: "Not A Name").status == .badRequest)
            let noContext = try await build("FROM debian:bookworm\nCOPY . /src")
            #expect(noContext.status == .badRequest && noContext.message.contains("contextDigest"), "\(noContext.message)")
            let unknownContext = try await build("FROM debian:bookworm\nCOPY . /src", context: "sha256:" + String(repeating: "0", count: 64))
            #expect(unknownContext.status == .notFound, "\(unknownContext.message)")
            #expect(try await build("FROM nowhere\nRUN true").status == .notFound, "a base template that does not exist")

            let empty = try await api.request(.put, "/v1/template-contexts", session: admin, headers: [.contentType: "application/octet-stream"], body: "")
            #expect(empty.status == .badRequest, "\(empty.message)")
            let uploaded = try await api.request(.put, "/v1/template-contexts", session: admin, headers: [.contentType: "application/octet-stream"], body: "a tar, supposedly")
            #expect(uploaded.status == .ok && uploaded.string("digest")?.hasPrefix("sha256:") == true, "\(uploaded.message)")

            for path in ["/v1/template-builds/\(UUID().uuidString)", "/v1/template-builds/not-an-id", "/v1/template-builds/\(UUID().uuidString)/log"] {
                #expect(try await api.request(.get, path, session: admin).status == .notFound, "\(path)")
            }
            #expect(try await api.request(.put, "/v1/templates/nothing/warm-pool", json: #"{"size":2}"#, session: admin).status == .notFound)
            #expect(try await api.request(.put, "/v1/templates/nothing/warm-pool", json: #"{"size":99}"#, session: admin).status == .badRequest)
            #expect(try await api.request(.delete, "/v1/templates/nothing", session: admin).status == .notFound)
            let unknownTemplate = try await api.request(.post, "/v1/sandboxes", json: #"{"template":"nothing"}"#, session: admin)
            #expect(unknownTemplate.status == .notFound && unknownTemplate.message.contains("GET /v1/templates"), "\(unknownTemplate.message)")
            #expect(try await api.request(.get, "/v1/templates", session: admin).items.isEmpty)

            // The agents' endpoints open with a grant only.
            let digest = try #require(uploaded.string("digest"))
            #expect(try await build("FROM debian:bookworm\nCOPY . /src", context: digest).status == .accepted, "the tenant's own context")
            let other = try #require(try await api.request(.post, "/v1/tenants", json: #"{"name":"Other","slug":"other"}"#, session: admin).string("id"))
            try await api.request(.post, "/v1/tenants/\(other)/activate", session: admin)
            let foreign = try await build("FROM debian:bookworm\nCOPY . /src", name: "copycat", context: digest)
            #expect(foreign.status == .notFound, "another tenant's build context is not this tenant's to copy: \(foreign.message)")
            #expect(try await api.request(.get, "/v1/agent-content/\(digest)", session: admin).status == .unauthorized)
            #expect(try await api.request(.get, "/v1/agent-content/\(digest)", headers: [.authorization: "Bearer gsg_forged.abc.9999999999.x"]).status == .unauthorized)
            #expect(try await api.request(.put, "/v1/agent-content/uploads/\(UUID().uuidString)", session: admin, body: "x").status == .unauthorized)
        }
    }

    @Test func aBuildWithNoAgentToRunItFailsWithTheReasonInItsLog() async throws {
        try await TestServer.run { api, _ in
            let (admin, _, _) = try await AgentGatewayTests.enrolledAgent(api)
            let queued = try await api.request(
                .post, "/v1/template-builds", json: #"{"name":"tools","definition":"FROM debian:bookworm\nRUN true"}"#, session: admin
            )
            #expect(queued.status == .accepted && queued.string("status") == "queued", "\(queued.status) \(queued.message)")
            let id = try #require(queued.string("id"))
            var build = queued.json
            for _ in 0..<200 where build["status"] as? String != "failed" {
                try await Task.sleep(for: .milliseconds(50))
                build = try await api.request(.get, "/v1/template-builds/\(id)", session: admin).json
            }
            #expect(build["status"] as? String == "failed" && (build["error"] as? String)?.contains("No agent") == true, "\(build)")
            let log = try await api.request(.get, "/v1/template-builds/\(id)/log?offset=0", session: admin)
            #expect((log.json["text"] as? String)?.contains("Build failed: No agent") == true, "\(log.json)")
            #expect(try await api.request(.get, "/v1/template-builds/\(id)/log?offset=-1", session: admin).status == .badRequest)
            #expect(try await api.request(.get, "/v1/template-builds", session: admin).items.count == 1)
        }
    }

    @Test func onlyASandboxMadeFromATemplateIsSaved() async throws {
        try await TestServer.run { api, database in
            let (admin, agentID, _) = try await AgentGatewayTests.enrolledAgent(api)
            #expect(try await api.request(.post, "/v1/agents/\(agentID)/approve", session: admin).status == .ok)
            try await database.withStore { store in
                try await store.markAgentConnected(AgentID(rawValue: agentID), connectionID: "test", relayURL: nil, at: Date())
            }
            let host = try #require(try await api.request(.post, "/v1/sandboxes", json: #"{"command":["sleep","600"]}"#, session: admin).string("id"))
            let refused = try await api.request(.post, "/v1/sandboxes/\(host)/snapshot", json: #"{"name":"saved"}"#, session: admin)
            #expect(refused.status == .badRequest && refused.message.contains("host's default root"), "\(refused.message)")
            #expect(try await api.request(.post, "/v1/sandboxes/\(host)/snapshot", json: #"{"name":"Not A Name"}"#, session: admin).status == .badRequest)
            #expect(try await api.request(.post, "/v1/sandboxes/\(UUID().uuidString)/snapshot", json: #"{"name":"saved"}"#, session: admin).status == .notFound)
        }
    }

    @Test func aMemberBuildsButDeclaresNoPoolsAndPublishesNoPlatformTemplates() async throws {
        try await TestServer.run { api, _ in
            let admin = try await api.signInAdmin()
            let member = try await api.newUser("bo@example.com", admin: admin)
            _ = try await api.organization(owner: admin, members: [(member, "bo@example.com", "member")])
            let tenantID = try #require(try await api.request(.post, "/v1/tenants", json: #"{"name":"Prod","slug":"prod"}"#, session: admin).string("id"))
            try await api.request(.post, "/v1/tenants/\(tenantID)/activate", session: member)
            let platform = try await api.request(
                .post, "/v1/template-builds", json: #"{"name":"shared","definition":"FROM debian:bookworm","platform":true}"#, session: member
            )
            #expect(platform.status == .forbidden, "\(platform.message)")
            let own = try await api.request(.post, "/v1/template-builds", json: #"{"name":"mine","definition":"FROM debian:bookworm"}"#, session: member)
            #expect(own.status == .accepted, "\(own.message)")
            #expect(try await api.request(.put, "/v1/templates/mine/warm-pool", json: #"{"size":1}"#, session: member).status == .forbidden)
        }
    }
}
