import Foundation
import GlobalStacksAgentProtocol
import GlobalStacksDomain
import GlobalStacksStore
import HTTPTypes
import Hummingbird
import HummingbirdWebSocket
import Logging
import NIOCore

/// The WebSocket endpoint agents dial out to (`GET /v1/agents/connect`, upgraded). The agent's key is checked
/// before the upgrade; a request without a valid key is not upgraded and the HTTP router answers 401.
/// Frames are the contract's envelopes; a bad frame is logged with its reason and the connection carries on.
struct AgentGateway: Sendable {
    static let path = "/v1/agents/connect"

    let store: any Store
    let heartbeats: HeartbeatRecorder
    let connections: AgentConnections
    let logger: Logger

    /// Decides the upgrade for one HTTP request.
    func shouldUpgrade(_ request: HTTPRequest) async throws -> ShouldUpgradeResult<WebSocketDataHandler<HTTP1WebSocketUpgradeChannel.Context>> {
        guard request.path?.split(separator: "?").first.map(String.init) == Self.path,
              let authorization = request.headerFields[.authorization], authorization.hasPrefix("Bearer "),
              case let key = String(authorization.dropFirst(7)), key.hasPrefix(APIController.agentKeyPrefix),
              let agent = try await store.agent(keyHash: SecretHasher.hash(key))
        else { return .dontUpgrade }
        return .upgrade([:]) { inbound, outbound, _ in
            try await self.serve(agent, inbound: inbound, outbound: outbound)
        }
    }

    private func serve(_ agent: Agent, inbound: WebSocketInboundStream, outbound: WebSocketOutboundWriter) async throws {
        var logger = self.logger
        logger[metadataKey: "agent_id"] = "\(agent.id)"
        logger[metadataKey: "agent"] = "\(agent.name)"
        // Names this connection, so that an older one closing late does not mark the agent offline.
        let connectionID = UUID().uuidString
        try await store.markAgentConnected(agent.id, connectionID: connectionID, at: Date())
        connections.add(agent.id, connection: connectionID, outbound)
        defer { connections.remove(agent.id, connection: connectionID) }
        logger.info("Agent connected", metadata: ["approval": "\(agent.approval.rawValue)"])
        do {
            for try await message in inbound.messages(maxSize: AgentProtocol.maximumMessageBytes) {
                guard case .text(let text) = message else {
                    logger.notice("Refused a binary frame; the protocol is JSON text")
                    continue
                }
                do {
                    let (decoded, _) = try AgentProtocol.decodeAgent(Data(text.utf8))
                    handle(decoded, from: agent, logger: logger)
                } catch {
                    logger.notice("Refused a frame", metadata: ["reason": "\(error.description)"])
                }
            }
        } catch {
            logger.notice("Agent connection ended with an error", metadata: ["error": "\(error)"])
        }
        try? await store.markAgentDisconnected(agent.id, connectionID: connectionID, at: Date())
        logger.info("Agent disconnected")
    }

    private func handle(_ message: AgentMessage, from agent: Agent, logger: Logger) {
        switch message {
        case .heartbeat, .pong:
            heartbeats.record(agent.id)
        case .ack, .complete, .failed, .status:
            // Commands and sandboxes come next; until then an agent has nothing to report about.
            logger.notice("Ignored a report about a command or sandbox this server did not send")
        }
    }
}
