/// What an agent is asked to do with a sandbox (the agent contract's command actions, and our `delete_session`).
public enum AgentCommandAction: String, Sendable, Codable, CaseIterable {
    case startSession = "start_session"
    case stopSession = "stop_session"
    case hibernateSession = "hibernate_session"
    case wakeSession = "wake_session"
    /// Removes what a deleted sandbox holds on its agent's host (its directory, its groups).
    case deleteSession = "delete_session"
}

/// A command's delivery: stored before it is sent, `pending → sent → ack → completed | failed`.
public enum AgentCommandStatus: String, Sendable, Codable, CaseIterable {
    case pending
    case sent
    case ack
    case completed
    case failed

    /// `sent → sent` is a redelivery after a reconnect; an agent may answer `complete` without an `ack` first;
    /// an answer may arrive before the dispatcher has recorded the send (it records after writing), so a
    /// `pending` command can be acknowledged or completed; any unfinished command can fail (its agent stayed
    /// away past the deadline).
    public func canTransition(to next: AgentCommandStatus) -> Bool {
        switch (self, next) {
        case (.pending, .sent), (.sent, .sent), (.ack, .sent): true
        case (.pending, .ack), (.sent, .ack): true
        case (.pending, .completed), (.sent, .completed), (.ack, .completed): true
        case (.pending, .failed), (.sent, .failed), (.ack, .failed): true
        default: false
        }
    }
}
