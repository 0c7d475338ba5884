import Foundation

/// A process started without waiting (`start_process`, whose payload is an `ExecPayload`: `timeoutSeconds` 0 for
/// none, `outputLimitBytes` how much of its output's tail is kept).
public struct ProcessStatus: Sendable, Equatable, Codable {
    public let processId: String
    public let command: [String]
    public let startedAt: Date
    public let running: Bool
    public let exitCode: Int?
    public let signal: String?
    public let endedAt: Date?
    /// The end of its stdout and stderr together, as UTF-8 (`get_process` only).
    public let outputTail: String?
    public let outputTruncated: Bool

    public init(
        processId: String, command: [String], startedAt: Date, running: Bool, exitCode: Int?, signal: String?, endedAt: Date?, outputTail: String?,
        outputTruncated: Bool
    ) {
        self.processId = processId
        self.command = command
        self.startedAt = startedAt
        self.running = running
        self.exitCode = exitCode
        self.signal = signal
        self.endedAt = endedAt
        self.outputTail = outputTail
        self.outputTruncated = outputTruncated
    }
}
