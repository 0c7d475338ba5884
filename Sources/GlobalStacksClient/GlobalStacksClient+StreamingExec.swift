import Foundation
import HTTPTypes
import HummingbirdWSClient
import NIOConcurrencyHelpers
import Logging
import NIOCore

extension GlobalStacksClient {
    /// What a streaming exec is sent after it starts.
    public enum StreamInput: Sendable {
        case bytes([UInt8])
        /// The terminal's new size (the process gets SIGWINCH).
        case resize(columns: Int, rows: Int)
        /// End of stdin (on a terminal, send Ctrl-D instead).
        case eof
    }

    /// How a streaming exec ended.
    public struct StreamExit: Sendable, Equatable {
        public let exitCode: Int?
        public let signal: String?
        public let timedOut: Bool
    }

    /// Runs `command` in a running sandbox over `GET /v1/sandboxes/{id}/exec/stream` (a WebSocket; docs/workspace.md):
    /// `input` goes to its stdin, its output to `output` as it comes (channel 1 stdout, 2 stderr; a terminal's is all
    /// on 1). With `terminal`, the command runs on a pseudo-terminal of that size.
    public func streamExec(
        _ sandboxID: String, command: [String], terminal: (columns: Int, rows: Int)? = nil, environment: [String: String] = [:],
        timeoutSeconds: Int = 86_400, input: AsyncStream<StreamInput>, output: @escaping @Sendable (UInt8, [UInt8]) -> Void
    ) async throws -> StreamExit {
        var components = URLComponents(url: serverURL.appendingPathComponent("v1/sandboxes/\(sandboxID)/exec/stream"), resolvingAgainstBaseURL: false)
        components?.scheme = serverURL.scheme?.lowercased() == "https" ? "wss" : "ws"
        guard let url = components?.url?.absoluteString else { throw GlobalStacksClientError(status: 0, message: "The server address \(serverURL) has no WebSocket form.") }
        var headers: HTTPFields = [:]
        switch credential {
        case .none: break
        case .bearer(let token): headers[.authorization] = "Bearer \(token)"
        case .session(let cookie): headers[.cookie] = "globalstacks_session=\(cookie)"
        }
        var start: [String: Any] = ["command": command, "timeoutSeconds": timeoutSeconds]
        if !environment.isEmpty { start["environment"] = environment }
        if let terminal { start["tty"] = ["columns": terminal.columns, "rows": terminal.rows] }
        let first = String(decoding: try JSONSerialization.data(withJSONObject: start), as: UTF8.self)
        let ending = EndingBox()
        do {
            try await WebSocketClient.connect(url: url, configuration: .init(additionalHeaders: headers), logger: Logger(label: "gstacks.exec")) { inbound, outbound, _ in
                try await outbound.write(.text(first))
                let sending = Task {
                    for await item in input {
                        switch item {
                        case .bytes(let bytes): try await outbound.write(.binary(ByteBuffer(bytes: bytes)))
                        case .resize(let columns, let rows): try await outbound.write(.text(#"{"type":"resize","columns":\#(columns),"rows":\#(rows)}"#))
                        case .eof: try await outbound.write(.text(#"{"type":"eof"}"#))
                        }
                    }
                }
                defer { sending.cancel() }
                for try await message in inbound.messages(maxSize: 1 << 20) {
                    switch message {
                    case .binary(var buffer):
                        let channel: UInt8 = buffer.readInteger() ?? 1
                        output(channel, buffer.readBytes(length: buffer.readableBytes) ?? [])
                    case .text(let text):
                        ending.set(text)
                    }
                }
            }
        } catch let error as WebSocketClientError where error == .webSocketUpgradeFailed {
            // The server answered over HTTP with the reason; ask for it the same way to show it.
            throw GlobalStacksClientError(status: 0, message: "The server refused the streaming exec (is the sandbox running, and yours to use?)")
        }
        guard let text = ending.value, let object = try? JSONSerialization.jsonObject(with: Data(text.utf8)) as? [String: Any] else {
            throw GlobalStacksClientError(status: 0, message: "The connection ended before the command did.")
        }
        if object["type"] as? String == "error" {
            throw GlobalStacksClientError(status: 0, message: object["message"] as? String ?? "The exec failed.")
        }
        return StreamExit(exitCode: object["exitCode"] as? Int, signal: object["signal"] as? String, timedOut: object["timedOut"] as? Bool ?? false)
    }
}

/// The exec's closing text frame.
private final class EndingBox: Sendable {
    private let stored = NIOLockedValueBox<String?>(nil)
    func set(_ text: String) { stored.withLockedValue { $0 = text } }
    var value: String? { stored.withLockedValue { $0 } }
}
