import Foundation

/// Work for one agent about one sandbox, stored before it is sent. Delivery is at least once; the agent treats a
/// repeated `id` as the same command, so the effect happens once.
public struct AgentCommand: Sendable, Equatable {
    public let id: AgentCommandID
    public let agentID: AgentID
    public let sandboxID: SandboxID
    public let action: AgentCommandAction
    public var status: AgentCommandStatus
    public var errorMessage: String?
    /// How many times it was written to an agent connection (more than one after reconnects).
    public var deliveries: Int
    /// Past this, an unfinished command fails (its agent stayed away or never answered).
    public let deadlineAt: Date
    public let createdAt: Date
    public var sentAt: Date?
    public var acknowledgedAt: Date?
    public var completedAt: Date?

    public init(
        id: AgentCommandID, agentID: AgentID, sandboxID: SandboxID, action: AgentCommandAction, status: AgentCommandStatus,
        errorMessage: String?, deliveries: Int, deadlineAt: Date, createdAt: Date, sentAt: Date?, acknowledgedAt: Date?, completedAt: Date?
    ) {
        self.id = id
        self.agentID = agentID
        self.sandboxID = sandboxID
        self.action = action
        self.status = status
        self.errorMessage = errorMessage
        self.deliveries = deliveries
        self.deadlineAt = deadlineAt
        self.createdAt = createdAt
        self.sentAt = sentAt
        self.acknowledgedAt = acknowledgedAt
        self.completedAt = completedAt
    }
}

public typealias AgentCommandID = Identifier<AgentCommand>
