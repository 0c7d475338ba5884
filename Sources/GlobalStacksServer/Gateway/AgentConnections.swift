import GlobalStacksDomain
import HummingbirdWebSocket
import NIOWebSocket
import Synchronization

/// The agent connections this process holds, so that revoking an agent closes its connection at once.
/// (Each replica closes its own; delivery across replicas comes with command dispatch.)
final class AgentConnections: Sendable {
    private let open = Mutex<[AgentID: [String: WebSocketOutboundWriter]]>([:])

    func add(_ agent: AgentID, connection: String, _ writer: WebSocketOutboundWriter) {
        open.withLock { $0[agent, default: [:]][connection] = writer }
    }

    func remove(_ agent: AgentID, connection: String) {
        open.withLock { connections in
            connections[agent]?[connection] = nil
            if connections[agent]?.isEmpty == true { connections[agent] = nil }
        }
    }

    /// Closes every connection of the agent (policy violation, with the reason).
    func close(_ agent: AgentID, reason: String) async {
        let writers = open.withLock { $0[agent].map { Array($0.values) } ?? [] }
        for writer in writers {
            try? await writer.close(.policyViolation, reason: reason)
        }
    }
}
