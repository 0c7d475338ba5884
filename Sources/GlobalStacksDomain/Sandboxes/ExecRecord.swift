import Foundation

/// One command run in a sandbox through exec: who ran what, when, and how it ended. Kept with the sandbox, so a
/// tenant's owners can tell who did what inside it.
public struct ExecRecord: Sendable, Equatable {
    public let id: ExecRecordID
    public let sandboxID: SandboxID
    public let userID: UserID
    public let command: [String]
    public let workingDirectory: String?
    public let startedAt: Date
    public var outcome: ExecOutcome?

    public init(id: ExecRecordID, sandboxID: SandboxID, userID: UserID, command: [String], workingDirectory: String?, startedAt: Date, outcome: ExecOutcome?) {
        self.id = id
        self.sandboxID = sandboxID
        self.userID = userID
        self.command = command
        self.workingDirectory = workingDirectory
        self.startedAt = startedAt
        self.outcome = outcome
    }

    /// At most this many entries of one sandbox are kept; older ones are removed as new ones are recorded.
    public static let keptPerSandbox = 1_000
}

/// How an exec ended: an exit code, a signal, a timeout, or an error before or while it ran.
public struct ExecOutcome: Sendable, Equatable {
    public let endedAt: Date
    public let exitCode: Int?
    public let signal: String?
    public let timedOut: Bool
    public let durationMilliseconds: Int?
    public let error: String?

    public init(endedAt: Date, exitCode: Int?, signal: String?, timedOut: Bool, durationMilliseconds: Int?, error: String?) {
        self.endedAt = endedAt
        self.exitCode = exitCode
        self.signal = signal
        self.timedOut = timedOut
        self.durationMilliseconds = durationMilliseconds
        self.error = error
    }
}

public typealias ExecRecordID = Identifier<ExecRecord>
