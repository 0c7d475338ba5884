import Foundation
import GlobalStacksAPI
import GlobalStacksContract
import GlobalStacksDomain
import GlobalStacksUseCases
import OpenAPIRuntime

/// The v1 API's work inside running sandboxes (exec, files, output, processes): maps the contract's input to
/// `WorkspaceService` and its results back.
struct WorkspaceHandler {
    let workspace: WorkspaceService

    func execSandbox(_ input: Operations.ExecSandbox.Input, caller: Caller) async throws -> Operations.ExecSandbox.Output {
        let id: SandboxID = try pathID(input.path.sandboxId, "sandbox")
        guard case .json(let body) = input.body else { throw DomainError.invalidInput("Send a JSON body.") }
        let exec = try await workspace.exec(Self.request(body), in: id, caller: caller, logger: try RequestEnvironment.required.logger)
        let result = exec.result
        return .ok(.init(body: .json(.init(
            execId: exec.id.rawValue, exitCode: result.exitCode, signal: result.signal, timedOut: result.timedOut,
            stdout: String(decoding: exec.stdout, as: UTF8.self), stderr: String(decoding: exec.stderr, as: UTF8.self),
            stdoutTruncated: result.stdoutTruncated, stderrTruncated: result.stderrTruncated, durationMs: result.durationMilliseconds
        ))))
    }

    func startSandboxProcess(_ input: Operations.StartSandboxProcess.Input, caller: Caller) async throws -> Operations.StartSandboxProcess.Output {
        let id: SandboxID = try pathID(input.path.sandboxId, "sandbox")
        guard case .json(let body) = input.body else { throw DomainError.invalidInput("Send a JSON body.") }
        let process = try await workspace.startProcess(Self.request(body), in: id, caller: caller, logger: try RequestEnvironment.required.logger)
        return .created(.init(body: .json(APIMapping.process(process))))
    }

    func listSandboxProcesses(_ input: Operations.ListSandboxProcesses.Input, caller: Caller) async throws -> Operations.ListSandboxProcesses.Output {
        let processes = try await workspace.processes(in: try pathID(input.path.sandboxId, "sandbox"), caller: caller)
        return .ok(.init(body: .json(.init(items: processes.map(APIMapping.process)))))
    }

    func getSandboxProcess(_ input: Operations.GetSandboxProcess.Input, caller: Caller) async throws -> Operations.GetSandboxProcess.Output {
        let process = try await workspace.process(input.path.processId, in: try pathID(input.path.sandboxId, "sandbox"), caller: caller)
        return .ok(.init(body: .json(APIMapping.process(process))))
    }

    func signalSandboxProcess(_ input: Operations.SignalSandboxProcess.Input, caller: Caller) async throws -> Operations.SignalSandboxProcess.Output {
        let id: SandboxID = try pathID(input.path.sandboxId, "sandbox")
        guard case .json(let body) = input.body else { throw DomainError.invalidInput("Send a JSON body.") }
        let process = try await workspace.signal(body.signal.rawValue, toProcess: input.path.processId, in: id, caller: caller)
        return .ok(.init(body: .json(APIMapping.process(process))))
    }

    func listSandboxExecs(_ input: Operations.ListSandboxExecs.Input, caller: Caller) async throws -> Operations.ListSandboxExecs.Output {
        let id: SandboxID = try pathID(input.path.sandboxId, "sandbox")
        let records = try await workspace.execHistory(of: id, limit: try listLimit(input.query.limit), caller: caller)
        return .ok(.init(body: .json(.init(items: records.map(APIMapping.execRecord)))))
    }

    func getSandboxOutput(_ input: Operations.GetSandboxOutput.Input, caller: Caller) async throws -> Operations.GetSandboxOutput.Output {
        let follow = input.query.follow ?? false
        let bytes = try await workspace.output(of: try pathID(input.path.sandboxId, "sandbox"), lines: input.query.lines, follow: follow, caller: caller)
        let body = HTTPBody(bytes, length: .unknown, iterationBehavior: .single)
        guard follow else { return .ok(.init(body: .plainText(body))) }
        return .ok(.init(body: .textEventStream(HTTPBody(ServerSentOutput(body: body), length: .unknown, iterationBehavior: .single))))
    }

    func listSandboxFiles(_ input: Operations.ListSandboxFiles.Input, caller: Caller) async throws -> Operations.ListSandboxFiles.Output {
        let listing = try await workspace.files(in: input.query.path, of: try pathID(input.path.sandboxId, "sandbox"), caller: caller)
        return .ok(.init(body: .json(.init(items: listing.entries.map(APIMapping.file), truncated: listing.truncated))))
    }

    func statSandboxFile(_ input: Operations.StatSandboxFile.Input, caller: Caller) async throws -> Operations.StatSandboxFile.Output {
        let entry = try await workspace.file(at: input.query.path, of: try pathID(input.path.sandboxId, "sandbox"), caller: caller)
        return .ok(.init(body: .json(APIMapping.file(entry))))
    }

    func deleteSandboxFile(_ input: Operations.DeleteSandboxFile.Input, caller: Caller) async throws -> Operations.DeleteSandboxFile.Output {
        try await workspace.deleteFile(
            at: input.query.path, recursive: input.query.recursive ?? false, of: try pathID(input.path.sandboxId, "sandbox"), caller: caller
        )
        return .noContent(.init())
    }

    func makeSandboxDirectory(_ input: Operations.MakeSandboxDirectory.Input, caller: Caller) async throws -> Operations.MakeSandboxDirectory.Output {
        let id: SandboxID = try pathID(input.path.sandboxId, "sandbox")
        guard case .json(let body) = input.body else { throw DomainError.invalidInput("Send a JSON body.") }
        return .created(.init(body: .json(APIMapping.file(try await workspace.makeDirectory(at: body.path, of: id, caller: caller)))))
    }

    func moveSandboxFile(_ input: Operations.MoveSandboxFile.Input, caller: Caller) async throws -> Operations.MoveSandboxFile.Output {
        let id: SandboxID = try pathID(input.path.sandboxId, "sandbox")
        guard case .json(let body) = input.body else { throw DomainError.invalidInput("Send a JSON body.") }
        return .ok(.init(body: .json(APIMapping.file(try await workspace.moveFile(from: body.from, to: body.to, of: id, caller: caller)))))
    }

    func downloadSandboxFile(_ input: Operations.DownloadSandboxFile.Input, caller: Caller) async throws -> Operations.DownloadSandboxFile.Output {
        let bytes = try await workspace.download(input.query.path, of: try pathID(input.path.sandboxId, "sandbox"), caller: caller)
        return .ok(.init(body: .binary(HTTPBody(bytes, length: .unknown, iterationBehavior: .single))))
    }

    func uploadSandboxFile(_ input: Operations.UploadSandboxFile.Input, caller: Caller) async throws -> Operations.UploadSandboxFile.Output {
        let id: SandboxID = try pathID(input.path.sandboxId, "sandbox")
        guard case .binary(let body) = input.body else { throw DomainError.invalidInput("Send the file's bytes as application/octet-stream.") }
        var expected: Int64?
        if case .known(let length) = body.length { expected = length }
        let entry = try await workspace.upload(input.query.path, expectedBytes: expected, from: body, of: id, caller: caller)
        return .created(.init(body: .json(APIMapping.file(entry))))
    }

    private static func request(_ body: Components.Schemas.ExecRequest) -> ExecRequest {
        ExecRequest(
            command: body.command, environment: body.environment?.additionalProperties, workingDirectory: body.workingDirectory, stdin: body.stdin,
            timeoutSeconds: body.timeoutSeconds, outputLimitBytes: body.outputLimitBytes
        )
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
