import Foundation
import GlobalStacksDomain
import GlobalStacksStore
import Logging

extension WorkspaceService {
    /// Runs a command in the running sandbox and waits for it: its output, each stream cut at the output limit. The
    /// start is recorded before the command runs (what the history is for); its outcome is written beside the answer.
    public func exec(_ request: ExecRequest, in id: SandboxID, caller: Caller, logger: Logger) async throws -> CompletedExec {
        let workable = try await workableSandbox(id, caller: caller)
        try Self.check(request, maximumTimeout: Self.maximumTimeoutSeconds)
        let sandbox = workable.sandbox
        let record = ExecRecord.starting(request, in: sandbox, by: caller.user.id)
        try await store.recordExecStart(record, scope: workable.scope)
        // The program only: arguments and environment may hold secrets.
        logger.info("Exec started", metadata: [
            "sandbox_id": "\(sandbox.id)", "tenant_id": "\(workable.scope.tenantID)", "exec_id": "\(record.id)", "program": "\(request.command[0].prefix(256))",
        ])
        do {
            let (result, stdout, stderr) = try await transport.exec(
                request, timeoutSeconds: request.timeoutSeconds ?? Self.defaultTimeoutSeconds,
                outputLimitBytes: request.outputLimitBytes ?? Self.defaultOutputLimitBytes, on: sandbox
            )
            let (store, scope) = (self.store, workable.scope)
            Task { try? await store.recordExecEnd(record.id, ExecOutcome(result), scope: scope) }
            logger.info("Exec ended", metadata: [
                "exec_id": "\(record.id)", "exit_code": "\(result.exitCode.map(String.init) ?? result.signal ?? "-")", "duration_ms": "\(result.durationMilliseconds)",
            ])
            return CompletedExec(id: record.id, result: result, stdout: stdout, stderr: stderr)
        } catch {
            try? await store.recordExecEnd(record.id, .failure(error), scope: workable.scope)
            throw error
        }
    }

    /// Starts a command without waiting for it, recorded in the exec history. No timeout unless asked: a background
    /// process runs until it ends, is signalled or the sandbox stops.
    public func startProcess(_ request: ExecRequest, in id: SandboxID, caller: Caller, logger: Logger) async throws -> ProcessStatus {
        let workable = try await workableSandbox(id, caller: caller)
        try Self.check(request, maximumTimeout: Self.maximumProcessTimeoutSeconds)
        let sandbox = workable.sandbox
        try await store.recordExecStart(.starting(request, in: sandbox, by: caller.user.id), scope: workable.scope)
        let process = try await transport.startProcess(
            request, timeoutSeconds: request.timeoutSeconds ?? 0, outputLimitBytes: request.outputLimitBytes ?? Self.defaultOutputLimitBytes, on: sandbox
        )
        logger.info("Background process started", metadata: [
            "sandbox_id": "\(sandbox.id)", "tenant_id": "\(workable.scope.tenantID)", "process_id": "\(process.processId)",
            "program": "\(request.command[0].prefix(256))",
        ])
        return process
    }

    public func processes(in id: SandboxID, caller: Caller) async throws -> [ProcessStatus] {
        try await transport.processes(on: try await workableSandbox(id, caller: caller).sandbox)
    }

    public func process(_ processID: String, in id: SandboxID, caller: Caller) async throws -> ProcessStatus {
        try await transport.process(processID, on: try await workableSandbox(id, caller: caller).sandbox)
    }

    /// Sends a signal by name (`SIGTERM`, `SIGKILL`, …) to a background process.
    public func signal(_ signal: String, toProcess processID: String, in id: SandboxID, caller: Caller) async throws -> ProcessStatus {
        try await transport.signal(signal, toProcess: processID, on: try await workableSandbox(id, caller: caller).sandbox)
    }

    /// The limits the contract states for an exec and a background process.
    static func check(_ request: ExecRequest, maximumTimeout maximum: Double) throws {
        guard let program = request.command.first, !program.isEmpty else { throw DomainError.invalidInput("command needs a program as its first word.") }
        if let timeout = request.timeoutSeconds, !(timeout > 0 && timeout <= maximum) {
            throw DomainError.invalidInput("timeoutSeconds must be more than 0 and at most \(Int(maximum)).")
        }
        if let outputLimit = request.outputLimitBytes, !(0...maximumOutputLimitBytes).contains(outputLimit) {
            throw DomainError.invalidInput("outputLimitBytes must be between 0 and \(maximumOutputLimitBytes).")
        }
        if let stdin = request.stdin, stdin.utf8.count > maximumStdinBytes {
            throw DomainError.invalidInput("stdin is at most \(maximumStdinBytes) bytes here; stream larger input with /exec/stream, or upload it as a file.")
        }
        if request.command.count > maximumWords || (request.environment?.count ?? 0) > maximumEnvironment {
            throw DomainError.invalidInput("command has at most \(maximumWords) words and environment at most \(maximumEnvironment) variables.")
        }
        try Validation.processInput(command: request.command, environment: request.environment, workingDirectory: request.workingDirectory)
    }
}
