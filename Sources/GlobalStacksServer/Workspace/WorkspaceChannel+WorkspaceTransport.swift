import GlobalStacksAgentProtocol
import GlobalStacksDomain
import GlobalStacksUseCases

/// `WorkspaceService`'s requests as workspace commands of the agent protocol.
extension WorkspaceChannel: WorkspaceTransport {
    func exec(_ request: ExecRequest, timeoutSeconds: Double, outputLimitBytes: Int, on sandbox: Sandbox) async throws -> (result: ExecResult, stdout: [UInt8], stderr: [UInt8]) {
        try await exec(Self.payload(request, for: sandbox, timeoutSeconds: timeoutSeconds, outputLimitBytes: outputLimitBytes), on: sandbox)
    }

    func startInteractiveExec(_ request: ExecRequest, timeoutSeconds: Double, on sandbox: Sandbox) async throws -> any InteractiveExec {
        // Streamed output is handed on as it comes, never collected: no limit.
        var payload = Self.payload(request, for: sandbox, timeoutSeconds: timeoutSeconds, outputLimitBytes: Int(Int32.max))
        payload.streamStdin = true
        payload.tty = request.tty
        return try await start(.exec(payload), on: sandbox)
    }

    func openPort(_ port: Int, on sandbox: Sandbox) async throws -> any InteractiveExec {
        try await start(.openPort(OpenPortPayload(sessionId: sandbox.id.rawValue, port: port)), on: sandbox)
    }

    func watchDirectory(_ path: String, recursive: Bool, on sandbox: Sandbox) async throws -> any InteractiveExec {
        let command = try await start(.watchDirectory(WatchDirectoryPayload(sessionId: sandbox.id.rawValue, path: path, recursive: recursive)), on: sandbox)
        return try await OpenedCommand.awaitingOpened(command)
    }

    func startProcess(_ request: ExecRequest, timeoutSeconds: Double, outputLimitBytes: Int, on sandbox: Sandbox) async throws -> ProcessStatus {
        let payload = Self.payload(request, for: sandbox, timeoutSeconds: timeoutSeconds, outputLimitBytes: outputLimitBytes)
        return try await call(.startProcess(payload), on: sandbox, as: ProcessStatus.self)
    }

    func processes(on sandbox: Sandbox) async throws -> [ProcessStatus] {
        try await call(.listProcesses(SessionReference(sessionId: sandbox.id.rawValue)), on: sandbox, as: ProcessList.self).processes
    }

    func process(_ processID: String, on sandbox: Sandbox) async throws -> ProcessStatus {
        try await call(.getProcess(ProcessReference(sessionId: sandbox.id.rawValue, processId: processID)), on: sandbox, as: ProcessStatus.self)
    }

    func signal(_ signal: String, toProcess processID: String, on sandbox: Sandbox) async throws -> ProcessStatus {
        try await call(
            .signalProcess(SignalProcessPayload(sessionId: sandbox.id.rawValue, processId: processID, signal: signal)), on: sandbox, as: ProcessStatus.self
        )
    }

    func output(tailLines: Int, follow: Bool, on sandbox: Sandbox) async throws -> WorkspaceBytes {
        try await stream(.readOutput(ReadOutputPayload(sessionId: sandbox.id.rawValue, tailLines: tailLines, follow: follow)), on: sandbox)
    }

    func output(fromByte: Int64, maximumBytes: Int64, on sandbox: Sandbox) async throws -> WorkspaceBytes {
        var payload = ReadOutputPayload(sessionId: sandbox.id.rawValue, tailLines: 0, follow: false)
        (payload.fromByte, payload.maximumBytes) = (fromByte, maximumBytes)
        return try await stream(.readOutput(payload), on: sandbox)
    }

    func files(in path: String, on sandbox: Sandbox) async throws -> DirectoryListing {
        try await call(.listFiles(FilePathPayload(sessionId: sandbox.id.rawValue, path: path)), on: sandbox, as: DirectoryListing.self)
    }

    func file(at path: String, on sandbox: Sandbox) async throws -> FileEntry {
        try await call(.statFile(FilePathPayload(sessionId: sandbox.id.rawValue, path: path)), on: sandbox, as: FileEntry.self)
    }

    func deleteFile(at path: String, recursive: Bool, on sandbox: Sandbox) async throws {
        _ = try await call(
            .deleteFile(DeleteFilePayload(sessionId: sandbox.id.rawValue, path: path, recursive: recursive)), on: sandbox, as: SessionReference.self
        )
    }

    func makeDirectory(at path: String, on sandbox: Sandbox) async throws -> FileEntry {
        try await call(.makeDirectory(FilePathPayload(sessionId: sandbox.id.rawValue, path: path)), on: sandbox, as: FileEntry.self)
    }

    func moveFile(from: String, to: String, on sandbox: Sandbox) async throws -> FileEntry {
        try await call(.moveFile(MoveFilePayload(sessionId: sandbox.id.rawValue, from: from, to: to)), on: sandbox, as: FileEntry.self)
    }

    func download(_ path: String, on sandbox: Sandbox) async throws -> WorkspaceBytes {
        try await stream(.readFile(FilePathPayload(sessionId: sandbox.id.rawValue, path: path)), on: sandbox)
    }

    func upload<Bytes: AsyncSequence & Sendable>(
        _ path: String, expectedBytes: Int64?, maximumBytes: Int64, from bytes: Bytes, on sandbox: Sandbox
    ) async throws -> FileEntry where Bytes.Element == ArraySlice<UInt8> {
        let payload = WriteFilePayload(sessionId: sandbox.id.rawValue, path: path, expectedBytes: expectedBytes, maximumBytes: maximumBytes)
        return try await upload(payload, from: bytes, on: sandbox)
    }

    private static func payload(_ request: ExecRequest, for sandbox: Sandbox, timeoutSeconds: Double, outputLimitBytes: Int) -> ExecPayload {
        var payload = ExecPayload(sessionId: sandbox.id.rawValue, command: request.command, timeoutSeconds: timeoutSeconds, outputLimitBytes: outputLimitBytes)
        // The sandbox's own variables too: a sandbox claimed from a warm pool was started before it had them.
        payload.environment = sandbox.spec.environment.merging(request.environment ?? [:]) { _, given in given }
        payload.workingDirectory = request.workingDirectory
        payload.stdin = request.stdin
        return payload
    }
}
