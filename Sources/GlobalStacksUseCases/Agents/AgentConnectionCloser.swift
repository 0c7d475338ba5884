import GlobalStacksDomain

/// Ends an agent's connections to this replica, telling it why (the agent gateway's connections).
public protocol AgentConnectionCloser: Sendable {
    func close(_ agent: AgentID, reason: String) async
}
