/// The result of `exec`.
public struct ExecResult: Sendable, Equatable, Codable {
    /// The exit code, when the process exited.
    public var exitCode: Int?
    /// The signal that ended it (e.g. `SIGKILL`), when one did.
    public var signal: String?
    public var timedOut: Bool
    public var stdoutTruncated: Bool
    public var stderrTruncated: Bool
    public var durationMilliseconds: Int

    public init(exitCode: Int?, signal: String?, timedOut: Bool, stdoutTruncated: Bool, stderrTruncated: Bool, durationMilliseconds: Int) {
        self.exitCode = exitCode
        self.signal = signal
        self.timedOut = timedOut
        self.stdoutTruncated = stdoutTruncated
        self.stderrTruncated = stderrTruncated
        self.durationMilliseconds = durationMilliseconds
    }
}
