/// Whether people trust an agent with work. A pending or rejected agent may connect but receives none.
public enum AgentApproval: String, Sendable, Codable, CaseIterable {
    case pending
    case approved
    case rejected

    public func canTransition(to next: AgentApproval) -> Bool {
        switch (self, next) {
        case (.pending, .approved), (.pending, .rejected), (.approved, .rejected), (.rejected, .approved): true
        default: false
        }
    }
}

/// An agent's connection health, from its heartbeats.
public enum AgentConnectivity: String, Sendable, Codable, CaseIterable {
    case online
    case offline
    /// Connected, finishing what it has, taking nothing new.
    case draining
}

/// What an agent can hold, as it reports it.
public struct AgentCapacity: Sendable, Equatable {
    public let maxSessions: Int
    public let cpu: CPUQuantity
    public let memory: ByteQuantity

    public init(maxSessions: Int, cpu: CPUQuantity, memory: ByteQuantity) {
        self.maxSessions = maxSessions
        self.cpu = cpu
        self.memory = memory
    }
}
