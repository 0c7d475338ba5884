import Foundation
import GlobalStacksAgentProtocol
import GlobalStacksDomain
import HummingbirdWebSocket
import Metrics
import NIOWebSocket
import Synchronization

/// The agent connections this process holds: commands go out on the newest connection of an agent, and revoking
/// an agent closes its connections at once. Another replica's agents are reached through its own registry.
final class AgentConnections: Sendable {
    private struct Connection {
        let id: String
        let writer: WebSocketOutboundWriter
    }

    private let open = Mutex<[AgentID: [Connection]]>([:])
    private static let connected = Gauge(label: "gstacks_agents_connected")

    func add(_ agent: AgentID, connection: String, _ writer: WebSocketOutboundWriter) {
        let count = open.withLock { connections in
            connections[agent, default: []].append(Connection(id: connection, writer: writer))
            return connections.count
        }
        Self.connected.record(count)
    }

    func remove(_ agent: AgentID, connection: String) {
        let count = open.withLock { connections in
            connections[agent]?.removeAll { $0.id == connection }
            if connections[agent]?.isEmpty == true { connections[agent] = nil }
            return connections.count
        }
        Self.connected.record(count)
    }

    /// Agents with at least one connection here.
    var connectedAgents: [AgentID] {
        open.withLock { Array($0.keys) }
    }

    /// Writes a message on the agent's newest connection; false when it has none here.
    func send(_ message: ControlMessage, to agent: AgentID) async throws -> Bool {
        guard let writer = open.withLock({ $0[agent]?.last?.writer }) else { return false }
        try await writer.write(.text(String(decoding: try AgentProtocol.encode(message), as: UTF8.self)))
        return true
    }

    /// Tells the agent to shut down (so it does not dial back with a key that no longer works), then closes every
    /// connection of it (policy violation, with the reason).
    func close(_ agent: AgentID, reason: String) async {
        _ = try? await send(.shutdown(ShutdownMessage(reason: reason)), to: agent)
        let writers = open.withLock { $0[agent]?.map(\.writer) ?? [] }
        for writer in writers {
            try? await writer.close(.policyViolation, reason: reason)
        }
    }
}
