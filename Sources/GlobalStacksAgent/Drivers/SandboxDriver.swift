import GlobalStacksAgentProtocol

/// Runs sandboxes on this host. Every operation is idempotent: starting a running sandbox or stopping a stopped
/// one succeeds without doing anything again, so a command delivered twice has one effect.
public protocol SandboxDriver: Sendable {
    func start(_ session: SessionCommandPayload) async throws
    func stop(_ sessionID: String) async throws
    func hibernate(_ sessionID: String) async throws
    func wake(_ sessionID: String) async throws
    /// Stops every sandbox (the agent is ending: nothing may keep running untracked).
    func stopAll() async
    /// Ids of the sandboxes that hold a process now (for heartbeats).
    func sessions() async -> [String]
    /// Sandboxes whose process ended on its own (not by `stop`), with how it ended.
    var exits: AsyncStream<SessionExit> { get }
}

/// A sandbox's process ended without being asked to.
public struct SessionExit: Sendable, Equatable {
    public let sessionID: String
    /// The exit code, or 128 + the signal number when a signal ended it (the shell convention).
    public let exitStatus: Int
    /// Why the driver ended it, when it did (e.g. over its storage limit).
    public let reason: String?

    public init(sessionID: String, exitStatus: Int, reason: String? = nil) {
        self.sessionID = sessionID
        self.exitStatus = exitStatus
        self.reason = reason
    }

    public var succeeded: Bool { exitStatus == 0 && reason == nil }
}

/// A driver's refusal, in words for the person who asked.
public struct DriverError: Error, CustomStringConvertible {
    public let description: String

    public init(_ description: String) {
        self.description = description
    }
}
