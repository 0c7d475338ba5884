import GlobalStacksDomain

/// Bytes read from a sandbox's workspace (a file, its output) as the client takes them: the agent reads on only as
/// the client reads, and stops when the client goes away.
public typealias WorkspaceBytes = any AsyncSequence<ArraySlice<UInt8>, any Error> & Sendable

/// How `WorkspaceService` reaches inside a running sandbox, after it decided access and admission: the server sends
/// workspace commands on the connection of the sandbox's agent (503 when the agent is not connected to this process).
/// Refusals of the agent arrive as `DomainError` (a missing file is a 404, a path escaping the workspace a 400).
public protocol WorkspaceTransport: Sendable {
    /// Runs a command and collects its output, each stream cut at `outputLimitBytes`.
    func exec(_ request: ExecRequest, timeoutSeconds: Double, outputLimitBytes: Int, on sandbox: Sandbox) async throws -> (result: ExecResult, stdout: [UInt8], stderr: [UInt8])
    /// Starts a command whose stdin, stdout and stderr stream while it runs (the streaming exec).
    func startInteractiveExec(_ request: ExecRequest, timeoutSeconds: Double, on sandbox: Sandbox) async throws -> any InteractiveExec

    /// Starts a command without waiting for it (`timeoutSeconds` 0: none), keeping `outputLimitBytes` of its output's tail.
    func startProcess(_ request: ExecRequest, timeoutSeconds: Double, outputLimitBytes: Int, on sandbox: Sandbox) async throws -> ProcessStatus
    func processes(on sandbox: Sandbox) async throws -> [ProcessStatus]
    func process(_ processID: String, on sandbox: Sandbox) async throws -> ProcessStatus
    func signal(_ signal: String, toProcess processID: String, on sandbox: Sandbox) async throws -> ProcessStatus

    /// A TCP connection to `port` on the sandbox's own loopback, as a streaming exec: stdin is written to the
    /// connection, its bytes come back as stdout, `endInput` half-closes it. The result's exit code is 0 once the
    /// sandbox's side closed the connection, `SandboxPort.nothingListensExitCode` (3) with the reason on stderr
    /// when nothing listens on the port.
    func openPort(_ port: Int, on sandbox: Sandbox) async throws -> any InteractiveExec
    /// Changes in a directory of the workspace (and with `recursive` its subdirectories), each a `FilesystemChange`
    /// JSON line on stdout, until cancelled; it ends (exit code 0) when the directory is removed. Returns once the
    /// watch is in place (changes from then on are seen); a refusal (no such directory, a path leading out of the
    /// workspace) is thrown here.
    func watchDirectory(_ path: String, recursive: Bool, on sandbox: Sandbox) async throws -> any InteractiveExec

    /// The main process's output: its last `tailLines` lines, then, with `follow`, what it writes until it ends.
    func output(tailLines: Int, follow: Bool, on sandbox: Sandbox) async throws -> WorkspaceBytes
    /// The main process's output from byte `fromByte` on, at most `maximumBytes` of it (what is there now).
    func output(fromByte: Int64, maximumBytes: Int64, on sandbox: Sandbox) async throws -> WorkspaceBytes

    func files(in path: String, on sandbox: Sandbox) async throws -> DirectoryListing
    func file(at path: String, on sandbox: Sandbox) async throws -> FileEntry
    func deleteFile(at path: String, recursive: Bool, on sandbox: Sandbox) async throws
    func makeDirectory(at path: String, on sandbox: Sandbox) async throws -> FileEntry
    func moveFile(from: String, to: String, on sandbox: Sandbox) async throws -> FileEntry
    /// The file's bytes; the first chunk (or the refusal) is awaited before it returns.
    func download(_ path: String, on sandbox: Sandbox) async throws -> WorkspaceBytes
    /// Writes `bytes` as the file at `path`: at most `maximumBytes`, and exactly `expectedBytes` when known.
    func upload<Bytes: AsyncSequence & Sendable>(
        _ path: String, expectedBytes: Int64?, maximumBytes: Int64, from bytes: Bytes, on sandbox: Sandbox
    ) async throws -> FileEntry where Bytes.Element == ArraySlice<UInt8>
}

/// A command running with its client attached (the streaming exec).
public protocol InteractiveExec: Sendable {
    /// Hands each chunk of output to `deliver` as the command writes it (credit goes back to the agent once it is
    /// delivered, so a slow client slows the command) and returns how the command ended. Throws when the agent went
    /// away or `deliver` threw.
    func forwardOutput(to deliver: @Sendable (ExecOutputChannel, [UInt8]) async throws -> Void) async throws -> ExecResult
    /// Stdin, within the agent's credit (waits for it); throws once the command ended.
    func write(_ stdin: [UInt8]) async throws
    func endInput() async throws
    func resize(_ size: TerminalSize) async
    /// The client went away or gave up: the command is stopped, and a write waiting for credit stops waiting.
    func cancel() async
}

/// Where a chunk of an exec's output came from; the raw value is the byte the streaming exec's client reads first.
public enum ExecOutputChannel: UInt8, Sendable {
    case stdout = 1, stderr = 2
}
