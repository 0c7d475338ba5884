import GlobalStacksDomain

extension WorkspaceService {
    /// The main process's output, its last `lines` lines (100 unless asked), then with `follow` what it writes until
    /// it ends. Readable while the sandbox exists, stopped and failed included.
    public func output(of id: SandboxID, lines: Int?, follow: Bool, caller: Caller) async throws -> WorkspaceBytes {
        let sandbox = try await workableSandbox(id, caller: caller, running: false).sandbox
        try sandbox.requireOutput()
        return try await transport.output(tailLines: lines ?? Self.defaultOutputLines, follow: follow, on: sandbox)
    }

    /// The main process's output from byte `offset` on, at most `maximumBytes` of it (64 KiB at most): what a page
    /// that follows the output asks for each time, from where its last answer ended.
    public func output(of id: SandboxID, fromByte offset: Int64, maximumBytes: Int, caller: Caller) async throws -> WorkspaceBytes {
        // JSON carries integers exactly up to 2^53; no output file comes near 2^50 bytes.
        guard (0...(Int64(1) << 50)).contains(offset), (1...Self.maximumOutputPieceBytes).contains(maximumBytes) else {
            throw DomainError.invalidInput("offset must be a byte count from 0 to 2^50, and a piece of output at most \(Self.maximumOutputPieceBytes) bytes.")
        }
        let sandbox = try await workableSandbox(id, caller: caller, running: false).sandbox
        try sandbox.requireOutput()
        return try await transport.output(fromByte: offset, maximumBytes: Int64(maximumBytes), on: sandbox)
    }

    /// A directory's entries (the workspace itself unless `path` names another).
    public func files(in path: String?, of id: SandboxID, caller: Caller) async throws -> DirectoryListing {
        let sandbox = try await workableSandbox(id, caller: caller).sandbox
        return try await transport.files(in: try Self.filePath(path ?? "."), on: sandbox)
    }

    public func file(at path: String, of id: SandboxID, caller: Caller) async throws -> FileEntry {
        let sandbox = try await workableSandbox(id, caller: caller).sandbox
        return try await transport.file(at: try Self.filePath(path), on: sandbox)
    }

    /// Deletes a file, or a directory when it is empty or `recursive`.
    public func deleteFile(at path: String, recursive: Bool, of id: SandboxID, caller: Caller) async throws {
        let sandbox = try await workableSandbox(id, caller: caller).sandbox
        try await transport.deleteFile(at: try Self.filePath(path), recursive: recursive, on: sandbox)
    }

    public func makeDirectory(at path: String, of id: SandboxID, caller: Caller) async throws -> FileEntry {
        let sandbox = try await workableSandbox(id, caller: caller).sandbox
        return try await transport.makeDirectory(at: try Self.filePath(path), on: sandbox)
    }

    public func moveFile(from: String, to: String, of id: SandboxID, caller: Caller) async throws -> FileEntry {
        let sandbox = try await workableSandbox(id, caller: caller).sandbox
        return try await transport.moveFile(from: try Self.filePath(from, field: "from"), to: try Self.filePath(to, field: "to"), on: sandbox)
    }

    /// The file's bytes, as the client reads them; a missing file is a 404 before any byte.
    public func download(_ path: String, of id: SandboxID, caller: Caller) async throws -> WorkspaceBytes {
        let sandbox = try await workableSandbox(id, caller: caller).sandbox
        return try await transport.download(try Self.filePath(path), on: sandbox)
    }

    /// Writes the file at `path` from `bytes`: at most the server's limit per file (refused before any byte is
    /// written when the client announced a larger size), and exactly `expectedBytes` when announced.
    public func upload<Bytes: AsyncSequence & Sendable>(
        _ path: String, expectedBytes: Int64?, from bytes: Bytes, of id: SandboxID, caller: Caller
    ) async throws -> FileEntry where Bytes.Element == ArraySlice<UInt8> {
        let sandbox = try await workableSandbox(id, caller: caller).sandbox
        if let expectedBytes, expectedBytes > maximumFileBytes {
            throw DomainError.tooLarge("The file (\(expectedBytes) bytes) is larger than the limit of \(maximumFileBytes) bytes per file; nothing was written.")
        }
        return try await transport.upload(try Self.filePath(path), expectedBytes: expectedBytes, maximumBytes: maximumFileBytes, from: bytes, on: sandbox)
    }

    /// A file operation's path, relative to the workspace ("." is the workspace itself). Empty is refused: it is also
    /// what a query value that is not percent-encoded UTF-8 (`%ff`, `%zz`) decodes to, and would name the workspace.
    static func filePath(_ value: String, field: String = "path") throws -> String {
        guard !value.isEmpty else {
            throw DomainError.invalidInput("\(field) must name a file or directory of the workspace ('.' is the workspace itself), percent-encoded as UTF-8.")
        }
        return value
    }
}
