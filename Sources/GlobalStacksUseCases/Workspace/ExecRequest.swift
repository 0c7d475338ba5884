import GlobalStacksDomain

/// A command to run inside a sandbox, as its client asked for it: `WorkspaceService` checks it and decides the
/// limits left out.
public struct ExecRequest: Sendable, Equatable {
    public var command: [String]
    public var environment: [String: String]?
    /// Inside the workspace, relative to it; the workspace itself when absent.
    public var workingDirectory: String?
    /// The whole stdin, for an exec that waits or a background process (the streaming exec sends stdin as it goes).
    public var stdin: String?
    public var timeoutSeconds: Double?
    /// How much of stdout and of stderr an exec that waits returns; how much of its output's tail a background
    /// process keeps.
    public var outputLimitBytes: Int?
    /// The streaming exec on a pseudo-terminal of this size.
    public var tty: TerminalSize?

    public init(
        command: [String], environment: [String: String]? = nil, workingDirectory: String? = nil, stdin: String? = nil,
        timeoutSeconds: Double? = nil, outputLimitBytes: Int? = nil, tty: TerminalSize? = nil
    ) {
        self.command = command
        self.environment = environment
        self.workingDirectory = workingDirectory
        self.stdin = stdin
        self.timeoutSeconds = timeoutSeconds
        self.outputLimitBytes = outputLimitBytes
        self.tty = tty
    }
}

/// An exec that waited for its command: the history entry, how it ended and what it wrote (each stream cut at the
/// output limit).
public struct CompletedExec: Sendable {
    public let id: ExecRecordID
    public let result: ExecResult
    public let stdout: [UInt8]
    public let stderr: [UInt8]

    public init(id: ExecRecordID, result: ExecResult, stdout: [UInt8], stderr: [UInt8]) {
        self.id = id
        self.result = result
        self.stdout = stdout
        self.stderr = stderr
    }
}
