import GlobalStacksDomain

extension WorkspaceService {
    /// The changes in a directory of the running sandbox's workspace (with `recursive`, in its subdirectories too, at
    /// most 1,000 directories), each a `FilesystemChange` JSON line on stdout, until the caller cancels it; it ends
    /// when the directory is removed. Returns once the watch is in place; a missing directory (404) or a path
    /// leading out of the workspace (400) is thrown here.
    public func watch(_ path: String, recursive: Bool, in id: SandboxID, caller: Caller) async throws -> any InteractiveExec {
        let sandbox = try await workableSandbox(id, caller: caller).sandbox
        return try await transport.watchDirectory(try Self.filePath(path), recursive: recursive, on: sandbox)
    }
}
