import Foundation
import GlobalStacksAPI
import GlobalStacksAgentProtocol
import GlobalStacksDomain
import GlobalStacksStore
import GlobalStacksUseCases
import Logging
import OpenAPIRuntime

/// Work inside running sandboxes: exec, files and output, through the sandbox's agent. Only the sandbox's
/// creator and the organization's owners and admins may (`AccessPolicy.requireSandboxWork`); every exec is
/// recorded in the sandbox's exec history.
struct WorkspaceHandler {
    let store: any RequestStore
    let authenticator: Authenticator
    let workspaceChannel: WorkspaceChannel
    /// Largest file an upload may write (the sandbox's storage limit applies as well).
    let maximumFileBytes: Int64

    static let defaultTimeoutSeconds = 60.0
    static let defaultOutputLimitBytes = 1 << 20
    static let defaultOutputLines = 100
    static let maximumTimeoutSeconds = 3_600.0
    static let maximumProcessTimeoutSeconds = 7 * 86_400.0
    static let maximumOutputLimitBytes = 8 << 20

    static let maximumStdinBytes = 128 << 10

    /// The limits the contract states (the generated types do not enforce minimum and maximum).
    static func checkLimits(_ request: Components.Schemas.ExecRequest, maximumTimeout maximum: Double) throws {
        try checkLimits(timeout: request.timeoutSeconds, maximum: maximum, outputLimit: request.outputLimitBytes)
        if let stdin = request.stdin, stdin.utf8.count > maximumStdinBytes {
            throw DomainError.invalidInput("stdin is at most \(maximumStdinBytes) bytes here; stream larger input with /exec/stream, or upload it as a file.")
        }
        if request.command.count > 256 || (request.environment?.additionalProperties.count ?? 0) > 64 {
            throw DomainError.invalidInput("command has at most 256 words and environment at most 64 variables.")
        }
        try Validation.processInput(command: request.command, environment: request.environment?.additionalProperties, workingDirectory: request.workingDirectory)
    }

    static func payload(_ request: Components.Schemas.ExecRequest, for sandbox: Sandbox, defaultTimeout: Double) -> ExecPayload {
        var payload = ExecPayload(
            sessionId: sandbox.id.rawValue, command: request.command, timeoutSeconds: request.timeoutSeconds ?? defaultTimeout,
            outputLimitBytes: request.outputLimitBytes ?? defaultOutputLimitBytes
        )
        payload.environment = request.environment?.additionalProperties
        payload.workingDirectory = request.workingDirectory
        payload.stdin = request.stdin
        return payload
    }

    static func checkLimits(timeout: Double?, maximum: Double, outputLimit: Int?) throws {
        if let timeout, !(timeout > 0 && timeout <= maximum) {
            throw DomainError.invalidInput("timeoutSeconds must be more than 0 and at most \(Int(maximum)).")
        }
        if let outputLimit, !(0...maximumOutputLimitBytes).contains(outputLimit) {
            throw DomainError.invalidInput("outputLimitBytes must be between 0 and \(maximumOutputLimitBytes).")
        }
    }

    /// A file operation's path, relative to the workspace ("." is the workspace itself). Empty is refused: it is also
    /// what a query value that is not percent-encoded UTF-8 (`%ff`, `%zz`) decodes to, and would name the workspace.
    static func filePath(_ value: String, field: String = "path") throws -> String {
        guard !value.isEmpty else {
            throw DomainError.invalidInput("\(field) must name a file or directory of the workspace ('.' is the workspace itself), percent-encoded as UTF-8.")
        }
        return value
    }

    func execSandbox(_ input: Operations.ExecSandbox.Input) async throws -> Operations.ExecSandbox.Output {
        let (sandbox, scope, principal) = try await workableSandbox(input.path.sandboxId)
        guard case .json(let request) = input.body else { throw DomainError.invalidInput("Send a JSON body.") }
        guard let program = request.command.first, !program.isEmpty else { throw DomainError.invalidInput("command needs a program as its first word.") }
        try Self.checkLimits(request, maximumTimeout: Self.maximumTimeoutSeconds)
        let payload = Self.payload(request, for: sandbox, defaultTimeout: Self.defaultTimeoutSeconds)
        let record = ExecRecord.starting(payload, in: sandbox, by: principal.user.id)
        try await store.recordExecStart(record, scope: scope)
        let logger = try RequestEnvironment.required.logger
        // The program only: arguments and environment may hold secrets.
        logger.info("Exec started", metadata: ["sandbox_id": "\(sandbox.id)", "tenant_id": "\(scope.tenantID)", "exec_id": "\(record.id)", "program": "\(program.prefix(256))"])
        do {
            let (result, stdout, stderr) = try await workspaceChannel.exec(payload, on: sandbox)
            // The start was recorded before the command ran (what the history is for); its outcome is written
            // beside the answer rather than before it.
            let store = self.store
            Task { try? await store.recordExecEnd(record.id, ExecOutcome(result), scope: scope) }
            logger.info("Exec ended", metadata: ["exec_id": "\(record.id)", "exit_code": "\(result.exitCode.map(String.init) ?? result.signal ?? "-")", "duration_ms": "\(result.durationMilliseconds)"])
            return .ok(.init(body: .json(.init(
                execId: record.id.rawValue, exitCode: result.exitCode, signal: result.signal, timedOut: result.timedOut,
                stdout: String(decoding: stdout, as: UTF8.self), stderr: String(decoding: stderr, as: UTF8.self),
                stdoutTruncated: result.stdoutTruncated, stderrTruncated: result.stderrTruncated, durationMs: result.durationMilliseconds
            ))))
        } catch {
            try? await store.recordExecEnd(record.id, .failure(error), scope: scope)
            throw error
        }
    }

    func startSandboxProcess(_ input: Operations.StartSandboxProcess.Input) async throws -> Operations.StartSandboxProcess.Output {
        let (sandbox, scope, principal) = try await workableSandbox(input.path.sandboxId)
        guard case .json(let request) = input.body else { throw DomainError.invalidInput("Send a JSON body.") }
        guard let program = request.command.first, !program.isEmpty else { throw DomainError.invalidInput("command needs a program as its first word.") }
        try Self.checkLimits(request, maximumTimeout: Self.maximumProcessTimeoutSeconds)
        // No timeout unless asked (0): a background process runs until it ends, is signalled or the sandbox stops.
        let payload = Self.payload(request, for: sandbox, defaultTimeout: 0)
        try await store.recordExecStart(.starting(payload, in: sandbox, by: principal.user.id), scope: scope)
        let process = try await workspaceChannel.call(.startProcess(payload), on: sandbox, as: ProcessStatus.self)
        try RequestEnvironment.required.logger.info("Background process started", metadata: [
            "sandbox_id": "\(sandbox.id)", "tenant_id": "\(scope.tenantID)", "process_id": "\(process.processId)", "program": "\(program.prefix(256))",
        ])
        return .created(.init(body: .json(APIMapping.process(process))))
    }

    func listSandboxProcesses(_ input: Operations.ListSandboxProcesses.Input) async throws -> Operations.ListSandboxProcesses.Output {
        let (sandbox, _, _) = try await workableSandbox(input.path.sandboxId)
        let list = try await workspaceChannel.call(.listProcesses(SessionReference(sessionId: sandbox.id.rawValue)), on: sandbox, as: ProcessList.self)
        return .ok(.init(body: .json(.init(items: list.processes.map(APIMapping.process)))))
    }

    func getSandboxProcess(_ input: Operations.GetSandboxProcess.Input) async throws -> Operations.GetSandboxProcess.Output {
        let (sandbox, _, _) = try await workableSandbox(input.path.sandboxId)
        let process = try await workspaceChannel.call(
            .getProcess(ProcessReference(sessionId: sandbox.id.rawValue, processId: input.path.processId)), on: sandbox, as: ProcessStatus.self
        )
        return .ok(.init(body: .json(APIMapping.process(process))))
    }

    func signalSandboxProcess(_ input: Operations.SignalSandboxProcess.Input) async throws -> Operations.SignalSandboxProcess.Output {
        let (sandbox, _, _) = try await workableSandbox(input.path.sandboxId)
        guard case .json(let request) = input.body else { throw DomainError.invalidInput("Send a JSON body.") }
        let process = try await workspaceChannel.call(
            .signalProcess(SignalProcessPayload(sessionId: sandbox.id.rawValue, processId: input.path.processId, signal: request.signal.rawValue)),
            on: sandbox, as: ProcessStatus.self
        )
        return .ok(.init(body: .json(APIMapping.process(process))))
    }

    func listSandboxExecs(_ input: Operations.ListSandboxExecs.Input) async throws -> Operations.ListSandboxExecs.Output {
        let (sandbox, scope, _) = try await workableSandbox(input.path.sandboxId, running: false)
        let records = try await store.execHistory(sandboxID: sandbox.id, scope: scope, limit: try listLimit(input.query.limit))
        return .ok(.init(body: .json(.init(items: records.map(APIMapping.execRecord)))))
    }

    func getSandboxOutput(_ input: Operations.GetSandboxOutput.Input) async throws -> Operations.GetSandboxOutput.Output {
        let (sandbox, _, _) = try await workableSandbox(input.path.sandboxId, running: false)
        let follow = input.query.follow ?? false
        let body = try await workspaceChannel.stream(
            .readOutput(ReadOutputPayload(sessionId: sandbox.id.rawValue, tailLines: input.query.lines ?? Self.defaultOutputLines, follow: follow)),
            on: sandbox
        )
        guard follow else { return .ok(.init(body: .plainText(body))) }
        return .ok(.init(body: .textEventStream(HTTPBody(ServerSentOutput(body: body), length: .unknown, iterationBehavior: .single))))
    }

    func listSandboxFiles(_ input: Operations.ListSandboxFiles.Input) async throws -> Operations.ListSandboxFiles.Output {
        let (sandbox, _, _) = try await workableSandbox(input.path.sandboxId)
        let listing = try await workspaceChannel.call(.listFiles(FilePathPayload(sessionId: sandbox.id.rawValue, path: try Self.filePath(input.query.path ?? "."))), on: sandbox, as: DirectoryListing.self)
        return .ok(.init(body: .json(.init(items: listing.entries.map(APIMapping.file), truncated: listing.truncated))))
    }

    func statSandboxFile(_ input: Operations.StatSandboxFile.Input) async throws -> Operations.StatSandboxFile.Output {
        let (sandbox, _, _) = try await workableSandbox(input.path.sandboxId)
        let entry = try await workspaceChannel.call(.statFile(FilePathPayload(sessionId: sandbox.id.rawValue, path: try Self.filePath(input.query.path))), on: sandbox, as: FileEntry.self)
        return .ok(.init(body: .json(APIMapping.file(entry))))
    }

    func deleteSandboxFile(_ input: Operations.DeleteSandboxFile.Input) async throws -> Operations.DeleteSandboxFile.Output {
        let (sandbox, _, _) = try await workableSandbox(input.path.sandboxId)
        _ = try await workspaceChannel.call(
            .deleteFile(DeleteFilePayload(sessionId: sandbox.id.rawValue, path: try Self.filePath(input.query.path), recursive: input.query.recursive ?? false)),
            on: sandbox, as: SessionReference.self
        )
        return .noContent(.init())
    }

    func makeSandboxDirectory(_ input: Operations.MakeSandboxDirectory.Input) async throws -> Operations.MakeSandboxDirectory.Output {
        let (sandbox, _, _) = try await workableSandbox(input.path.sandboxId)
        guard case .json(let request) = input.body else { throw DomainError.invalidInput("Send a JSON body.") }
        let entry = try await workspaceChannel.call(.makeDirectory(FilePathPayload(sessionId: sandbox.id.rawValue, path: try Self.filePath(request.path))), on: sandbox, as: FileEntry.self)
        return .created(.init(body: .json(APIMapping.file(entry))))
    }

    func moveSandboxFile(_ input: Operations.MoveSandboxFile.Input) async throws -> Operations.MoveSandboxFile.Output {
        let (sandbox, _, _) = try await workableSandbox(input.path.sandboxId)
        guard case .json(let request) = input.body else { throw DomainError.invalidInput("Send a JSON body.") }
        let move = MoveFilePayload(sessionId: sandbox.id.rawValue, from: try Self.filePath(request.from, field: "from"), to: try Self.filePath(request.to, field: "to"))
        let entry = try await workspaceChannel.call(.moveFile(move), on: sandbox, as: FileEntry.self)
        return .ok(.init(body: .json(APIMapping.file(entry))))
    }

    func downloadSandboxFile(_ input: Operations.DownloadSandboxFile.Input) async throws -> Operations.DownloadSandboxFile.Output {
        let (sandbox, _, _) = try await workableSandbox(input.path.sandboxId)
        let body = try await workspaceChannel.stream(.readFile(FilePathPayload(sessionId: sandbox.id.rawValue, path: try Self.filePath(input.query.path))), on: sandbox)
        return .ok(.init(body: .binary(body)))
    }

    func uploadSandboxFile(_ input: Operations.UploadSandboxFile.Input) async throws -> Operations.UploadSandboxFile.Output {
        let (sandbox, _, _) = try await workableSandbox(input.path.sandboxId)
        guard case .binary(let body) = input.body else { throw DomainError.invalidInput("Send the file's bytes as application/octet-stream.") }
        var expected: Int64?
        if case .known(let length) = body.length { expected = length }
        if let expected, expected > maximumFileBytes {
            throw DomainError.tooLarge("The file (\(expected) bytes) is larger than the limit of \(maximumFileBytes) bytes per file; nothing was written.")
        }
        let entry = try await workspaceChannel.upload(
            WriteFilePayload(sessionId: sandbox.id.rawValue, path: try Self.filePath(input.query.path), expectedBytes: expected, maximumBytes: maximumFileBytes),
            from: body, on: sandbox
        )
        return .created(.init(body: .json(APIMapping.file(entry))))
    }

    /// The sandbox of the active tenant (404 otherwise), when the caller may work in it (403 otherwise) and, unless
    /// `running` is false, it runs (409 with what to do otherwise).
    private func workableSandbox(_ pathValue: String, running: Bool = true) async throws -> (Sandbox, TenantScope, Principal) {
        let principal = try authenticator.principal()
        let scope = try AccessPolicy.requireActiveTenantScope(principal)
        let id: SandboxID = try pathID(pathValue, "sandbox")
        guard let sandbox = try await store.sandbox(id: id, scope: scope) else { throw DomainError.notFound("No sandbox \(id) in the active tenant.") }
        try AccessPolicy.requireSandboxWork(principal, on: sandbox)
        if running { try WorkspaceChannel.requireRunning(sandbox) }
        return (sandbox, scope, principal)
    }
}

/// Output chunks as server-sent events: one `output` event per chunk (its lines as `data:` lines, which a client
/// joins with newlines back into the chunk), then an `end` event.
struct ServerSentOutput: AsyncSequence, Sendable {
    typealias Element = ArraySlice<UInt8>
    let body: HTTPBody

    struct AsyncIterator: AsyncIteratorProtocol {
        var chunks: HTTPBody.AsyncIterator
        var ended = false

        mutating func next() async throws -> ArraySlice<UInt8>? {
            guard !ended else { return nil }
            guard let chunk = try await chunks.next() else {
                ended = true
                return ArraySlice("event: end\ndata:\n\n".utf8)
            }
            let text = String(decoding: chunk, as: UTF8.self).replacingOccurrences(of: "\r", with: "")
            let lines = text.split(separator: "\n", omittingEmptySubsequences: false).map { "data: \($0)" }
            return ArraySlice(("event: output\n" + lines.joined(separator: "\n") + "\n\n").utf8)
        }
    }

    func makeAsyncIterator() -> AsyncIterator {
        AsyncIterator(chunks: body.makeAsyncIterator())
    }
}
