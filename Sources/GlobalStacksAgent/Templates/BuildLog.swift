import Dispatch
import Foundation
import GlobalStacksAgentProtocol
import GlobalStacksDomain

/// A build's log as its client reads it: `stdout` stream frames of the build's command, within the command's credit
/// (a slow reader slows the build instead of filling memory). Each step's instruction is a line of its own, followed
/// by what the step's processes print (stdout and stderr together, as a terminal would show them).
struct BuildLog: Sendable {
    let commandID: String
    let window: CreditWindow
    let sink: any AgentMessageSink

    /// Bytes of a failed process's output kept for the error message.
    static let tailBytes = 2_048
    /// Chunks read but not yet sent: reading waits beyond this.
    static let chunksInFlight = 8

    func line(_ text: String) async throws {
        try await send(Array((text + "\n").utf8))
    }

    func send(_ bytes: [UInt8]) async throws {
        var offset = 0
        while offset < bytes.count {
            let chunk = Array(bytes[offset..<min(bytes.count, offset + StreamFrame.maximumDataBytes)])
            try await window.spend(chunk.count)
            await sink.send(StreamFrame(commandId: commandID, channel: .stdout, data: chunk))
            offset += chunk.count
        }
    }

    /// The log's end (the build completes or fails right after).
    func end() async {
        await sink.send(StreamFrame(commandId: commandID, channel: .stdout, data: [], isEnd: true))
    }

    /// Runs `argv` to its end with its output in the log; its exit status (the shell's convention) and the end of its
    /// output. A cancelled task kills it (its process group, and `limits`' groups when it has them). With `disk`, the
    /// directories it writes into are measured every two seconds, and a process that puts more than the limit there
    /// is killed and refused (a build must not fill the agent's disk).
    func run(_ argv: [String], limits: ResourceLimits? = nil, disk: DiskWatch? = nil) async throws -> (status: Int32, tail: String) {
        let output = try ExecProcess.pipe()
        let pid: pid_t
        do {
            pid = try ProcessSpawn.spawn(argv, standard: [(0, .path("/dev/null", flags: O_RDONLY)), (1, .descriptor(output.write)), (2, .sameAs(1))])
        } catch {
            close(output.read)
            close(output.write)
            throw error
        }
        close(output.write)
        let stop = StopSignal()
        let (chunks, chunkSink) = AsyncStream<[UInt8]>.makeStream()
        let inFlight = DispatchSemaphore(value: Self.chunksInFlight)
        Self.read(output.read, into: chunkSink, inFlight: inFlight, stop: stop)
        // Reaped only once nothing can signal its group any more.
        let exit = Task {
            await withCheckedContinuation { continuation in ProcessSpawn.waitUnreaped(for: pid) { continuation.resume(returning: ($0, $1)) } }
        }
        let killAll: @Sendable () -> Void = {
            if limits?.signalAll(SIGKILL) != true { kill(-pid, SIGKILL) }
        }
        let overDisk = StopSignal()
        let watch = disk.map { disk in
            Task.detached(priority: .utility) {
                while !stop.isSet {
                    try? await Task.sleep(for: DiskWatch.interval)
                    guard !stop.isSet, case .within = DiskUsage.measure(disk.directories, limit: disk.limit) else {
                        if !stop.isSet {
                            overDisk.set()
                            killAll()
                        }
                        return
                    }
                }
            }
        }
        var tail: [UInt8] = []
        var failure: (any Error)?
        await withTaskCancellationHandler {
            for await chunk in chunks {
                defer { inFlight.signal() }
                tail = Array((tail + chunk).suffix(Self.tailBytes))
                guard failure == nil else { continue }
                do { try await send(chunk) } catch {
                    // Nobody reads the log any more: the build ends.
                    failure = error
                    killAll()
                }
            }
        } onCancel: {
            stop.set()
            killAll()
        }
        let (waitStatus, reaper) = await exit.value
        stop.set()
        watch?.cancel()
        reaper.reap()
        if let disk, overDisk.isSet {
            throw DriverError(
                "It wrote more than \(ByteQuantity(bytes: disk.limit)) (a step into the template, or the build context unpacked), the most one step may; it was stopped.",
                kind: .invalidInput
            )
        }
        let status = ProcessSpawn.exitCode(waitStatus).map(Int32.init) ?? 128 + (ProcessSpawn.terminatingSignal(waitStatus) ?? 0)
        if let failure { throw failure }
        try Task.checkCancellation()
        return (status, String(decoding: tail, as: UTF8.self))
    }

    /// Reads a pipe on a thread of its own until end of file (or `stop`), then closes it and ends the stream.
    private static func read(_ fd: Int32, into sink: AsyncStream<[UInt8]>.Continuation, inFlight: DispatchSemaphore, stop: StopSignal) {
        let reader = Thread {
            var buffer = [UInt8](repeating: 0, count: StreamFrame.maximumDataBytes)
            var poller = pollfd(fd: fd, events: Int16(POLLIN), revents: 0)
            reading: while !stop.isSet {
                let ready = poll(&poller, 1, 50)
                if ready < 0 && errno != EINTR { break }
                guard ready > 0 else { continue }
                let count = buffer.withUnsafeMutableBytes { Glibc.read(fd, $0.baseAddress, $0.count) }
                if count < 0 && (errno == EINTR || errno == EAGAIN) { continue }
                guard count > 0 else { break }
                while inFlight.wait(timeout: .now() + .milliseconds(50)) == .timedOut {
                    if stop.isSet { break reading }
                }
                if case .terminated = sink.yield(Array(buffer[0..<count])) { break }
            }
            close(fd)
            sink.finish()
        }
        reader.stackSize = 128 << 10
        reader.start()
    }
}

/// Directories a build's process writes into, and the most it may put there.
struct DiskWatch: Sendable {
    let directories: [URL]
    let limit: Int64
    static let interval: Duration = .seconds(2)

    /// What one step (or one build's context) may write: as much as one template's archive may hold.
    static func step(_ directories: URL...) -> DiskWatch {
        DiskWatch(directories: directories, limit: TemplateLimits.archiveBytes)
    }
}
