import Foundation
import GlobalStacksDomain
import GlobalStacksUseCases

/// What a process stream carries (`ProcessEvent`).
enum EnvdProcessEvent: Sendable {
    case start(pid: UInt32)
    case data(ExecOutputChannel, [UInt8], terminal: Bool)
    case end(ExecResult?, error: String?)
    case keepalive

    /// `{"event": …}` as envd writes it.
    var message: Message {
        switch self {
        case .start(let pid): return Message(event: Event(start: .init(pid: pid)))
        case .data(let channel, let bytes, let terminal):
            let text = Data(bytes).base64EncodedString()
            return Message(event: Event(data: terminal ? .init(pty: text) : channel == .stdout ? .init(stdout: text) : .init(stderr: text)))
        case .end(let result, let error): return Message(event: Event(end: .init(result, error: error)))
        case .keepalive: return Message(event: Event(keepalive: Envd.Empty()))
        }
    }

    struct Message: Encodable {
        let event: Event
    }

    struct Event: Encodable {
        var start: Start?
        var data: DataEvent?
        var end: End?
        var keepalive: Envd.Empty?
    }

    struct Start: Encodable {
        let pid: UInt32
    }

    struct DataEvent: Encodable {
        var stdout: String?
        var stderr: String?
        var pty: String?
    }

    /// As Go's `ProcessState` reports it: exit code -1 and `signal: killed` for a process ended by a signal.
    struct End: Encodable {
        let exitCode: Int
        let exited: Bool
        let status: String
        let error: String?

        init(_ result: ExecResult?, error: String?) {
            if let code = result?.exitCode {
                exitCode = code
                exited = true
                status = "exit status \(code)"
            } else {
                exitCode = -1
                exited = false
                status = result?.timedOut == true ? "signal: killed (timed out)" : result?.signal.map { "signal: \($0)" } ?? "signal: killed"
            }
            self.error = error ?? (exitCode == 0 ? nil : status)
        }
    }
}

/// A process started through envd's `Start`: a streaming exec of the workspace that outlives the request that started
/// it, as envd's processes do. Its output goes to every client attached (the one that started it, and any that
/// `Connect`); input, signals and resizes come by its pid.
actor EnvdProcess {
    nonisolated let pid: UInt32
    nonisolated let config: Envd.ProcessConfig
    nonisolated let tag: String?
    nonisolated let isTerminal: Bool
    private let stream: ExecStream
    private var listeners: [UUID: AsyncStream<EnvdProcessEvent>.Continuation] = [:]
    private var ended = false

    /// A listener this far behind loses output rather than hold the process up or fill memory.
    static let listenerBufferEvents = 4_096

    init(pid: UInt32, config: Envd.ProcessConfig, tag: String?, isTerminal: Bool, stream: ExecStream) {
        self.pid = pid
        self.config = config
        self.tag = tag
        self.isTerminal = isTerminal
        self.stream = stream
    }

    /// The process's events from now on, ending with its end.
    func listen() -> (id: UUID, events: AsyncStream<EnvdProcessEvent>) {
        let (events, continuation) = AsyncStream<EnvdProcessEvent>.makeStream(bufferingPolicy: .bufferingOldest(Self.listenerBufferEvents))
        let id = UUID()
        if ended {
            continuation.finish()
        } else {
            listeners[id] = continuation
        }
        return (id, events)
    }

    func stopListening(_ id: UUID) {
        listeners.removeValue(forKey: id)?.finish()
    }

    /// Forwards the output to the listeners until the process ends, then its end.
    func pump() async {
        let terminal = isTerminal
        let event: EnvdProcessEvent
        do {
            let result = try await stream.forwardOutput { channel, bytes in
                await self.broadcast(.data(channel, bytes, terminal: terminal))
            }
            event = .end(result, error: nil)
        } catch {
            event = .end(nil, error: (error as? DomainError)?.message ?? "The process's agent went away.")
        }
        broadcast(event)
        ended = true
        for listener in listeners.values { listener.finish() }
        listeners = [:]
    }

    private func broadcast(_ event: EnvdProcessEvent) {
        for listener in listeners.values { listener.yield(event) }
    }

    func write(_ bytes: [UInt8]) async throws { try await stream.write(bytes) }
    func closeInput() async throws { try await stream.endInput() }
    func resize(_ size: TerminalSize) async { await stream.resize(size) }
    func kill() async { await stream.cancel() }
}
