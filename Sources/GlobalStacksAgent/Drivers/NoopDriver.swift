import GlobalStacksAgentProtocol

/// Accepts every command and runs nothing: for measuring the control plane's dispatch path without process
/// start-up in the way (`gstacks agent --driver noop`).
public actor NoopDriver: SandboxDriver {
    private var sessions: Set<String> = []
    public nonisolated let exits: AsyncStream<SessionExit> = AsyncStream { _ in }

    public init() {}

    public func start(_ session: SessionCommandPayload) async throws { sessions.insert(session.sessionId) }
    public func stop(_ sessionID: String) async throws { sessions.remove(sessionID) }
    public func hibernate(_ sessionID: String) async throws {}
    public func wake(_ sessionID: String) async throws {}
    public func sessions() async -> [String] { Array(sessions) }
    public func stopAll() async { sessions.removeAll() }
}
