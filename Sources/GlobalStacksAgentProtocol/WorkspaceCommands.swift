import Foundation

// Additions to the agent contract: work inside a sandbox's workspace (exec, files, output, processes). These commands are not stored: the control plane sends them
// while a client waits, their bytes travel as stream frames (see `StreamFrame`), and they end with `complete` or
// `failed` like every command.

/// `exec`: run a command inside a running sandbox. Its stdout and stderr come back as stream frames, cut at
/// `outputLimitBytes` each; stdin is the `stdin` field, or stream frames when `streamStdin` is set.
public struct ExecPayload: Sendable, Equatable, Codable {
    public let sessionId: String
    public let command: [String]
    public var environment: [String: String]?
    /// Inside the workspace, relative to it; the workspace itself when absent.
    public var workingDirectory: String?
    public var stdin: String?
    public var streamStdin: Bool?
    public var timeoutSeconds: Double
    public var outputLimitBytes: Int
    /// Run on a pseudo-terminal of this size: stdout and stderr are the terminal's output (on `stdout` frames), and
    /// the process is the session leader with the terminal as its controlling terminal.
    public var tty: TerminalSize?

    public init(sessionId: String, command: [String], timeoutSeconds: Double, outputLimitBytes: Int) {
        self.sessionId = sessionId
        self.command = command
        self.timeoutSeconds = timeoutSeconds
        self.outputLimitBytes = outputLimitBytes
    }
}

public struct TerminalSize: Sendable, Equatable, Codable {
    public let columns: Int
    public let rows: Int

    public init(columns: Int, rows: Int) {
        self.columns = columns
        self.rows = rows
    }

    public var isValid: Bool { (1...1_000).contains(columns) && (1...1_000).contains(rows) }
}

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

/// `read_output`: the main process's output, its last `tailLines` lines, then (with `follow`) new output as it is
/// written until the process ends. The bytes come back as `stdout` stream frames.
public struct ReadOutputPayload: Sendable, Equatable, Codable {
    public let sessionId: String
    public var tailLines: Int
    public var follow: Bool

    public init(sessionId: String, tailLines: Int, follow: Bool) {
        self.sessionId = sessionId
        self.tailLines = tailLines
        self.follow = follow
    }
}

/// A path inside the sandbox's workspace, relative to it (`list_files`, `stat_file`, `read_file`,
/// `make_directory`).
public struct FilePathPayload: Sendable, Equatable, Codable {
    public let sessionId: String
    public let path: String

    public init(sessionId: String, path: String) {
        self.sessionId = sessionId
        self.path = path
    }
}

/// `write_file`: the bytes follow as `file` stream frames from the control plane, ending with an end frame.
public struct WriteFilePayload: Sendable, Equatable, Codable {
    public let sessionId: String
    public let path: String
    /// The size announced by the client, checked before any byte is written; the write fails if the bytes differ.
    public var expectedBytes: Int64?
    public var maximumBytes: Int64

    public init(sessionId: String, path: String, expectedBytes: Int64?, maximumBytes: Int64) {
        self.sessionId = sessionId
        self.path = path
        self.expectedBytes = expectedBytes
        self.maximumBytes = maximumBytes
    }
}

/// `move_file`.
public struct MoveFilePayload: Sendable, Equatable, Codable {
    public let sessionId: String
    public let from: String
    public let to: String

    public init(sessionId: String, from: String, to: String) {
        self.sessionId = sessionId
        self.from = from
        self.to = to
    }
}

/// `delete_file`: a directory only when empty, unless `recursive`.
public struct DeleteFilePayload: Sendable, Equatable, Codable {
    public let sessionId: String
    public let path: String
    public var recursive: Bool

    public init(sessionId: String, path: String, recursive: Bool) {
        self.sessionId = sessionId
        self.path = path
        self.recursive = recursive
    }
}

/// One entry of a sandbox's workspace (`stat_file`, `list_files`, and the result of `write_file`).
public struct FileEntry: Sendable, Equatable, Codable {
    public enum Kind: String, Sendable, Codable {
        case file, directory, symlink, other
    }

    public let name: String
    public let path: String
    public let kind: Kind
    public let size: Int64
    /// Permission bits, e.g. 420 for 0644.
    public let mode: Int
    public let modifiedAt: Date

    public init(name: String, path: String, kind: Kind, size: Int64, mode: Int, modifiedAt: Date) {
        self.name = name
        self.path = path
        self.kind = kind
        self.size = size
        self.mode = mode
        self.modifiedAt = modifiedAt
    }
}

/// The result of `list_files`.
public struct DirectoryListing: Sendable, Equatable, Codable {
    public let entries: [FileEntry]
    /// More entries exist than a listing holds (`maximumEntries`).
    public let truncated: Bool

    public static let maximumEntries = 1_000
    /// Roughly how large a listing may get encoded (the message limit is 256 KiB).
    public static let maximumBytes = 200 << 10

    public init(entries: [FileEntry], truncated: Bool) {
        self.entries = entries
        self.truncated = truncated
    }
}

/// The result of `read_file` (the bytes came as stream frames).
public struct FileTransferResult: Sendable, Equatable, Codable {
    public let bytes: Int64

    public init(bytes: Int64) {
        self.bytes = bytes
    }
}

/// A background process of a sandbox (`get_process`).
public struct ProcessReference: Sendable, Equatable, Codable {
    public let sessionId: String
    public let processId: String

    public init(sessionId: String, processId: String) {
        self.sessionId = sessionId
        self.processId = processId
    }
}

/// `signal_process`: a signal by name (`SIGTERM`, `SIGKILL`, `SIGINT`, `SIGHUP`, `SIGQUIT`, `SIGUSR1`, `SIGUSR2`,
/// `SIGSTOP`, `SIGCONT`) to the process (as `kill PID` would).
public struct SignalProcessPayload: Sendable, Equatable, Codable {
    public let sessionId: String
    public let processId: String
    public let signal: String

    public init(sessionId: String, processId: String, signal: String) {
        self.sessionId = sessionId
        self.processId = processId
        self.signal = signal
    }
}

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

/// The result of `list_processes`.
public struct ProcessList: Sendable, Equatable, Codable {
    public let processes: [ProcessStatus]

    public init(processes: [ProcessStatus]) {
        self.processes = processes
    }
}
