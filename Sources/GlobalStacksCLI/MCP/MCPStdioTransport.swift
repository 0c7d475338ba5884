import Foundation
import GlobalStacksDomain
import Logging
import MCP

/// Standard input and output as the MCP transport (the library's `StdioTransport`), which also keeps count of the
/// requests not answered yet. The library's server stops reading when standard input closes, and the process would
/// end with it, dropping the answers of requests still being handled (`printf … | gstacks mcp` would lose them);
/// `untilAnswered()` waits for them. A request the client cancels is not waited for.
actor MCPStdioTransport: Transport {
    private let stdio = StdioTransport()
    private var unanswered: Set<JSONValue> = []
    private var waiting: [CheckedContinuation<Void, Never>] = []

    nonisolated var logger: Logger { stdio.logger }

    func connect() async throws { try await stdio.connect() }

    func disconnect() async { await stdio.disconnect() }

    func send(_ data: Data) async throws {
        try await stdio.send(data)
        for message in Self.messages(data) where message["method"] == nil && (message["result"] != nil || message["error"] != nil) {
            message["id"].map { answered($0) }
        }
    }

    func receive() -> AsyncThrowingStream<Data, any Error> {
        AsyncThrowingStream { continuation in
            let reading = Task {
                do {
                    for try await data in await stdio.receive() {
                        received(data)
                        continuation.yield(data)
                    }
                    continuation.finish()
                } catch {
                    continuation.finish(throwing: error)
                }
            }
            continuation.onTermination = { _ in reading.cancel() }
        }
    }

    /// Returns once every request read so far has its answer written.
    func untilAnswered() async {
        guard !unanswered.isEmpty else { return }
        await withCheckedContinuation { waiting.append($0) }
    }

    private func received(_ data: Data) {
        for message in Self.messages(data) {
            if case .string("notifications/cancelled") = message["method"], let id = message["params"]?["requestId"] {
                answered(id)
            } else if message["method"] != nil, let id = message["id"], Self.isRequestID(id) {
                unanswered.insert(id)
            }
        }
    }

    private func answered(_ id: JSONValue) {
        unanswered.remove(id)
        guard unanswered.isEmpty else { return }
        waiting.forEach { $0.resume() }
        waiting = []
    }

    /// JSON-RPC 2.0 ids are strings and numbers; the library answers nothing else, so nothing else is waited for.
    private static func isRequestID(_ id: JSONValue) -> Bool {
        switch id {
        case .string, .number: true
        case .null, .bool, .array, .object: false
        }
    }

    /// The JSON-RPC messages in `data`: one, or a batch.
    private static func messages(_ data: Data) -> [JSONValue] {
        switch try? JSONDecoder().decode(JSONValue.self, from: data) {
        case .array(let batch): batch
        case let message?: [message]
        case nil: []
        }
    }
}
