import Foundation
import GlobalStacksAgentProtocol
import GlobalStacksDomain
import HummingbirdWebSocket
import NIOCore
import Synchronization

/// The data-plane commands under way on agents connected to this process: unlike session commands they are not
/// stored; each is sent once on the agent's connection while its client waits, and what the agent sends back for
/// it (stream frames, credit, the result) goes to that client only. A connection that ends ends its commands.
final class LiveCommands: Sendable {
    /// What the agent sent for one command.
    enum Event: Sendable {
        case frame(StreamFrame)
        case credit(Int)
        case finished(Result<CompleteMessage, FailedMessage>)
        /// The agent's connection ended before the command did.
        case disconnected
    }

    private struct Entry {
        let agentID: AgentID
        let connectionID: String
        let events: AsyncStream<Event>.Continuation
    }

    private let connections: AgentConnections
    private let entries = Mutex<[String: Entry]>([:])

    init(connections: AgentConnections) {
        self.connections = connections
    }

    /// Sends the command to the agent's connection here; nil when the agent has no connection to this process.
    func start(_ body: CommandBody, agent: AgentID) async throws -> LiveCommand? {
        let id = "live-\(UUID().uuidString.lowercased())"
        // Events are bounded by the agent's credit: at most a window of frames is ever buffered here.
        let (events, continuation) = AsyncStream<Event>.makeStream()
        let message = String(decoding: try AgentProtocol.encode(ControlMessage.command(try CommandMessage(commandId: id, body: body))), as: UTF8.self)
        // Registered before it is sent: the agent may answer before the write returns.
        entries.withLock { $0[id] = Entry(agentID: agent, connectionID: "", events: continuation) }
        guard let connectionID = try await connections.write(.text(message), to: agent) else {
            remove(id)
            return nil
        }
        let stillLive = entries.withLock { entries -> Bool in
            guard let entry = entries[id] else { return false }
            entries[id] = Entry(agentID: agent, connectionID: connectionID, events: entry.events)
            return true
        }
        if !stillLive { continuation.yield(.disconnected) }
        return LiveCommand(id: id, agentID: agent, events: events, registry: self)
    }

    /// Hands an agent's report to the command's client; false when the id is not a live command here.
    func deliver(_ event: Event, commandID: String) -> Bool {
        guard let entry = entries.withLock({ $0[commandID] }) else { return false }
        entry.events.yield(event)
        if case .finished = event { remove(commandID) }
        return true
    }

    func isLive(_ commandID: String) -> Bool {
        entries.withLock { $0[commandID] != nil }
    }

    /// The agent's connection ended: its commands end for their clients.
    func connectionEnded(agent: AgentID, connectionID: String) {
        let ended = entries.withLock { entries -> [Entry] in
            let ids = entries.filter { $0.value.agentID == agent && ($0.value.connectionID == connectionID || $0.value.connectionID.isEmpty) }.map(\.key)
            return ids.compactMap { entries.removeValue(forKey: $0) }
        }
        for entry in ended {
            entry.events.yield(.disconnected)
            entry.events.finish()
        }
    }

    fileprivate func remove(_ id: String) {
        entries.withLock { $0.removeValue(forKey: id) }?.events.finish()
    }

    fileprivate func send(_ message: ControlMessage, to agent: AgentID) async throws -> Bool {
        try await connections.send(message, to: agent)
    }

    fileprivate func send(_ frame: StreamFrame, to agent: AgentID) async throws -> Bool {
        try await connections.write(.binary(ByteBuffer(bytes: frame.encoded())), to: agent) != nil
    }
}

/// One data-plane command from the client's side: the agent's events, credit to give back, frames to send (within
/// the agent's credit), and cancellation when the client goes away.
final class LiveCommand: Sendable {
    let id: String
    let agentID: AgentID
    let events: AsyncStream<LiveCommands.Event>
    private let registry: LiveCommands
    /// Credit the agent gave for frames sent to it.
    private let sendWindow = Mutex<(available: Int, waiter: CheckedContinuation<Void, any Error>?, closed: Bool)>(
        (StreamFrame.initialWindowBytes, nil, false)
    )

    fileprivate init(id: String, agentID: AgentID, events: AsyncStream<LiveCommands.Event>, registry: LiveCommands) {
        self.id = id
        self.agentID = agentID
        self.events = events
        self.registry = registry
    }

    /// Gives the agent credit for `bytes` more (after they were passed on to the client).
    func grant(_ bytes: Int) async {
        guard bytes > 0 else { return }
        _ = try? await registry.send(.credit(CreditMessage(commandId: id, bytes: bytes)), to: agentID)
    }

    /// Credit the agent gave back for frames it consumed (from a `.credit` event).
    func credited(_ bytes: Int) {
        let waiter = sendWindow.withLock { window -> CheckedContinuation<Void, any Error>? in
            window.available += bytes
            defer { window.waiter = nil }
            return window.available > 0 ? window.waiter : nil
        }
        waiter?.resume()
    }

    /// Sends one frame to the agent, waiting for credit first; only one sender at a time.
    func send(_ frame: StreamFrame) async throws {
        while true {
            let ready = try sendWindow.withLock { window -> Bool in
                if window.closed { throw CancellationError() }
                guard window.available >= frame.data.count else { return false }
                window.available -= frame.data.count
                return true
            }
            if ready { break }
            try await withCheckedThrowingContinuation { continuation in
                let resumeNow = sendWindow.withLock { window -> Bool in
                    if window.closed || window.available >= frame.data.count { return true }
                    window.waiter = continuation
                    return false
                }
                if resumeNow { continuation.resume() }
            }
        }
        guard try await registry.send(frame, to: agentID) else { throw DomainError.unavailable("The sandbox's agent disconnected.") }
    }

    /// Ends waiting sends (the command finished or failed).
    func closeSending() {
        let waiter = sendWindow.withLock { window -> CheckedContinuation<Void, any Error>? in
            window.closed = true
            defer { window.waiter = nil }
            return window.waiter
        }
        waiter?.resume()
    }

    /// A terminal exec's window changed size.
    func resize(_ size: TerminalSize) async {
        _ = try? await registry.send(.resize(ResizeMessage(commandId: id, size: size)), to: agentID)
    }

    /// The client went away or gave up: the agent stops the command (kills its process, drops a partial file).
    func cancel() async {
        closeSending()
        guard registry.isLive(id) else { return }
        registry.remove(id)
        _ = try? await registry.send(.cancel(CancelMessage(commandId: id)), to: agentID)
    }
}
