import Foundation
import GlobalStacksDomain

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

/// `read_output`: the main process's output, its last `tailLines` lines, then (with `follow`) new output as it is
/// written until the process ends. With `fromByte`, instead what was written from that byte on, at most
/// `maximumBytes` of it (a page that polls the output reads it piece by piece). The bytes come back as `stdout`
/// stream frames.
public struct ReadOutputPayload: Sendable, Equatable, Codable {
    public let sessionId: String
    public var tailLines: Int
    public var follow: Bool
    public var fromByte: Int64?
    public var maximumBytes: Int64?

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

/// The result of `list_processes`.
public struct ProcessList: Sendable, Equatable, Codable {
    public let processes: [ProcessStatus]

    public init(processes: [ProcessStatus]) {
        self.processes = processes
    }
}
