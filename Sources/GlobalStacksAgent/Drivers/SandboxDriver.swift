import Foundation
import GlobalStacksAgentProtocol

/// Runs sandboxes on this host. Every operation is idempotent: starting a running sandbox or stopping a stopped
/// one succeeds without doing anything again, so a command delivered twice has one effect.
public protocol SandboxDriver: Sendable {
    func start(_ session: StartSessionPayload) async throws
    func stop(_ sessionID: String) async throws
    func hibernate(_ sessionID: String) async throws
    func wake(_ sessionID: String) async throws
    /// Removes what the sandbox holds on this host (its directory, its groups), stopping it first if it still runs.
    func delete(_ sessionID: String) async throws
    /// Stops every sandbox (the agent is ending: nothing may keep running untracked).
    func stopAll() async
    /// Ids of the sandboxes that hold a process now (for heartbeats).
    func sessions() async -> [String]
    /// A sandbox that runs now (not frozen), for workspace commands; a refusal says why (`kind` conflict).
    func entry(_ sessionID: String) async throws -> SandboxEntry
    /// The sandbox's directory on this host while it exists, running or not (a stopped or failed sandbox's output is
    /// read from it until the sandbox is deleted); nil when there is none.
    func workspace(_ sessionID: String) async -> URL?
    /// Whether the sandbox's main process still runs (following its output ends when it does not).
    func isRunning(_ sessionID: String) async -> Bool
    /// Runs `body` with the filesystem of a sandbox started from a template held still (a running sandbox frozen,
    /// thawed afterwards), for a snapshot; a driver without templates refuses (the default).
    func withFilesystem<T: Sendable>(_ sessionID: String, _ body: @Sendable (SandboxFilesystem) async throws -> T) async throws -> T
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
    public let kind: FailureKind?

    public init(_ description: String, kind: FailureKind? = nil) {
        self.description = description
        self.kind = kind
    }
}

/// How workspace commands reach a running sandbox: its files, its output, and how to start a process inside it.
public struct SandboxEntry: Sendable {
    /// The sandbox's private directory on the host (its `/workspace`).
    public let workspace: URL
    /// Bytes the sandbox may hold in its workspace, when limited.
    public let storageLimit: Int64?
    /// The host command line that runs `command` inside the sandbox (its namespaces, user, cgroups and limits) with
    /// exactly `environment` added to the sandbox's own, in `directory` (relative to the workspace); nil when this
    /// driver runs no processes.
    public let processArgv: (@Sendable (_ command: [String], _ environment: [String: String], _ directory: String) -> [String])?
    /// The host command line of a relay to a TCP port inside the sandbox (`PortRelay`); nil when this driver cannot
    /// reach the sandbox's ports.
    public let portRelayArgv: (@Sendable (_ port: Int) -> [String])?

    public init(
        workspace: URL, storageLimit: Int64?,
        processArgv: (@Sendable (_ command: [String], _ environment: [String: String], _ directory: String) -> [String])?,
        portRelayArgv: (@Sendable (_ port: Int) -> [String])? = nil
    ) {
        self.workspace = workspace
        self.storageLimit = storageLimit
        self.processArgv = processArgv
        self.portRelayArgv = portRelayArgv
    }

    /// The file the main process writes its stdout and stderr to, relative to the workspace.
    public static let outputFile = "output.log"
}
