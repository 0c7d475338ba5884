import GlobalStacksAgentProtocol
import GlobalStacksDomain
import GlobalStacksUseCases

/// A streaming exec's command on the agent's connection.
extension LiveCommand: InteractiveExec {
    func forwardOutput(to deliver: @Sendable (ExecOutputChannel, [UInt8]) async throws -> Void) async throws -> ExecResult {
        var events = self.events.makeAsyncIterator()
        return try await forwardOutput(from: &events, to: deliver)
    }

    /// `forwardOutput` from where `events` stands (a caller that waited for the command's first frame goes on with
    /// the same iterator: a stream's second iterator would end it).
    func forwardOutput(
        from events: inout AsyncStream<LiveCommands.Event>.Iterator, to deliver: @Sendable (ExecOutputChannel, [UInt8]) async throws -> Void
    ) async throws -> ExecResult {
        while let event = await events.next() {
            switch event {
            case .frame(let frame):
                guard !frame.data.isEmpty else { continue }
                try await deliver(frame.channel == .stderr ? .stderr : .stdout, frame.data)
                await grant(frame.data.count)
            case .credit(let bytes):
                credited(bytes)
            case .finished(let outcome):
                closeSending()
                return try WorkspaceChannel.result(outcome, as: ExecResult.self)
            case .disconnected:
                closeSending()
                throw WorkspaceChannel.disconnected
            }
        }
        throw WorkspaceChannel.disconnected
    }

    func write(_ stdin: [UInt8]) async throws {
        var offset = 0
        while offset < stdin.count {
            let end = min(offset + StreamFrame.maximumDataBytes, stdin.count)
            try await send(StreamFrame(commandId: id, channel: .stdin, data: Array(stdin[offset..<end])))
            offset = end
        }
    }

    func endInput() async throws {
        try await send(StreamFrame(commandId: id, channel: .stdin, data: [], isEnd: true))
    }
}

/// A command whose first (empty) frame, saying it is under way, was awaited before it was handed on: a directory
/// watch in place. Its output is forwarded by one caller, once.
final class OpenedCommand: InteractiveExec, @unchecked Sendable {
    private let command: LiveCommand
    private var events: AsyncStream<LiveCommands.Event>.Iterator

    /// Waits (at most `WorkspaceChannel.answerTimeout`) for the command's first frame; throws its refusal.
    static func awaitingOpened(_ command: LiveCommand) async throws -> OpenedCommand {
        let opened = OpenedCommand(command)
        try await WorkspaceChannel.within(WorkspaceChannel.answerTimeout, command) {
            try await opened.awaitFirstFrame()
        }
        return opened
    }

    private init(_ command: LiveCommand) {
        self.command = command
        self.events = command.events.makeAsyncIterator()
    }

    private func awaitFirstFrame() async throws {
        while let event = await events.next() {
            switch event {
            case .frame: return
            case .credit(let bytes): command.credited(bytes)
            case .finished(let outcome):
                _ = try WorkspaceChannel.result(outcome, as: ExecResult.self)
                throw WorkspaceChannel.disconnected
            case .disconnected: throw WorkspaceChannel.disconnected
            }
        }
        throw WorkspaceChannel.disconnected
    }

    func forwardOutput(to deliver: @Sendable (ExecOutputChannel, [UInt8]) async throws -> Void) async throws -> ExecResult {
        try await command.forwardOutput(from: &events, to: deliver)
    }

    func write(_ stdin: [UInt8]) async throws { try await command.write(stdin) }
    func endInput() async throws { try await command.endInput() }
    func resize(_ size: TerminalSize) async { await command.resize(size) }
    func cancel() async { await command.cancel() }
}
