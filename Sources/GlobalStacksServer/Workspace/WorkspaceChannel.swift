import Foundation
import GlobalStacksAgentProtocol
import GlobalStacksDomain

/// Work inside a running sandbox through its agent's connection: exec, files and output (`WorkspaceService`'s
/// transport, called once access and the sandbox's state are decided). A sandbox whose agent is not connected to
/// this process is a 503.
struct WorkspaceChannel: Sendable {
    let live: LiveCommands
    /// How long a command without streams may take to answer.
    static let answerTimeout: Duration = .seconds(30)
    /// How much of a refused upload's body is still read (and dropped) so that its connection stays usable.
    static let drainLimit = 8 << 20

    func start(_ body: CommandBody, on sandbox: Sandbox) async throws -> LiveCommand {
        guard let command = try await live.start(body, agent: sandbox.agentID) else {
            throw DomainError.unavailable("The agent running sandbox \(sandbox.id) is not connected to this server now; try again in a moment.")
        }
        return command
    }

    /// A command with a typed result and no stream.
    func call<Result: Decodable & Sendable>(_ body: CommandBody, on sandbox: Sandbox, as type: Result.Type) async throws -> Result {
        let command = try await start(body, on: sandbox)
        return try await Self.within(Self.answerTimeout, command) {
            for await event in command.events {
                switch event {
                case .finished(let outcome): return try Self.result(outcome, as: Result.self)
                case .disconnected: throw Self.disconnected
                case .frame, .credit: continue
                }
            }
            throw Self.disconnected
        }
    }

    /// Runs a command and collects its output (bounded by the payload's output limit, enforced by the agent).
    func exec(_ payload: ExecPayload, on sandbox: Sandbox) async throws -> (result: ExecResult, stdout: [UInt8], stderr: [UInt8]) {
        let command = try await start(.exec(payload), on: sandbox)
        return try await Self.within(.seconds(payload.timeoutSeconds) + Self.answerTimeout, command) {
            var stdout: [UInt8] = []
            var stderr: [UInt8] = []
            for await event in command.events {
                switch event {
                case .frame(let frame):
                    // The agent cuts output at the limit; what it sends beyond is dropped, not buffered.
                    if frame.channel == .stderr {
                        stderr += frame.data.prefix(max(0, payload.outputLimitBytes - stderr.count))
                    } else {
                        stdout += frame.data.prefix(max(0, payload.outputLimitBytes - stdout.count))
                    }
                    await command.grant(frame.data.count)
                case .finished(let outcome):
                    return (try Self.result(outcome, as: ExecResult.self), stdout, stderr)
                case .disconnected:
                    throw Self.disconnected
                case .credit:
                    continue
                }
            }
            throw Self.disconnected
        }
    }

    /// A stream of the command's data frames for a response body; the first frame (or the refusal) is awaited
    /// before it returns, so a missing file is a 404, not a broken 200. Credit goes back as the client reads, so
    /// a slow client slows the agent's reading, and a client that goes away cancels the command.
    func stream(_ body: CommandBody, on sandbox: Sandbox) async throws -> FrameSequence {
        let command = try await start(body, on: sandbox)
        let reader = FrameReader(command)
        let first = try await Self.within(Self.answerTimeout, command) { try await reader.next(acceptingOpened: true) }
        return FrameSequence(reader: reader, first: first)
    }

    /// Sends a request body as a file, within the agent's credit, and waits for the agent to commit it.
    func upload<Bytes: AsyncSequence & Sendable>(
        _ payload: WriteFilePayload, from body: Bytes, on sandbox: Sandbox
    ) async throws -> FileEntry where Bytes.Element == ArraySlice<UInt8> {
        let command = try await start(.writeFile(payload), on: sandbox)
        return try await withThrowingTaskGroup(of: FileEntry?.self) { group in
            group.addTask {
                for await event in command.events {
                    switch event {
                    case .credit(let bytes): command.credited(bytes)
                    case .finished(let outcome):
                        command.closeSending()
                        return try Self.result(outcome, as: FileEntry.self)
                    case .disconnected:
                        command.closeSending()
                        throw Self.disconnected
                    case .frame: continue
                    }
                }
                throw Self.disconnected
            }
            group.addTask {
                var sending = true
                var discarded = 0
                for try await chunk in body {
                    guard sending else {
                        // The agent refused: read on a little, so the client gets the answer on a connection it can
                        // use again; a large rest is left unread (the connection closes).
                        discarded += chunk.count
                        if discarded > Self.drainLimit { break }
                        continue
                    }
                    do {
                        var offset = chunk.startIndex
                        while offset < chunk.endIndex {
                            let end = min(offset + StreamFrame.maximumDataBytes, chunk.endIndex)
                            try await command.send(StreamFrame(commandId: command.id, channel: .file, data: Array(chunk[offset..<end])))
                            offset = end
                        }
                    } catch {
                        sending = false
                    }
                }
                if sending { try? await command.send(StreamFrame(commandId: command.id, channel: .file, data: [], isEnd: true)) }
                return nil
            }
            // Both tasks end: the sender once the agent answered (its sends are refused then).
            var entry: FileEntry?
            var failure: (any Error)?
            while true {
                do {
                    guard let next = try await group.next() else { break }
                    if let next { entry = next }
                } catch {
                    if failure == nil {
                        failure = error
                        await command.cancel()
                    }
                }
            }
            if let failure { throw failure }
            guard let entry else { throw Self.disconnected }
            return entry
        }
    }

    // MARK: Steps

    static let disconnected = DomainError.unavailable("The sandbox's agent disconnected before it answered; try again.")

    static func result<Result: Decodable>(_ outcome: Swift.Result<CompleteMessage, FailedMessage>, as type: Result.Type) throws -> Result {
        switch outcome {
        case .success(let complete):
            do {
                return try complete.decodeResult(Result.self)
            } catch {
                throw DomainError.unavailable("The sandbox's agent answered in a form this server does not read (\(error.description)); is it a different version?")
            }
        case .failure(let failed):
            let message = String(failed.error.prefix(1_000))
            switch failed.kind {
            case .notFound?: throw DomainError.notFound(message)
            case .invalidInput?: throw DomainError.invalidInput(message)
            case .conflict?: throw DomainError.conflict(message)
            case .tooLarge?: throw DomainError.tooLarge(message)
            case nil: throw DomainError.conflict("The sandbox's agent could not do it: \(message)")
            }
        }
    }

    /// Runs `work`, cancelling the command when it takes longer than `limit` or the calling task is cancelled.
    static func within<Value: Sendable>(_ limit: Duration, _ command: LiveCommand, _ work: @escaping @Sendable () async throws -> Value) async throws -> Value {
        try await withThrowingTaskGroup(of: Value?.self) { group in
            group.addTask { try await work() }
            group.addTask {
                try await Task.sleep(for: limit)
                return nil
            }
            defer { group.cancelAll() }
            do {
                if let value = try await group.next() ?? nil { return value }
            } catch {
                await command.cancel()
                throw error
            }
            await command.cancel()
            throw DomainError.unavailable("The sandbox's agent did not answer within \(limit); the command was stopped.")
        }
    }
}

/// Reads one command's data frames in order, giving credit back for each chunk once the next one is asked for
/// (that is, once the client has taken it). Used by one reader at a time.
final class FrameReader: @unchecked Sendable {
    private let command: LiveCommand
    private var iterator: AsyncStream<LiveCommands.Event>.Iterator
    private var unacknowledged = 0
    private var done = false

    init(_ command: LiveCommand) {
        self.command = command
        self.iterator = command.events.makeAsyncIterator()
    }

    /// The next chunk of data, nil at the end; throws the agent's refusal. With `acceptingOpened`, the agent's
    /// empty frame saying the stream is open (a quiet output being followed) returns an empty chunk.
    func next(acceptingOpened: Bool = false) async throws -> ArraySlice<UInt8>? {
        if unacknowledged > 0 {
            await command.grant(unacknowledged)
            unacknowledged = 0
        }
        while !done, let event = await iterator.next() {
            switch event {
            case .frame(let frame):
                guard !frame.data.isEmpty else {
                    if acceptingOpened && !frame.isEnd { return [] }
                    continue
                }
                unacknowledged = frame.data.count
                return frame.data[...]
            case .finished(let outcome):
                done = true
                _ = try WorkspaceChannel.result(outcome, as: FileTransferResult.self)
                return nil
            case .disconnected:
                done = true
                throw WorkspaceChannel.disconnected
            case .credit:
                continue
            }
        }
        return nil
    }

    deinit {
        // The client went away before the end: the agent stops reading.
        if !done {
            let command = self.command
            Task { await command.cancel() }
        }
    }
}

/// A response body over a `FrameReader`, starting with the chunk read before the response began.
struct FrameSequence: AsyncSequence, Sendable {
    typealias Element = ArraySlice<UInt8>
    let reader: FrameReader
    let first: ArraySlice<UInt8>?

    struct AsyncIterator: AsyncIteratorProtocol {
        let reader: FrameReader
        var first: ArraySlice<UInt8>?
        var started = false

        mutating func next() async throws -> ArraySlice<UInt8>? {
            if !started {
                started = true
                guard let first else { return nil }
                if !first.isEmpty { return first }
            }
            return try await reader.next()
        }
    }

    func makeAsyncIterator() -> AsyncIterator {
        AsyncIterator(reader: reader, first: first)
    }
}
