import CGlobalStacksSystem
import Foundation
import GlobalStacksAgentProtocol
import GlobalStacksDomain
import Synchronization

/// Processes started in sandboxes without waiting (`start_process`): each runs with the sandbox's confinement
/// like an exec, its stdout and stderr go to a bounded tail kept here, and it can be listed, read and signalled
/// until it is forgotten (the oldest finished ones past `maximumKept`). They end with their sandbox (its pid
/// namespace), and are forgotten when the agent restarts.
actor BackgroundProcesses {
    static let maximumRunningPerSandbox = 32
    static let maximumKept = 1_000
    static let signals: [String: Int32] = [
        "SIGTERM": SIGTERM, "SIGKILL": SIGKILL, "SIGINT": SIGINT, "SIGHUP": SIGHUP, "SIGQUIT": SIGQUIT, "SIGUSR1": SIGUSR1, "SIGUSR2": SIGUSR2,
        "SIGSTOP": SIGSTOP, "SIGCONT": SIGCONT,
    ]

    private var processes: [String: BackgroundProcess] = [:]
    private var order: [String] = []

    func start(_ argv: [String], _ payload: ExecPayload) throws(DriverError) -> ProcessStatus {
        let session = payload.sessionId
        let running = processes.values.filter { $0.sessionID == session && $0.isRunning }.count
        guard running < Self.maximumRunningPerSandbox else {
            throw DriverError("This sandbox runs \(Self.maximumRunningPerSandbox) background processes already; signal one first.", kind: .conflict)
        }
        let process = try BackgroundProcess(argv, payload)
        processes[process.id] = process
        order.append(process.id)
        forgetOldest()
        return process.info(withTail: false)
    }

    func list(_ sessionID: String) -> [ProcessStatus] {
        order.compactMap { processes[$0] }.filter { $0.sessionID == sessionID }.map { $0.info(withTail: false) }
    }

    func info(_ reference: ProcessReference) throws(DriverError) -> ProcessStatus {
        try process(reference.sessionId, reference.processId).info(withTail: true)
    }

    func signal(_ payload: SignalProcessPayload) throws(DriverError) -> ProcessStatus {
        guard let signal = Self.signals[payload.signal] else {
            throw DriverError("Unknown signal '\(payload.signal.prefix(16))'; use one of \(Self.signals.keys.sorted().joined(separator: ", ")).", kind: .invalidInput)
        }
        let process = try process(payload.sessionId, payload.processId)
        guard process.isRunning else { throw DriverError("Process \(process.id) has ended already.", kind: .conflict) }
        process.send(signal)
        return process.info(withTail: false)
    }

    private func process(_ sessionID: String, _ processID: String) throws(DriverError) -> BackgroundProcess {
        guard let process = processes[processID], process.sessionID == sessionID else {
            throw DriverError("No process \(processID.prefix(64)) in this sandbox (it may have been forgotten: the agent keeps the last \(Self.maximumKept)).", kind: .notFound)
        }
        return process
    }

    private func forgetOldest() {
        var index = 0
        while order.count > Self.maximumKept, index < order.count {
            if processes[order[index]]?.isRunning == false {
                processes[order.remove(at: index)] = nil
            } else {
                index += 1
            }
        }
    }
}

/// One background process: its process group, the tail of its output, and how it ended.
final class BackgroundProcess: Sendable {
    private struct State {
        var tail: [UInt8] = []
        var truncated = false
        var status: Int32?
        var endedAt: Date?
    }

    let id = UUID().uuidString.lowercased()
    let sessionID: String
    let command: [String]
    let startedAt = Date()
    private let pid: pid_t
    /// Whether `pid` is the `nsenter` that entered the sandbox (the command is its child, in the sandbox's pid
    /// namespace) rather than the command itself.
    private let entered: Bool
    private let tailLimit: Int
    private let state = Mutex(State())

    init(_ argv: [String], _ payload: ExecPayload) throws(DriverError) {
        sessionID = payload.sessionId
        command = payload.command
        tailLimit = max(0, min(payload.outputLimitBytes, 1 << 20))
        entered = argv.contains("/usr/bin/nsenter")
        var output: [Int32] = [0, 0]
        guard gstacks_pipe_cloexec(&output) == 0 else { throw DriverError("Could not create a pipe: \(String(cString: strerror(errno))).") }
        var input: [Int32] = [-1, -1]
        if payload.stdin != nil, gstacks_pipe_cloexec(&input) != 0 {
            close(output[0])
            close(output[1])
            throw DriverError("Could not create a pipe: \(String(cString: strerror(errno))).")
        }
        let standardInput: ProcessSpawn.Standard = payload.stdin == nil ? .path("/dev/null", flags: O_RDONLY) : .descriptor(input[0])
        do {
            pid = try ProcessSpawn.spawn(argv, standard: [(0, standardInput), (1, .descriptor(output[1])), (2, .sameAs(1))])
        } catch {
            for fd in output + input where fd >= 0 { close(fd) }
            throw error
        }
        close(output[1])
        if input[0] >= 0 { close(input[0]) }
        if let text = payload.stdin {
            let fd = input[1]
            // Small (the API bounds it); written on a thread so a process that does not read it blocks nothing.
            Thread {
                let bytes = Array(text.utf8)
                var offset = 0
                while offset < bytes.count {
                    let written = bytes.withUnsafeBytes { write(fd, $0.baseAddress! + offset, bytes.count - offset) }
                    if written < 0 && errno == EINTR { continue }
                    guard written > 0 else { break }
                    offset += written
                }
                close(fd)
            }.start()
        }
        let reader = Thread { [self, fd = output[0]] in
            var buffer = [UInt8](repeating: 0, count: 16 << 10)
            while true {
                let count = buffer.withUnsafeMutableBytes { read(fd, $0.baseAddress, $0.count) }
                if count < 0 && errno == EINTR { continue }
                guard count > 0 else { break }
                self.keep(buffer[0..<count])
            }
            close(fd)
        }
        reader.stackSize = 64 << 10
        reader.start()
        let pid = self.pid
        // Signals are sent under the lock while no status is set, and the process is reaped only after the status
        // is: so no signal reaches a process that took its pid later.
        ProcessSpawn.waitUnreaped(for: pid) { [self] status, reaper in
            self.state.withLock { state in
                state.status = status
                state.endedAt = Date()
            }
            reaper.reap()
        }
        if payload.timeoutSeconds > 0 {
            let timeout = payload.timeoutSeconds
            Task { [weak self] in
                try await Task.sleep(for: .seconds(timeout))
                self?.whileRunning { kill(-pid, SIGKILL) }
            }
        }
    }

    private func whileRunning(_ body: () -> Void) {
        state.withLock { state in
            if state.status == nil { body() }
        }
    }

    var isRunning: Bool { state.withLock { $0.status == nil } }

    private func keep(_ output: ArraySlice<UInt8>) {
        state.withLock { state in
            state.tail += output
            if state.tail.count > tailLimit {
                state.tail.removeFirst(state.tail.count - tailLimit)
                state.truncated = true
            }
        }
    }

    /// The signal goes to the command (as `kill PID` would), not to the `nsenter` waiting for it, so the exit
    /// status stays the command's own.
    func send(_ signal: Int32) {
        whileRunning {
            guard entered else {
                kill(pid, signal)
                return
            }
            let children = (try? String(contentsOfFile: "/proc/\(pid)/task/\(pid)/children", encoding: .utf8)) ?? ""
            guard let command = children.split(separator: " ").first.flatMap({ pid_t($0.trimmingCharacters(in: .whitespacesAndNewlines)) }) else {
                kill(-pid, signal)
                return
            }
            kill(command, signal)
        }
    }

    func info(withTail: Bool) -> ProcessStatus {
        state.withLock { state in
            ProcessStatus(
                processId: id, command: command, startedAt: startedAt, running: state.status == nil, exitCode: state.status.flatMap(ProcessSpawn.exitCode),
                signal: state.status.flatMap(ProcessSpawn.terminatingSignal).map(ProcessSpawn.signalName), endedAt: state.endedAt,
                outputTail: withTail ? String(decoding: state.tail, as: UTF8.self) : nil, outputTruncated: state.truncated
            )
        }
    }
}
