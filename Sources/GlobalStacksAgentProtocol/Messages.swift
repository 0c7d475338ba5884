import Foundation
import GlobalStacksDomain

/// Message types of the agent contract, by direction.
public enum ControlMessageType: String, Sendable, CaseIterable {
    case command, ping, shutdown
    /// Additions: flow control, cancellation and terminal size of workspace commands.
    case credit, cancel, resize
}

public enum AgentMessageType: String, Sendable, CaseIterable {
    case heartbeat, ack, complete, failed, status, pong
    /// Addition: flow control of workspace commands.
    case credit
    /// Addition: the state and health of a data-plane service.
    case serviceStatus = "service_status"
}

/// The agent contract's capacity object.
public struct CapacityPayload: Sendable, Equatable, Codable {
    public let maxSessions: Int
    public let cpu: String
    public let memory: String
    public let storage: String?

    public init(maxSessions: Int, cpu: String, memory: String, storage: String? = nil) {
        self.maxSessions = maxSessions
        self.cpu = cpu
        self.memory = memory
        self.storage = storage
    }
}

public struct CommandMessage: Sendable, Equatable, Codable {
    public let commandId: String
    public let action: String
    public let payload: [String: JSONValue]

    public init(commandId: String, action: String, payload: [String: JSONValue]) {
        self.commandId = commandId
        self.action = action
        self.payload = payload
    }
}

public struct PingMessage: Sendable, Equatable, Codable {
    public let timestamp: Date
    public init(timestamp: Date) { self.timestamp = timestamp }
}

public struct ShutdownMessage: Sendable, Equatable, Codable {
    public let reason: String?
    public init(reason: String?) { self.reason = reason }
}

public struct HeartbeatMessage: Sendable, Equatable, Codable {
    public let status: String
    public let activeSessions: Int
    public let capacity: CapacityPayload?
    /// Addition to the contract: the ids of the sandboxes the agent holds, sent in the first heartbeat of a
    /// connection so that the control plane learns which sandboxes a restarted agent lost.
    public let sessions: [String]?

    public init(status: String, activeSessions: Int, capacity: CapacityPayload?, sessions: [String]? = nil) {
        self.status = status
        self.activeSessions = activeSessions
        self.capacity = capacity
        self.sessions = sessions
    }
}

public struct AckMessage: Sendable, Equatable, Codable {
    public let commandId: String
    public init(commandId: String) { self.commandId = commandId }
}

public struct CompleteMessage: Sendable, Equatable, Codable {
    public let commandId: String
    public let result: [String: JSONValue]?

    public init(commandId: String, result: [String: JSONValue]?) {
        self.commandId = commandId
        self.result = result
    }
}

public struct FailedMessage: Sendable, Equatable, Codable, Error {
    public let commandId: String
    public let error: String
    /// Addition: what kind of refusal it is, so the control plane can answer a workspace request with the right
    /// status; absent for the contract's session commands.
    public let kind: FailureKind?

    public init(commandId: String, error: String, kind: FailureKind? = nil) {
        self.commandId = commandId
        self.error = error
        self.kind = kind
    }
}

/// Why a workspace command failed, as the control plane answers it.
public enum FailureKind: String, Sendable, Codable {
    /// The path or process does not exist (404).
    case notFound = "not_found"
    /// The request cannot be carried out as asked (400): a path leading outside the workspace, a bad directory.
    case invalidInput = "invalid_input"
    /// The state of the sandbox or its files prevents it (409): not running, already exists, not empty.
    case conflict
    /// Over a size limit or the sandbox's storage (413).
    case tooLarge = "too_large"
}

public struct StatusMessage: Sendable, Equatable, Codable {
    public let sessionId: String
    public let state: String
    public let streamingReady: Bool
    public let streamingPort: Int?
    public let platformMetadata: [String: JSONValue]?

    public init(sessionId: String, state: String, streamingReady: Bool = false, streamingPort: Int? = nil, platformMetadata: [String: JSONValue]? = nil) {
        self.sessionId = sessionId
        self.state = state
        self.streamingReady = streamingReady
        self.streamingPort = streamingPort
        self.platformMetadata = platformMetadata
    }
}

public struct PongMessage: Sendable, Equatable, Codable {
    public let timestamp: Date
    public init(timestamp: Date) { self.timestamp = timestamp }
}

/// What the control plane sends to an agent.
public enum ControlMessage: Sendable, Equatable {
    case command(CommandMessage)
    case ping(PingMessage)
    case shutdown(ShutdownMessage)
    case credit(CreditMessage)
    case cancel(CancelMessage)
    case resize(ResizeMessage)
}

/// What an agent sends to the control plane.
public enum AgentMessage: Sendable, Equatable {
    case heartbeat(HeartbeatMessage)
    case ack(AckMessage)
    case complete(CompleteMessage)
    case failed(FailedMessage)
    case status(StatusMessage)
    case pong(PongMessage)
    case credit(CreditMessage)
    case serviceStatus(ServiceStatusMessage)
}
