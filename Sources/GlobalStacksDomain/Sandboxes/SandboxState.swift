/// Where a sandbox is in its life. Commands and the agent's status reports move it; only legal moves are taken.
public enum SandboxState: String, Sendable, Codable, CaseIterable {
    case pending
    case starting
    case running
    case hibernating
    case hibernated
    case waking
    case stopping
    case stopped
    case failed
    case terminated

    /// Whether `next` may follow this state.
    public func canTransition(to next: SandboxState) -> Bool {
        Self.transitions[self, default: []].contains(next)
    }

    private static let transitions: [SandboxState: Set<SandboxState>] = [
        .pending: [.starting, .stopping, .failed],
        .starting: [.running, .stopping, .stopped, .failed],
        .running: [.hibernating, .stopping, .stopped, .failed],
        .hibernating: [.hibernated, .running, .failed],
        // A frozen or waking process can still end (OOM killer, exit): the agent reports stopped or failed.
        .hibernated: [.waking, .stopping, .stopped, .failed],
        .waking: [.running, .stopped, .failed],
        .stopping: [.stopped, .failed],
        // Only a sandbox whose process is gone can be deleted; anything else is stopped first.
        .stopped: [.terminated],
        .failed: [.terminated],
        .terminated: [],
    ]

    /// Waiting for its agent to finish a command.
    public var isTransitional: Bool {
        switch self {
        case .pending, .starting, .hibernating, .waking, .stopping: true
        case .running, .hibernated, .stopped, .failed, .terminated: false
        }
    }

    /// States that hold a session, CPU and memory against quotas and agent capacity.
    /// Hibernated sandboxes are frozen: they keep their storage but not their share of the rest.
    public var holdsCompute: Bool {
        switch self {
        case .pending, .starting, .running, .hibernating, .waking, .stopping: true
        case .hibernated, .stopped, .failed, .terminated: false
        }
    }

    /// What an agent's `status` report may say: that a sandbox's process ended. Every other state is reached
    /// through a command, so a report cannot strand a sandbox in a state no command will finish.
    public var isReportedByAgents: Bool { self == .stopped || self == .failed }

    /// States in which the sandbox should have no process on its agent.
    public var hasNoProcess: Bool { self == .stopped || self == .failed || self == .terminated }

    /// Refuses an illegal move with a 409 a person can act on.
    public func requireTransition(to next: SandboxState, action: String) throws {
        guard canTransition(to: next) else {
            throw DomainError.conflict("Cannot \(action) a sandbox that is \(rawValue).")
        }
    }
}
