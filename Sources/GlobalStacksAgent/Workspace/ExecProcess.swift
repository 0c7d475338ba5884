import CGlobalStacksSystem
import Dispatch
import Foundation
import GlobalStacksAgentProtocol
import GlobalStacksDomain
import Synchronization

/// One process started by `exec`: its stdout and stderr go out as stream frames within the command's credit, cut
/// at the output limit; its stdin comes from the payload or from stream frames; the timeout and a cancelled
/// command kill its whole process group.
enum ExecProcess {
    /// Output chunks read but not yet sent, per process: reading waits beyond this, so memory stays bounded.
    static let chunksInFlight = 8
    /// How long output is still read after the process ended (a background child may keep the pipes open).
    static let drainAfterExit: Duration = .milliseconds(200)

    /// With `terminal` (a pseudo-terminal pair: the caller keeps the primary end, this takes the replica end), the
    /// process's stdin, stdout and stderr are the replica end, and its output and input go through the primary end
    /// on the `stdout` channel.
    static func run(
        _ argv: [String], _ payload: ExecPayload, commandID: String, window: CreditWindow, input: AsyncStream<StreamFrame>?,
        terminal: (primary: Int32, replica: Int32)? = nil, sink: any AgentMessageSink
    ) async throws(DriverError) -> ExecResult {
        let stdin: (read: Int32, write: Int32)
        let stdout: (read: Int32, write: Int32)
        let stderr: (read: Int32, write: Int32)?
        if let terminal {
            do {
                stdin = (terminal.replica, try duplicate(terminal.primary))
                stdout = (try duplicate(terminal.primary), -1)
            } catch {
                close(terminal.replica)
                throw error
            }
            stderr = nil
        } else {
            stdin = try pipe()
            stdout = try pipe()
            stderr = try pipe()
        }
        let childEnds = terminal.map { [$0.replica] } ?? [stdin.read, stdout.write, stderr!.write]
        let started = ContinuousClock.now
        let pid: pid_t
        do {
            pid = try ProcessSpawn.spawn(argv, standard: terminal.map { [(0, .descriptor($0.replica)), (1, .descriptor($0.replica)), (2, .descriptor($0.replica))] }
                ?? [(0, .descriptor(stdin.read)), (1, .descriptor(stdout.write)), (2, .descriptor(stderr!.write))])
        } catch {
            for fd in [stdin.write, stdout.read, stderr?.read ?? -1] + childEnds where fd >= 0 { close(fd) }
            throw error
        }
        // The child ends are the process's now (the terminal's primary reads end of file once it closes them).
        for fd in childEnds { close(fd) }

        // Reaped only after the timer and the cancellation handler can no longer signal its group.
        let exit = Task {
            await withCheckedContinuation { continuation in
                ProcessSpawn.waitUnreaped(for: pid) { continuation.resume(returning: ($0, $1)) }
            }
        }
        let stopReading = StopSignal()
        let (chunks, chunkSink) = AsyncStream<(StreamFrame.Channel, [UInt8]?)>.makeStream()
        let inFlight = DispatchSemaphore(value: chunksInFlight)
        let readers = [(StreamFrame.Channel.stdout, stdout.read)] + (stderr.map { [(StreamFrame.Channel.stderr, $0.read)] } ?? [])
        for (channel, fd) in readers {
            readOnThread(fd, channel: channel, into: chunkSink, inFlight: inFlight, stop: stopReading)
        }
        let feeder = Task { await feed(stdin.write, payload: payload, input: input, commandID: commandID, sink: sink) }
        let timedOut = StopSignal()
        // The process group of the entering chain, and on a terminal the command's own session too (setsid put it
        // in one), so a timeout or a cancelled command kills what the command started.
        let terminalPrimary = terminal?.primary
        let killAll: @Sendable () -> Void = {
            if let terminalPrimary {
                let session = gstacks_terminal_session(terminalPrimary)
                if session > 0 { kill(-session, SIGKILL) }
            }
            kill(-pid, SIGKILL)
        }
        let timer = Task {
            try await Task.sleep(for: .seconds(payload.timeoutSeconds))
            timedOut.set()
            killAll()
        }
        let drain = Task {
            _ = await exit.value
            try? await Task.sleep(for: drainAfterExit)
            stopReading.set()
        }

        var remaining: [StreamFrame.Channel: Int] = [.stdout: payload.outputLimitBytes, .stderr: payload.outputLimitBytes]
        var truncated: Set<StreamFrame.Channel> = []
        var open = readers.count
        var sending = true
        let status = await withTaskCancellationHandler {
            for await (channel, bytes) in chunks {
                guard let bytes else {
                    open -= 1
                    if open == 0 { break }
                    continue
                }
                defer { inFlight.signal() }
                let allowed = remaining[channel, default: 0]
                let kept = bytes.prefix(allowed)
                if kept.count < bytes.count { truncated.insert(channel) }
                remaining[channel] = allowed - kept.count
                guard sending, !kept.isEmpty else { continue }
                do {
                    try await window.spend(kept.count)
                    await sink.send(StreamFrame(commandId: commandID, channel: channel, data: Array(kept)))
                } catch {
                    // Cancelled: keep reading (so the reading threads end) but send nothing more.
                    sending = false
                }
            }
            return await exit.value.0
        } onCancel: {
            // The stream of chunks ends for a cancelled task: the readers stop too (they hold their permits no more).
            stopReading.set()
            killAll()
        }
        timer.cancel()
        _ = await timer.result
        await exit.value.1.reap()
        drain.cancel()
        feeder.cancel()
        if sending {
            for channel in [StreamFrame.Channel.stdout, .stderr] {
                await sink.send(StreamFrame(commandId: commandID, channel: channel, data: [], isEnd: true))
            }
        }
        let elapsed = ContinuousClock.now - started
        return ExecResult(
            exitCode: ProcessSpawn.exitCode(status), signal: ProcessSpawn.terminatingSignal(status).map(ProcessSpawn.signalName),
            timedOut: timedOut.isSet, stdoutTruncated: truncated.contains(.stdout), stderrTruncated: truncated.contains(.stderr),
            durationMilliseconds: Int(elapsed.components.seconds * 1_000 + elapsed.components.attoseconds / 1_000_000_000_000_000)
        )
    }

    private static func duplicate(_ fd: Int32) throws(DriverError) -> Int32 {
        let copy = fcntl(fd, F_DUPFD_CLOEXEC, 0)
        guard copy >= 0 else { throw DriverError("Could not duplicate a descriptor: \(String(cString: strerror(errno))).") }
        return copy
    }

    static func pipe() throws(DriverError) -> (read: Int32, write: Int32) {
        var fds: [Int32] = [0, 0]
        guard gstacks_pipe_cloexec(&fds) == 0 else { throw DriverError("Could not create a pipe: \(String(cString: strerror(errno))).") }
        return (fds[0], fds[1])
    }

    /// Reads one pipe on a small thread of its own until end of file or `stop`, then closes it.
    private static func readOnThread(
        _ fd: Int32, channel: StreamFrame.Channel, into sink: AsyncStream<(StreamFrame.Channel, [UInt8]?)>.Continuation,
        inFlight: DispatchSemaphore, stop: StopSignal
    ) {
        let reader = Thread {
            var buffer = [UInt8](repeating: 0, count: StreamFrame.maximumDataBytes)
            var poller = pollfd(fd: fd, events: Int16(POLLIN), revents: 0)
            reading: while !stop.isSet {
                let ready = poll(&poller, 1, 50)
                if ready < 0 && errno != EINTR { break }
                guard ready > 0 else { continue }
                let count = buffer.withUnsafeMutableBytes { read(fd, $0.baseAddress, $0.count) }
                if count < 0 && (errno == EINTR || errno == EAGAIN) { continue }
                guard count > 0 else { break }
                // A permit, looking at `stop` while waiting for one.
                while inFlight.wait(timeout: .now() + .milliseconds(50)) == .timedOut {
                    if stop.isSet { break reading }
                }
                if case .terminated = sink.yield((channel, Array(buffer[0..<count]))) {
                    inFlight.signal()
                    break
                }
            }
            close(fd)
            sink.yield((channel, nil))
        }
        reader.stackSize = 128 << 10
        reader.start()
    }

    /// Writes the process's stdin: the payload's text, or the stream frames the control plane sends (giving credit
    /// back as they are written), then closes it. The pipe is non-blocking, so a process that reads nothing
    /// holds no thread.
    private static func feed(_ fd: Int32, payload: ExecPayload, input: AsyncStream<StreamFrame>?, commandID: String, sink: any AgentMessageSink) async {
        defer { close(fd) }
        _ = fcntl(fd, F_SETFL, fcntl(fd, F_GETFL) | O_NONBLOCK)
        if let text = payload.stdin {
            _ = await write(fd, Array(text.utf8))
        }
        guard payload.streamStdin == true, let input else { return }
        var ungranted = 0
        for await frame in input where frame.channel == .stdin {
            guard await write(fd, frame.data) else { return }
            ungranted += frame.data.count
            if ungranted >= StreamFrame.creditBatchBytes {
                await sink.send(.credit(CreditMessage(commandId: commandID, bytes: ungranted)))
                ungranted = 0
            }
            if frame.isEnd { return }
        }
    }

    /// False when the process closed its stdin (or the command was cancelled).
    private static func write(_ fd: Int32, _ bytes: [UInt8]) async -> Bool {
        var offset = 0
        while offset < bytes.count {
            let written = bytes.withUnsafeBytes { Glibc.write(fd, $0.baseAddress! + offset, bytes.count - offset) }
            if written >= 0 {
                offset += written
            } else if errno == EAGAIN || errno == EINTR {
                guard (try? await Task.sleep(for: .milliseconds(5))) != nil else { return false }
            } else {
                return false
            }
        }
        return true
    }
}

/// Set once, read from any thread.
final class StopSignal: Sendable {
    private let value = Atomic<Bool>(false)

    func set() { value.store(true, ordering: .releasing) }
    var isSet: Bool { value.load(ordering: .acquiring) }
}
