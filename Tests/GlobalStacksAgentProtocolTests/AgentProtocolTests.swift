import Foundation
import GlobalStacksAgentProtocol
import GlobalStacksDomain
import Testing

@Suite("Agent wire protocol")
struct AgentProtocolTests {
    /// The contract's own examples decode as written.
    @Test func contractExamplesDecode() throws {
        let command = Data("""
            {"type":"command","timestamp":"2025-11-21T10:30:00Z","payload":{"commandId":"cmd-abc123","action":"start_session",
             "payload":{"sessionId":"sess-456","user":"alice","template":"firefox-browser","resources":{"memory":"2Gi","cpu":"1000m"}}}}
            """.utf8)
        let (message, timestamp) = try AgentProtocol.decodeControl(command)
        guard case .command(let decoded) = message else { Issue.record("not a command"); return }
        #expect(decoded.commandId == "cmd-abc123" && decoded.action == "start_session")
        #expect(decoded.payload["resources"]?["memory"]?.stringValue == "2Gi")
        #expect(timestamp == Date(timeIntervalSince1970: 1_763_721_000))

        let complete = Data(#"{"type":"complete","timestamp":"2025-11-21T10:30:05Z","payload":{"commandId":"cmd-abc123","result":{"sessionId":"sess-456","vncPort":5900}}}"#.utf8)
        #expect(try AgentProtocol.decodeAgent(complete).message == .complete(CompleteMessage(commandId: "cmd-abc123", result: ["sessionId": .string("sess-456"), "vncPort": .number(5900)])))
        let status = Data(#"{"type":"status","timestamp":"2025-11-21T10:30:05.250Z","payload":{"sessionId":"sess-456","state":"running","streamingReady":true,"streamingPort":8080}}"#.utf8)
        #expect(try AgentProtocol.decodeAgent(status).message == .status(StatusMessage(sessionId: "sess-456", state: "running", streamingReady: true, streamingPort: 8080)))
    }

    @Test func everyMessageRoundTrips() throws {
        let time = Date(timeIntervalSince1970: 1_800_000_000.5)
        let control: [ControlMessage] = [
            .command(CommandMessage(commandId: "c1", action: "stop_session", payload: ["sessionId": .string("s1")])),
            .ping(PingMessage(timestamp: time)), .shutdown(ShutdownMessage(reason: "maintenance")),
        ]
        for message in control {
            let decoded = try AgentProtocol.decodeControl(try AgentProtocol.encode(message, at: time))
            #expect(decoded.message == message && decoded.timestamp == time)
        }
        let agent: [AgentMessage] = [
            .heartbeat(HeartbeatMessage(status: "online", activeSessions: 2, capacity: CapacityPayload(maxSessions: 10, cpu: "8000m", memory: "16Gi"))),
            .ack(AckMessage(commandId: "c1")), .complete(CompleteMessage(commandId: "c1", result: nil)),
            .failed(FailedMessage(commandId: "c1", error: "no such template")), .status(StatusMessage(sessionId: "s1", state: "stopped")),
            .pong(PongMessage(timestamp: time)),
        ]
        for message in agent {
            #expect(try AgentProtocol.decodeAgent(try AgentProtocol.encode(message, at: time)).message == message)
        }
    }

    @Test(arguments: [
        ("not json", "not a JSON envelope"),
        (#"{"type":"ack","payload":{"commandId":"c"}}"#, "timestamp"),
        (#"{"type":"launch","timestamp":"2025-11-21T10:30:00Z","payload":{}}"#, "Unknown message type 'launch'"),
        (#"{"type":"ack","timestamp":"2025-11-21T10:30:00Z","payload":{}}"#, "missing 'payload.commandId'"),
        (#"{"type":"heartbeat","timestamp":"2025-11-21T10:30:00Z","payload":{"status":"online","activeSessions":"two"}}"#, "wrong type"),
        (#"{"type":"ack","timestamp":"yesterday","payload":{"commandId":"c"}}"#, "RFC 3339"),
    ])
    func badFramesAreRefusedWithAReason(frame: String, reason: String) {
        do {
            _ = try AgentProtocol.decodeAgent(Data(frame.utf8))
            Issue.record("accepted \(frame)")
        } catch {
            #expect(error.description.contains(reason), "\(error.description)")
        }
    }

    @Test func oversizedFramesAreRefusedBeforeParsing() {
        let frame = Data(repeating: UInt8(ascii: " "), count: AgentProtocol.maximumMessageBytes + 1)
        #expect(throws: ProtocolError.tooLarge(bytes: frame.count, limit: AgentProtocol.maximumMessageBytes)) { try AgentProtocol.decodeAgent(frame) }
    }

    @Test func agentsCannotSendControlMessagesAndViceVersa() {
        #expect(throws: ProtocolError.unknownType("command")) {
            try AgentProtocol.decodeAgent(try AgentProtocol.encode(ControlMessage.ping(PingMessage(timestamp: Date())), at: Date()).replacingPingWithCommand())
        }
        #expect(throws: ProtocolError.unknownType("heartbeat")) {
            try AgentProtocol.decodeControl(try AgentProtocol.encode(AgentMessage.heartbeat(HeartbeatMessage(status: "online", activeSessions: 0, capacity: nil))))
        }
    }
}

private extension Data {
    func replacingPingWithCommand() -> Data {
        Data(String(decoding: self, as: UTF8.self).replacingOccurrences(of: "\"ping\"", with: "\"command\"").utf8)
    }
}
