/// A TCP port inside a sandbox, reached through its agent (preview URLs).
public enum SandboxPort {
    public static let valid = 1...65_535
    /// How a connection to a port ends when nothing listens on it there (the reason is on its stderr).
    public static let nothingListensExitCode = 3
}
