/// How people's requests and agents' answers move a sandbox. A request stores one command and puts the sandbox in
/// the command's transitional state; the agent's `ack`, `complete` and `failed` move it on. An answer that no longer
/// fits (a stop overtook a start) leaves the sandbox where it is.
public enum SandboxRequest: Sendable, CaseIterable {
    case stop
    case hibernate
    case wake

    public var action: AgentCommandAction {
        switch self {
        case .stop: .stopSession
        case .hibernate: .hibernateSession
        case .wake: .wakeSession
        }
    }

    var verb: String {
        switch self {
        case .stop: "stop"
        case .hibernate: "hibernate"
        case .wake: "wake"
        }
    }

    /// The state the sandbox enters when the request is accepted (409 when it cannot).
    public func transitionalState(from state: SandboxState) throws -> SandboxState {
        let next: SandboxState = switch self {
        case .stop: .stopping
        case .hibernate: .hibernating
        case .wake: .waking
        }
        try state.requireTransition(to: next, action: verb)
        return next
    }
}

extension AgentCommandAction {
    /// Where the sandbox goes when the agent acknowledges the command (nil: it stays).
    public var acknowledgedState: SandboxState? {
        self == .startSession ? .starting : nil
    }

    /// Where the sandbox goes when the agent completes the command.
    public var completedState: SandboxState {
        switch self {
        case .startSession, .wakeSession: .running
        case .stopSession: .stopped
        case .hibernateSession: .hibernated
        case .deleteSession: .terminated
        }
    }

    /// Where the sandbox goes when the command fails: a failed hibernate leaves the process running; a deleted
    /// sandbox stays terminated (the command keeps the agent's reason).
    public var failedState: SandboxState {
        switch self {
        case .hibernateSession: .running
        case .deleteSession: .terminated
        case .startSession, .stopSession, .wakeSession: .failed
        }
    }

    public var verb: String {
        switch self {
        case .startSession: "start"
        case .stopSession: "stop"
        case .hibernateSession: "hibernate"
        case .wakeSession: "wake"
        case .deleteSession: "delete"
        }
    }
}
