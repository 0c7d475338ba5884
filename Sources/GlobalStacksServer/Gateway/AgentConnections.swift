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

    private struct State {
        var open: [AgentID: [Connection]] = [:]
        /// Agents that connected since the dispatcher last looked: they get every unfinished command again.
        var fresh: Set<AgentID> = []
    }

    private let state = Mutex(State())
    private static let connected = Gauge(label: "gstacks_agents_connected")
    /// A connection that does not take a message within this long is closed (its agent reconnects and gets it
    /// again), so one stalled agent cannot hold up delivery to the others.
    static let sendTimeout: Duration = .seconds(10)

    func add(_ agent: AgentID, connection: String, _ writer: WebSocketOutboundWriter) {
        let count = state.withLock { state in
            state.open[agent, default: []].append(Connection(id: connection, writer: writer))
            state.fresh.insert(agent)
            return state.open.count
        }
        Self.connected.record(count)
    }

    /// The agents that connected since the last call.
    func takeFresh() -> Set<AgentID> {
        state.withLock { state in defer { state.fresh.removeAll() }; return state.fresh }
    }

    func remove(_ agent: AgentID, connection: String) {
        let count = state.withLock { state in
            state.open[agent]?.removeAll { $0.id == connection }
            if state.open[agent]?.isEmpty == true { state.open[agent] = nil }
            return state.open.count
        }
        Self.connected.record(count)
    }

    /// Agents with at least one connection here.
    var connectedAgents: [AgentID] {
        state.withLock { Array($0.open.keys) }
    }

    /// Writes a message on the agent's newest connection; false when it has none here.
    func send(_ message: ControlMessage, to agent: AgentID) async throws -> Bool {
        try await write(.text(String(decoding: try AgentProtocol.encode(message), as: UTF8.self)), to: agent) != nil
    }

    /// Writes a frame on the agent's newest connection; the id of the connection written to, nil when it has
    /// none here (or it was too slow and was closed).
    func write(_ frame: WebSocketOutboundWriter.OutboundFrame, to agent: AgentID) async throws -> String? {
        guard let connection = state.withLock({ $0.open[agent]?.last }) else { return nil }
        let writer = connection.writer
        let written = try await withThrowingTaskGroup(of: Bool.self) { group in
            group.addTask {
                try await writer.write(frame)
                return true
            }
            group.addTask {
                try await Task.sleep(for: Self.sendTimeout)
                return false
            }
            defer { group.cancelAll() }
            return try await group.next() ?? false
        }
        if !written {
            // Not awaited: a close frame to a connection that reads nothing would wait forever too.
            state.withLock { state in
                state.open[agent]?.removeAll { $0.id == connection.id }
                if state.open[agent]?.isEmpty == true { state.open[agent] = nil }
            }
            Task { try? await writer.close(.goingAway, reason: "The agent did not read its messages in time.") }
        }
        return written ? connection.id : nil
    }

    /// Tells the agent to shut down (so it does not dial back with a key that no longer works), then closes every
    /// connection of it (policy violation, with the reason).
    func close(_ agent: AgentID, reason: String) async {
        _ = try? await send(.shutdown(ShutdownMessage(reason: reason)), to: agent)
        let writers = state.withLock { $0.open[agent]?.map(\.writer) ?? [] }
        for writer in writers {
            Task { try? await writer.close(.policyViolation, reason: reason) }
        }
    }
}
