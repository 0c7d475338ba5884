import Foundation
import GlobalStacksDomain
import GlobalStacksStore
import Logging

extension WorkspaceService {
    /// The running sandbox a streaming exec may open in: decided before the WebSocket upgrade, so that a refusal is
    /// answered over plain HTTP with the reason.
    public func sandboxForExecStream(_ id: SandboxID, caller: Caller) async throws -> WorkableSandbox {
        try await workableSandbox(id, caller: caller)
    }

    /// What a streaming exec's first message may ask for (its client hears why not before anything runs).
    public static func checkExecStream(_ request: ExecRequest) throws {
        guard let program = request.command.first, !program.isEmpty, request.command.count <= maximumWords else {
            throw DomainError.invalidInput("command needs a program as its first word (at most \(maximumWords) words).")
        }
        if let tty = request.tty, !tty.isValid { throw DomainError.invalidInput("tty is 1 to 1,000 columns and rows.") }
        try Validation.processInput(command: request.command, environment: request.environment, workingDirectory: request.workingDirectory)
    }

    /// Starts a checked streaming exec, recorded in the exec history; the record is ended with the command's output.
    public func startExecStream(_ request: ExecRequest, in workable: WorkableSandbox, logger: Logger) async throws -> ExecStream {
        let sandbox = workable.sandbox
        let timeout = min(request.timeoutSeconds ?? Self.defaultStreamTimeoutSeconds, Self.maximumStreamTimeoutSeconds)
        let record = ExecRecord.starting(request, in: sandbox, by: workable.caller.user.id)
        let (store, scope) = (self.store, workable.scope)
        let command: any InteractiveExec
        do {
            try await store.recordExecStart(record, scope: scope)
            command = try await transport.startInteractiveExec(request, timeoutSeconds: timeout, on: sandbox)
        } catch {
            try? await store.recordExecEnd(record.id, .failure(error), scope: scope)
            throw error
        }
        logger.info("Streaming exec started", metadata: ["exec_id": "\(record.id)", "program": "\(request.command[0].prefix(256))", "tty": "\(request.tty != nil)"])
        return ExecStream(id: record.id, command: command) { outcome in
            try? await store.recordExecEnd(record.id, outcome, scope: scope)
        }
    }
}

/// A streaming exec under way: its output goes to the client as it is written, and its history entry is ended with
/// the output (how the command ended, or why its end was not seen).
public struct ExecStream: Sendable {
    public let id: ExecRecordID
    private let command: any InteractiveExec
    private let recordEnd: @Sendable (ExecOutcome) async -> Void

    init(id: ExecRecordID, command: any InteractiveExec, recordEnd: @escaping @Sendable (ExecOutcome) async -> Void) {
        self.id = id
        self.command = command
        self.recordEnd = recordEnd
    }

    /// See `InteractiveExec.forwardOutput`; when the client's side broke or the agent went away, the command is
    /// stopped (a stdin write waiting for credit stops waiting).
    public func forwardOutput(to deliver: @Sendable (ExecOutputChannel, [UInt8]) async throws -> Void) async throws -> ExecResult {
        do {
            let result = try await command.forwardOutput(to: deliver)
            await recordEnd(ExecOutcome(result))
            return result
        } catch {
            await command.cancel()
            await recordEnd(.failure(error))
            throw error
        }
    }

    public func write(_ stdin: [UInt8]) async throws { try await command.write(stdin) }
    public func endInput() async throws { try await command.endInput() }
    public func resize(_ size: TerminalSize) async { await command.resize(size) }
    public func cancel() async { await command.cancel() }
}
