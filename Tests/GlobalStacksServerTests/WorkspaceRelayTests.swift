import Foundation
import GlobalStacksDomain
import GlobalStacksServer
import GlobalStacksStore
import GlobalStacksTestSupport
import HTTPTypes
import Hummingbird
import HummingbirdTesting
import Testing

/// Relaying between replicas is decided after authentication: only a caller authenticated here who sees the sandbox
/// is relayed; any other request is answered here, as the replica holding the agent would answer it.
@Suite("Workspace relay")
struct WorkspaceRelayTests {
    /// A sandbox whose agent is connected to another replica, here a stand-in answering every request 418: a
    /// relayed request gets its 418; one that is not relayed gets this replica's own answer.
    @Test(.enabled(if: TestEngine.available.contains(.postgres), "relaying needs PostgreSQL"))
    func onlyAnAuthenticatedCallerWhoSeesTheSandboxIsRelayed() async throws {
        let otherReplica = Router(context: BasicRequestContext.self)
        otherReplica.add(middleware: AnswerEverything())
        try await Application(router: otherReplica).test(.live) { other in
            try await Self.check(relayingTo: "http://127.0.0.1:\(try #require(other.port))")
        }
    }

    static func check(relayingTo otherReplica: String) async throws {
        try await TestServer.run(.postgres, configure: { $0.relayURL = "http://127.0.0.1:9" }) { api, database in
            let (admin, agentID, _) = try await AgentGatewayTests.enrolledAgent(api)
            #expect(try await api.request(.post, "/v1/agents/\(agentID)/approve", session: admin).status == .ok)
            try await database.withStore { store in
                try await store.markAgentConnected(AgentID(rawValue: agentID), connectionID: "elsewhere", relayURL: otherReplica, at: Date())
            }
            let created = try await api.request(.post, "/v1/sandboxes", json: #"{"command":["sleep","600"]}"#, session: admin)
            let sandboxID = try #require(created.string("id"), "\(created.status) \(created.message)")
            let files = "/v1/sandboxes/\(sandboxID)/files"

            let relayed = try await api.request(.get, files, session: admin)
            #expect(relayed.status == AnswerEverything.status, "\(relayed.status) \(relayed.message)")
            let port = try await api.request(.get, "/v1/sandboxes/\(sandboxID)/ports/8000/index.html", session: admin)
            #expect(port.status == AnswerEverything.status, "a sandbox port: \(port.status) \(port.message)")
            let forgedToken = try await api.request(
                .post, "/e2b/envd/process.Process/List", json: "{}",
                headers: [HTTPField.Name("E2b-Sandbox-Id")!: sandboxID, HTTPField.Name("X-Access-Token")!: "gsx_not-a-token"]
            )
            #expect(forgedToken.status == .unauthorized, "envd with a forged token is answered here: \(forgedToken.status)")

            let bogusCookie = try await api.request(.get, files, headers: [.cookie: "globalstacks_session=not-a-session"])
            #expect(bogusCookie.status == .unauthorized, "\(bogusCookie.status) \(bogusCookie.message)")
            let unknownKey = try await api.request(.post, "/v1/sandboxes/\(sandboxID)/exec", json: #"{"command":["true"]}"#, session: .bearer("gsk_unknown"))
            #expect(unknownKey.status == .unauthorized, "\(unknownKey.status) \(unknownKey.message)")

            // Signed in, but the sandbox is not in this person's active tenant.
            let stranger = try await api.newUser("stranger@example.com", admin: admin)
            let unseen = try await api.request(.get, files, session: stranger)
            #expect(unseen.status == .notFound || unseen.status == .badRequest, "\(unseen.status) \(unseen.message)")
        }
    }
}

/// The other replica's stand-in: whatever reaches it was relayed.
struct AnswerEverything: RouterMiddleware {
    typealias Context = BasicRequestContext
    static let status = HTTPResponse.Status(code: 418, reasonPhrase: "Relayed")

    func handle(_ request: Request, context: Context, next: (Request, Context) async throws -> Response) async throws -> Response {
        Response(status: Self.status)
    }
}
