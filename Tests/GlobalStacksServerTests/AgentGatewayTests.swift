import Foundation
import GlobalStacksAgentProtocol
import GlobalStacksServer
import GlobalStacksTestSupport
import HTTPTypes
import HummingbirdTesting
import HummingbirdWSClient
import Logging
import NIOWebSocket
import Testing

/// The agent gateway with a real WebSocket client against a live server, on both databases.
@Suite("Agent gateway")
struct AgentGatewayTests {
    /// An enrolled agent: (session of its tenant's owner, agent id, agent key).
    static func enrolledAgent(_ api: APIClient) async throws -> (Session, String, String) {
        let admin = try await api.signInAdmin()
        let tenantID = try #require(try await api.request(.post, "/v1/tenants", json: #"{"name":"Prod","slug":"prod"}"#, session: admin).string("id"))
        try await api.request(.post, "/v1/tenants/\(tenantID)/activate", session: admin)
        let clusterID = try #require(try await api.request(.post, "/v1/clusters", json: #"{"name":"Rack","ownership":"byo"}"#, session: admin).string("id"))
        let token = try #require(try await api.request(.post, "/v1/clusters/\(clusterID)/provisioning-tokens", json: "{}", session: admin).string("token"))
        let registered = try await AgentEnrollmentTests.register(api, token: token, AgentEnrollmentTests.host)
        let agentID = try #require((registered.json["agent"] as? [String: Any])?["id"] as? String)
        return (admin, agentID, try #require(registered.string("apiKey")))
    }

    static func agentStatus(_ api: APIClient, _ id: String, _ session: Session) async throws -> [String: Any] {
        try await api.request(.get, "/v1/agents/\(id)", session: session).json
    }

    @Test(arguments: TestEngine.available)
    func agentsConnectHeartbeatAndDisconnect(engine: TestEngine) async throws {
        try await TestServer.run(engine, .live) { api, _ in
            let (admin, agentID, key) = try await Self.enrolledAgent(api)
            let port = try #require(api.client.port)
            let url = "ws://127.0.0.1:\(port)/v1/agents/connect"
            let logger = Logger(label: "gstacks.test.agent")

            // Without a valid key there is no upgrade, and plain HTTP says what to do.
            await #expect(throws: (any Error).self) {
                try await WebSocketClient.connect(url: url, configuration: .init(additionalHeaders: [.authorization: "Bearer gsa_wrong"]), logger: logger) { _, _, _ in }
            }
            let plain = try await api.request(.get, "/v1/agents/connect")
            #expect(plain.status == .unauthorized && plain.message.contains("Bearer gsa_"))

            try await WebSocketClient.connect(url: url, configuration: .init(additionalHeaders: [.authorization: "Bearer \(key)"]), logger: logger) { _, outbound, _ in
                // A bad frame is refused without ending the connection; the heartbeat after it still counts.
                try await outbound.write(.text("this is not an envelope"))
                try await outbound.write(.text(#"{"type":"launch","timestamp":"2026-01-01T00:00:00Z","payload":{}}"#))
                let heartbeat = AgentMessage.heartbeat(HeartbeatMessage(status: "online", activeSessions: 0, capacity: nil))
                try await outbound.write(.text(String(decoding: try AgentProtocol.encode(heartbeat), as: UTF8.self)))
                var agent: [String: Any] = [:]
                for _ in 0..<60 where agent["status"] as? String != "online" || agent["lastHeartbeat"] == nil {
                    try await Task.sleep(for: .milliseconds(100))
                    agent = try await Self.agentStatus(api, agentID, admin)
                }
                #expect(agent["status"] as? String == "online" && agent["lastHeartbeat"] != nil, "\(agent)")
                #expect(try await api.request(.post, "/v1/agents/\(agentID)/drain", session: admin).string("status") == "draining")
            }
            var agent: [String: Any] = [:]
            for _ in 0..<50 where agent["status"] as? String != "offline" {
                try await Task.sleep(for: .milliseconds(100))
                agent = try await Self.agentStatus(api, agentID, admin)
            }
            #expect(agent["status"] as? String == "offline", "a closed connection makes the agent offline")
            try await WebSocketClient.connect(url: url, configuration: .init(additionalHeaders: [.authorization: "Bearer \(key)"]), logger: logger) { _, _, _ in
                var status = ""
                for _ in 0..<50 where status != "draining" {
                    try await Task.sleep(for: .milliseconds(50))
                    status = try await Self.agentStatus(api, agentID, admin)["status"] as? String ?? ""
                }
                #expect(status == "draining", "draining survives a reconnect")
            }
        }
    }

    /// The gateway pings every connection; an agent that answers only with `pong` counts as heard from.
    @Test(.timeLimit(.minutes(1))) func pingsAreSentAndAPongCountsAsHearingFromTheAgent() async throws {
        try await TestServer.run(.sqlite, .live, configure: { $0.agentPingInterval = .milliseconds(200) }) { api, _ in
            let (admin, agentID, key) = try await Self.enrolledAgent(api)
            let url = "ws://127.0.0.1:\(try #require(api.client.port))/v1/agents/connect"
            try await WebSocketClient.connect(
                url: url, configuration: .init(additionalHeaders: [.authorization: "Bearer \(key)"]), logger: Logger(label: "gstacks.test.agent")
            ) { inbound, outbound, _ in
                var pings = 0
                var heardAtConnect: String?
                for try await message in inbound.messages(maxSize: AgentProtocol.maximumMessageBytes) {
                    guard case .text(let text) = message, case .ping = try AgentProtocol.decodeControl(Data(text.utf8)).message else { continue }
                    pings += 1
                    if pings == 1 {  // connecting counted as hearing from it; only a pong can move the time on
                        heardAtConnect = try await Self.agentStatus(api, agentID, admin)["lastHeartbeat"] as? String
                    }
                    try await Self.send(.pong(PongMessage(timestamp: Date())), outbound)
                    if pings == 2 { break }
                }
                #expect(pings == 2 && heardAtConnect != nil)
                var heard = heardAtConnect
                for _ in 0..<40 where heard == heardAtConnect {  // the heartbeat recorder writes once a second
                    try await Task.sleep(for: .milliseconds(100))
                    heard = try await Self.agentStatus(api, agentID, admin)["lastHeartbeat"] as? String
                }
                #expect(heard != heardAtConnect && heard ?? "" > heardAtConnect ?? "", "a pong is recorded like a heartbeat")
            }
        }
    }

    @Test func revokingAnAgentClosesItsConnection() async throws {
        try await TestServer.run(.sqlite, .live) { api, _ in
            let (admin, agentID, key) = try await Self.enrolledAgent(api)
            let url = "ws://127.0.0.1:\(try #require(api.client.port))/v1/agents/connect"
            let logger = Logger(label: "gstacks.test.agent")
            let closed = try await WebSocketClient.connect(url: url, configuration: .init(additionalHeaders: [.authorization: "Bearer \(key)"]), logger: logger) { inbound, _, _ in
                #expect(try await api.request(.post, "/v1/agents/\(agentID)/revoke", session: admin).status == .ok)
                for try await _ in inbound {}  // ends when the server closes the connection
            }
            #expect(closed?.closeCode == .policyViolation && closed?.reason == "This agent was revoked.")
            await #expect(throws: (any Error).self, "a revoked key no longer connects") {
                try await WebSocketClient.connect(url: url, configuration: .init(additionalHeaders: [.authorization: "Bearer \(key)"]), logger: logger) { _, _, _ in }
            }
        }
    }

    /// A command written to a connection that dropped before the agent acknowledged it is delivered again, with
    /// the same id, when the agent reconnects; the agent's answers then finish it, and repeated answers are ignored.
    @Test(arguments: TestEngine.available)
    func unacknowledgedCommandsAreDeliveredAgainAfterAReconnect(engine: TestEngine) async throws {
        try await TestServer.run(engine, .live) { api, _ in
            let (admin, agentID, key) = try await Self.enrolledAgent(api)
            #expect(try await api.request(.post, "/v1/agents/\(agentID)/approve", session: admin).status == .ok)
            let url = "ws://127.0.0.1:\(try #require(api.client.port))/v1/agents/connect"
            let logger = Logger(label: "gstacks.test.agent")
            let configuration = WebSocketClientConfiguration(additionalHeaders: [.authorization: "Bearer \(key)"])

            let first = FirstDelivery()
            try await WebSocketClient.connect(url: url, configuration: configuration, logger: logger) { inbound, _, _ in
                var created = try await api.request(.post, "/v1/sandboxes", json: #"{"command":["sleep","600"]}"#, session: admin)
                for _ in 0..<50 where created.status == .conflict {  // until the gateway has marked the agent online
                    try await Task.sleep(for: .milliseconds(50))
                    created = try await api.request(.post, "/v1/sandboxes", json: #"{"command":["sleep","600"]}"#, session: admin)
                }
                #expect(created.status == .created, "\(created.json)")
                await first.record(sandbox: try #require(created.string("id")), command: try await Self.nextCommand(inbound))
                // Dropped without an answer.
            }
            let command = try #require(await first.command)
            let sandboxID = await first.sandboxID
            guard case .startSession(let payload) = try command.body() else { Issue.record("not a start: \(command)"); return }
            #expect(payload.command == ["sleep", "600"])

            try await WebSocketClient.connect(url: url, configuration: configuration, logger: logger) { inbound, outbound, _ in
                let again = try #require(try await Self.nextCommand(inbound))
                #expect(again.commandId == command.commandId, "the same command, so the agent can tell it is a repeat")
                try await Self.send(.ack(AckMessage(commandId: again.commandId)), outbound)
                try await Self.send(.complete(CompleteMessage(commandId: again.commandId, result: nil)), outbound)
                try await Self.send(.complete(CompleteMessage(commandId: again.commandId, result: nil)), outbound)
                var state = ""
                for _ in 0..<50 where state != "running" {
                    try await Task.sleep(for: .milliseconds(50))
                    state = try await api.request(.get, "/v1/sandboxes/\(sandboxID)", session: admin).string("state") ?? ""
                }
                #expect(state == "running")
            }
            let commands = try await api.request(.get, "/v1/sandboxes/\(sandboxID)/commands", session: admin).json["items"] as? [[String: Any]] ?? []
            #expect(commands.count == 1 && commands.first?["status"] as? String == "completed", "\(commands)")
            #expect((commands.first?["deliveries"] as? Int ?? 0) >= 2, "\(commands)")
        }
    }

    actor FirstDelivery {
        var sandboxID = ""
        var command: CommandMessage?

        func record(sandbox: String, command: CommandMessage?) {
            sandboxID = sandbox
            self.command = command
        }
    }

    /// The next `command` message on the connection.
    static func nextCommand(_ inbound: WebSocketInboundStream) async throws -> CommandMessage? {
        for try await message in inbound.messages(maxSize: AgentProtocol.maximumMessageBytes) {
            guard case .text(let text) = message else { continue }
            if case .command(let command) = try AgentProtocol.decodeControl(Data(text.utf8)).message { return command }
        }
        return nil
    }

    static func send(_ message: AgentMessage, _ outbound: WebSocketOutboundWriter) async throws {
        try await outbound.write(.text(String(decoding: try AgentProtocol.encode(message), as: UTF8.self)))
    }
}
