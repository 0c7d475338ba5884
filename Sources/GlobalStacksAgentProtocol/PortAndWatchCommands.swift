import GlobalStacksDomain

/// `open_port`: a TCP connection to `port` on the sandbox's own loopback (127.0.0.1, then ::1), made inside its network
/// namespace, so that a sandbox without network serves too. It runs like a streaming exec: `stdin` frames are written
/// to the connection, what the connection sends comes back as `stdout` frames; the end of input half-closes the
/// connection's sending side, and the command completes (an `ExecResult`, exit code 0) when the sandbox's side closes
/// it. When nothing listens, it completes with `SandboxPort.nothingListensExitCode` and the reason on `stderr`.
public struct OpenPortPayload: Sendable, Equatable, Codable {
    public let sessionId: String
    /// 1...65535 (`SandboxPort.valid`).
    public let port: Int

    public init(sessionId: String, port: Int) {
        self.sessionId = sessionId
        self.port = port
    }
}

/// `watch_directory`: the changes in a directory of the workspace (relative to it, like every file path), and with
/// `recursive` in its subdirectories too (ones created later included), each one `FilesystemChange` as a JSON line on
/// `stdout` frames. An empty `stdout` frame first says the watch is in place. It runs until cancelled, or completes
/// (an `ExecResult`, exit code 0) when the directory itself is removed.
public struct WatchDirectoryPayload: Sendable, Equatable, Codable {
    public let sessionId: String
    public let path: String
    public var recursive: Bool

    public init(sessionId: String, path: String, recursive: Bool) {
        self.sessionId = sessionId
        self.path = path
        self.recursive = recursive
    }

    /// Directories one command may watch (the directory and its subdirectories).
    public static let maximumDirectories = 1_000
}
