import Foundation
import GlobalStacksAgentProtocol
import GlobalStacksDomain
import HummingbirdWebSocket
import NIOCore
import Synchronization

/// The workspace commands under way on agents connected to this process: unlike session commands they are not
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
        let encoded = try AgentProtocol.encode(ControlMessage.command(try CommandMessage(commandId: id, body: body)))
        // The agent would refuse (and drop the connection over) a larger frame.
        guard encoded.count <= AgentProtocol.maximumMessageBytes - 1_024 else {
            throw DomainError.tooLarge("The request's command, environment and stdin take \(encoded.count) bytes; at most \(AgentProtocol.maximumMessageBytes - 1_024) fit in one message to the agent.")
        }
        let message = String(decoding: encoded, as: UTF8.self)
        // Registered before it is sent: the agent may answer before the write returns.
        entries.withLock { $0[id] = Entry(agentID: agent, connectionID: "", events: continuation) }
        let written: String?
        do {
            written = try await connections.write(.text(message), to: agent)
        } catch {
            remove(id)
            throw DomainError.unavailable("Writing to the sandbox's agent failed (\(error)); try again.")
        }
        guard let connectionID = written else {
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

    /// Hands an agent's report to the command's client; false when the id is not a live command of that agent here.
    func deliver(_ event: Event, commandID: String, from agent: AgentID) -> Bool {
        guard let entry = entries.withLock({ $0[commandID] }), entry.agentID == agent else { return false }
        entry.events.yield(event)
        if case .finished = event { remove(commandID) }
        return true
    }

    func isLive(_ commandID: String, of agent: AgentID? = nil) -> Bool {
        entries.withLock { entries in entries[commandID].map { agent == nil || $0.agentID == agent } ?? false }
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

/// One workspace command from the client's side: the agent's events, credit to give back, frames to send (within
/// the agent's credit), and cancellation when the client goes away.
final class LiveCommand: Sendable {
    let id: String
    let agentID: AgentID
    let events: AsyncStream<LiveCommands.Event>
    private let registry: LiveCommands
    /// Consumed bytes not yet credited back to the agent.
    private let ungranted = Mutex(0)
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

    /// Gives the agent credit for `bytes` more (after they were passed on to the client), in batches.
    func grant(_ bytes: Int) async {
        let due = ungranted.withLock { ungranted -> Int in
            ungranted += max(0, bytes)
            guard ungranted >= StreamFrame.creditBatchBytes else { return 0 }
            defer { ungranted = 0 }
            return ungranted
        }
        guard due > 0 else { return }
        _ = try? await registry.send(.credit(CreditMessage(commandId: id, bytes: due)), to: agentID)
    }

    /// Credit the agent gave back for frames it consumed (from a `.credit` event). An agent cannot give more than
    /// the window: what it sends is clamped, and nothing at all is ignored.
    func credited(_ bytes: Int) {
        guard bytes > 0 else { return }
        let waiter = sendWindow.withLock { window -> CheckedContinuation<Void, any Error>? in
            window.available = min(StreamFrame.initialWindowBytes, window.available + min(bytes, StreamFrame.initialWindowBytes))
            defer { window.waiter = nil }
            return window.waiter
        }
        waiter?.resume()
    }

    /// How long a sender waits for credit before it gives up (the agent stopped reading).
    static let creditTimeout: Duration = .seconds(60)

    /// Sends one frame to the agent, waiting for credit first (at most `creditTimeout`); only one sender at a time.
    /// A cancelled sender stops waiting.
    func send(_ frame: StreamFrame) async throws {
        let deadline = ContinuousClock.now + Self.creditTimeout
        while true {
            guard ContinuousClock.now < deadline else {
                throw DomainError.unavailable("The sandbox's agent took no data for \(Self.creditTimeout); the transfer was stopped.")
            }
            let ready = try sendWindow.withLock { window -> Bool in
                if window.closed { throw CancellationError() }
                guard window.available >= frame.data.count else { return false }
                window.available -= frame.data.count
                return true
            }
            if ready { break }
            let wake = Task { [weak self] in
                try await Task.sleep(for: .seconds(1))
                self?.nudge()
            }
            defer { wake.cancel() }
            try await withTaskCancellationHandler {
                try await withCheckedThrowingContinuation { continuation in
                    let resumeNow = sendWindow.withLock { window -> Bool in
                        if window.closed || window.available >= frame.data.count { return true }
                        window.waiter = continuation
                        return false
                    }
                    if resumeNow { continuation.resume() }
                }
            } onCancel: {
                closeSending()
            }
        }
        guard try await registry.send(frame, to: agentID) else { throw DomainError.unavailable("The sandbox's agent disconnected.") }
    }

    /// Resumes a waiting sender so that it looks at its deadline again.
    private func nudge() {
        let waiter = sendWindow.withLock { window -> CheckedContinuation<Void, any Error>? in
            defer { window.waiter = nil }
            return window.waiter
        }
        waiter?.resume()
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
