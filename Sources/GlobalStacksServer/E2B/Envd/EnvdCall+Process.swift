import Foundation
import GlobalStacksDomain
import GlobalStacksUseCases
import Hummingbird
import NIOCore

/// `process.Process`: commands and terminals, over the workspace's streaming exec.
extension EnvdCall {
    func process(_ method: String) async throws -> Response {
        switch method {
        case "Start": return try await start()
        case "Connect":
            let selector = try await ConnectProtocol.streamRequest(Envd.ProcessRequest.self, request).process
            return attach(try await endpoint.processes.process(selector, in: sandbox))
        case "List":
            _ = try await ConnectProtocol.unaryRequest(Envd.Empty.self, request)
            let running = await endpoint.processes.list(in: sandbox)
            return try ConnectProtocol.unaryResponse(Envd.ListResponse(processes: running.map { Envd.ProcessInfo(config: $0.config, pid: $0.pid, tag: $0.tag) }))
        case "SendInput":
            let message = try await ConnectProtocol.unaryRequest(Envd.SendInputRequest.self, request)
            try await endpoint.processes.process(message.process, in: sandbox).write(try message.input.bytes())
            return try ConnectProtocol.unaryResponse(Envd.Empty())
        case "StreamInput": return try await streamInput()
        case "CloseStdin":
            let message = try await ConnectProtocol.unaryRequest(Envd.ProcessRequest.self, request)
            try await endpoint.processes.process(message.process, in: sandbox).closeInput()
            return try ConnectProtocol.unaryResponse(Envd.Empty())
        case "SendSignal":
            let message = try await ConnectProtocol.unaryRequest(Envd.SendSignalRequest.self, request)
            guard ["SIGNAL_SIGKILL", "SIGNAL_SIGTERM", "SIGKILL", "SIGTERM", "9", "15"].contains(message.signal ?? "SIGNAL_SIGKILL") else {
                throw DomainError.invalidInput("signal is SIGNAL_SIGKILL or SIGNAL_SIGTERM.")
            }
            // Both end the process: the streaming exec stops its command when its client gives up.
            await try endpoint.processes.process(message.process, in: sandbox).kill()
            return try ConnectProtocol.unaryResponse(Envd.Empty())
        case "Update":
            let message = try await ConnectProtocol.unaryRequest(Envd.UpdateRequest.self, request)
            guard let size = message.pty?.size.map({ TerminalSize(columns: $0.cols, rows: $0.rows) }), size.isValid else {
                throw DomainError.invalidInput("pty.size is 1 to 1,000 cols and rows.")
            }
            await try endpoint.processes.process(message.process, in: sandbox).resize(size)
            return try ConnectProtocol.unaryResponse(Envd.Empty())
        default:
            throw ConnectError(code: "unimplemented", message: "process.Process has no method \(method.prefix(64)).")
        }
    }

    /// Starts the command (checked and recorded in the exec history as a streaming exec is) and streams its events.
    private func start() async throws -> Response {
        let start = try await ConnectProtocol.streamRequest(Envd.StartRequest.self, request)
        let directory = try start.process.cwd.map { try EnvdPath($0).relative }
        let size = start.pty?.size.map { TerminalSize(columns: $0.cols, rows: $0.rows) }
        let execRequest = ExecRequest(
            command: [start.process.cmd] + (start.process.args ?? []), environment: start.process.envs,
            workingDirectory: directory == "." ? nil : directory, timeoutSeconds: timeoutSeconds, tty: size
        )
        try WorkspaceService.checkExecStream(execRequest)
        let workable = try await workspace.sandboxForExecStream(sandbox, caller: caller)
        let stream = try await workspace.startExecStream(execRequest, in: workable, logger: logger)
        let config = start.process
        let process = try await endpoint.processes.add(in: sandbox) { pid in
            EnvdProcess(pid: pid, config: config, tag: start.tag, isTerminal: size != nil, stream: stream)
        }
        let response = attach(process)
        let (table, sandbox) = (endpoint.processes, sandbox)
        Task {
            await process.pump()
            await table.remove(process.pid, in: sandbox)
        }
        // envd gives a command stdin only when asked (`stdin`), a terminal always.
        if size == nil && start.stdin != true { try? await process.closeInput() }
        return response
    }

    /// The process's events from now on, `start` first, with keepalives while it is quiet. The client going away
    /// leaves the process running.
    private func attach(_ process: EnvdProcess) -> Response {
        let interval = keepaliveInterval
        return ConnectProtocol.streamResponse { writer in
            let (id, events) = await process.listen()
            let merged = ConnectProtocol.keepingAlive(every: interval, with: EnvdProcessEvent.keepalive) { continuation in
                for await event in events { continuation.yield(event) }
            }
            do {
                try await writer.write(ConnectProtocol.envelope(EnvdProcessEvent.start(pid: process.pid).message))
                for await event in merged {
                    try await writer.write(ConnectProtocol.envelope(event.message))
                    if case .end = event { break }
                }
            } catch {
                await process.stopListening(id)
                throw error
            }
            await process.stopListening(id)
        }
    }

    /// Client streaming: a `start` naming the process, then stdin as it comes (over HTTP/1.1, a chunked body that may
    /// stay open); answered with one empty message when the client ends its stream.
    private func streamInput() async throws -> Response {
        var reader = EnvelopeReader(body: request.body)
        var process: EnvdProcess?
        while let data = try await reader.next() {
            let message = try ConnectProtocol.decode(Envd.StreamInputRequest.self, data)
            if let start = message.start {
                process = try await endpoint.processes.process(start.process, in: sandbox)
            } else if let input = message.data?.input {
                guard let process else { throw DomainError.invalidInput("StreamInput begins with a start message naming the process.") }
                try await process.write(try input.bytes())
            }
        }
        return ConnectProtocol.streamResponse { writer in
            try await writer.write(ConnectProtocol.envelope(Envd.Empty()))
        }
    }
}
