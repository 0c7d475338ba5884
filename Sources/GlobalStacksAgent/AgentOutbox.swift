import Foundation
import GlobalStacksAgentProtocol
import GlobalStacksDomain
import HummingbirdWSClient
import Logging
import NIOCore
import NIOWebSocket
import Synchronization

/// Where the agent's messages to the control plane go.
public protocol AgentMessageSink: Sendable {
    func send(_ message: AgentMessage) async
    /// A workspace command's stream frame (a binary WebSocket frame).
    func send(_ frame: StreamFrame) async
}

/// Messages to the control plane go out on whichever connection is open now. Nothing is queued while
/// disconnected: command results are kept by the `CommandExecutor` and sent again when the command is delivered
/// again, and ended sandboxes are reported again on every connect (the control plane ignores a repeated report).
final class AgentOutbox: AgentMessageSink {
    private let writer = Mutex<WebSocketOutboundWriter?>(nil)
    /// The last report of each sandbox whose process ended, oldest first, bounded.
    private let ended = Mutex<[(String, StatusMessage)]>([])
    private let logger: Logger
    static let endedReportsKept = 1_000

    init(logger: Logger) {
        self.logger = logger
    }

    /// A connection opened: use it, and report every ended sandbox again.
    func connected(_ outbound: WebSocketOutboundWriter) async {
        writer.withLock { $0 = outbound }
        for (_, report) in ended.withLock({ $0 }) {
            await send(.status(report))
        }
    }

    func disconnected() {
        writer.withLock { $0 = nil }
    }

    /// Sends when connected; a failed write is logged (the connection is ending, and its loop reconnects).
    func send(_ message: AgentMessage) async {
        guard let outbound = writer.withLock({ $0 }) else { return }
        do {
            var encoded = try AgentProtocol.encode(message)
            // The control plane would drop the connection over a larger frame; the command fails instead.
            if encoded.count > AgentProtocol.maximumMessageBytes, case .complete(let complete) = message {
                logger.warning("A command's result is too large to send; reporting it failed", metadata: ["command_id": "\(complete.commandId)", "bytes": "\(encoded.count)"])
                encoded = try AgentProtocol.encode(.failed(FailedMessage(
                    commandId: complete.commandId, error: "The result (\(encoded.count) bytes) is larger than one message may be.", kind: .tooLarge
                )))
            }
            try await outbound.write(.text(String(decoding: encoded, as: UTF8.self)))
        } catch {
            logger.debug("A message to the control plane was not written", metadata: ["error": "\(error)"])
        }
    }

    func send(_ frame: StreamFrame) async {
        guard let outbound = writer.withLock({ $0 }) else { return }
        do {
            try await outbound.write(.binary(ByteBuffer(bytes: frame.encoded())))
        } catch {
            logger.debug("A stream frame to the control plane was not written", metadata: ["error": "\(error)"])
        }
    }

    /// A sandbox's process ended on its own: report it now and after every reconnect.
    func report(_ exit: SessionExit) async {
        let report = StatusMessage(
            sessionId: exit.sessionID, state: exit.succeeded ? "stopped" : "failed",
            platformMetadata: ["exitStatus": .number(Double(exit.exitStatus))].merging(
                exit.succeeded ? [:] : ["error": .string(exit.reason ?? "The sandbox's process exited with status \(exit.exitStatus).")]
            ) { first, _ in first }
        )
        ended.withLock { list in
            list.removeAll { $0.0 == exit.sessionID }
            list.append((exit.sessionID, report))
            if list.count > Self.endedReportsKept { list.removeFirst(list.count - Self.endedReportsKept) }
        }
        await send(.status(report))
    }
}
