import GlobalStacksAgentProtocol
import GlobalStacksDomain
import GlobalStacksUseCases

/// A streaming exec's command on the agent's connection.
extension LiveCommand: InteractiveExec {
    func forwardOutput(to deliver: @Sendable (ExecOutputChannel, [UInt8]) async throws -> Void) async throws -> ExecResult {
        for await event in events {
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
