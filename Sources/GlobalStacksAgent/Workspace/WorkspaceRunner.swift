import CGlobalStacksSystem
import Foundation
import GlobalStacksAgentProtocol
import GlobalStacksDomain
import Logging

/// Carries out the workspace commands (exec, files, output) while the control plane's client waits. They are
/// not stored and not retried: each runs once, concurrently with the others and with the session commands, and
/// ends with `complete` or `failed`. Their bytes are stream frames within per-command credit. A `cancel`, or the
/// connection ending, stops a command (its process is killed, a half-written file removed).
public actor WorkspaceRunner {
    private struct Live {
        let sessionID: String
        let window: CreditWindow
        let input: AsyncStream<StreamFrame>.Continuation?
        let task: Task<Void, Never>
    }

    /// The primary ends of terminal execs under way, for resizing.
    private var terminals: [String: Int32] = [:]
    /// Sizes asked for before the terminal was open (the resize overtook the start): applied when it opens.
    private var earlySizes: [String: TerminalSize] = [:]

    /// Workspace commands that may run at once on this agent, and for one sandbox (so that one tenant cannot
    /// take every slot of a shared agent).
    static let maximumLive = 256
    static let maximumLivePerSandbox = 32
    /// Limits the control plane cannot raise.
    static let maximumTimeoutSeconds = 3_600.0
    static let maximumOutputLimitBytes = 64 << 20
    static let maximumTailLines = 10_000

    private let driver: any SandboxDriver
    /// Runs extensions' operations (`invoke_extension`), when this agent offers the runtime.
    private let extensions: ExtensionRunner?
    /// Builds and saves templates (`build_template`, `snapshot_session`), when this agent can.
    private let templates: TemplateBuilder?
    private let outbox: any AgentMessageSink
    private let logger: Logger
    private var live: [String: Live] = [:]
    private let background = BackgroundProcesses()

    init(driver: any SandboxDriver, extensions: ExtensionRunner?, templates: TemplateBuilder?, outbox: any AgentMessageSink, logger: Logger) {
        self.driver = driver
        self.extensions = extensions
        self.templates = templates
        self.outbox = outbox
        self.logger = logger
    }

    func start(_ id: String, _ body: CommandBody) async {
        guard live[id] == nil else { return }
        guard live.count < Self.maximumLive else {
            await outbox.send(.failed(FailedMessage(commandId: id, error: "This agent runs \(Self.maximumLive) workspace commands already; try again when one ends.", kind: .conflict)))
            return
        }
        guard live.values.filter({ $0.sessionID == body.sessionID }).count < Self.maximumLivePerSandbox else {
            await outbox.send(.failed(FailedMessage(commandId: id, error: "This sandbox has \(Self.maximumLivePerSandbox) workspace commands under way already; try again when one ends.", kind: .conflict)))
            return
        }
        let window = CreditWindow()
        let needsInput: Bool = switch body {
        case .writeFile: true
        case .exec(let payload): payload.streamStdin == true
        case .openPort: true
        default: false
        }
        let input = needsInput ? AsyncStream<StreamFrame>.makeStream() : nil
        var logger = self.logger
        logger[metadataKey: "command_id"] = "\(id)"
        logger[metadataKey: "sandbox_id"] = "\(body.sessionID)"
        let task = Task { [logger] in
            let result: AgentMessage
            do {
                result = try await self.run(id, body, window: window, input: input?.stream)
                logger.debug("Workspace command completed", metadata: ["action": "\(body.action.rawValue)"])
            } catch let error as DriverError {
                logger.info("Workspace command refused", metadata: ["action": "\(body.action.rawValue)", "reason": "\(error.description)"])
                result = .failed(FailedMessage(commandId: id, error: error.description, kind: error.kind))
            } catch {
                result = .failed(FailedMessage(commandId: id, error: "\(error)"))
            }
            await self.outbox.send(result)
            await self.finished(id)
        }
        live[id] = Live(sessionID: body.sessionID, window: window, input: input?.continuation, task: task)
    }

    func credit(_ message: CreditMessage) async {
        await live[message.commandId]?.window.grant(message.bytes)
    }

    func receive(_ frame: StreamFrame) {
        guard let input = live[frame.commandId]?.input else { return }
        input.yield(frame)
        if frame.isEnd && frame.channel != .stdin { input.finish() }
    }

    func resize(_ message: ResizeMessage) {
        guard message.size.isValid else { return }
        guard let fd = terminals[message.commandId] else {
            if live[message.commandId] != nil { earlySizes[message.commandId] = message.size }
            return
        }
        _ = gstacks_set_window_size(fd, UInt16(message.size.columns), UInt16(message.size.rows))
    }

    func cancel(_ id: String) async {
        guard let command = live[id] else { return }
        command.task.cancel()
        command.input?.finish()
        await command.window.close()
    }

    /// The connection ended: nobody waits for the commands under way any more.
    func cancelAll() async {
        for id in live.keys { await cancel(id) }
    }

    private func finished(_ id: String) {
        live[id]?.input?.finish()
        live[id] = nil
        earlySizes[id] = nil
    }

    private func run(_ id: String, _ body: CommandBody, window: CreditWindow, input: AsyncStream<StreamFrame>?) async throws -> AgentMessage {
        if case .invokeExtension(let payload) = body {
            // Not in a sandbox of the driver's: an invocation gets a fresh one of its own.
            guard let extensions else { throw DriverError("This agent does not run extensions (no extensions.runtime).", kind: .conflict) }
            return .complete(try CompleteMessage(commandId: id, typedResult: try await extensions.invoke(payload)))
        }
        if case .buildTemplate(let payload) = body {
            // Not in a sandbox of the driver's: each step gets a confinement of its own.
            guard let templates else { throw DriverError("This agent does not build templates (that needs the process driver with bubblewrap).", kind: .conflict) }
            let log = BuildLog(commandID: id, window: window, sink: outbox)
            let result: TemplateBuildResult
            do {
                result = try await templates.build(payload, log: log)
            } catch {
                if !Task.isCancelled { await log.end() }
                throw error
            }
            await log.end()
            return .complete(try CompleteMessage(commandId: id, typedResult: result))
        }
        if case .snapshotSession(let payload) = body {
            // A stopped sandbox is saved as well: no entry into a running one.
            guard let templates else { throw DriverError("This agent does not save sandboxes as templates (that needs the process driver with bubblewrap).", kind: .conflict) }
            return .complete(try CompleteMessage(commandId: id, typedResult: try await templates.snapshot(payload, driver: driver)))
        }
        if case .readOutput(let payload) = body {
            // Output stays readable while the sandbox exists: running, hibernated, stopped or failed.
            guard let workspace = await driver.workspace(payload.sessionId) else {
                throw DriverError("Sandbox \(payload.sessionId) has no directory on this host.", kind: .conflict)
            }
            let bytes = try await readOutput(id, payload, files: WorkspaceFiles(root: workspace), window: window)
            return .complete(try CompleteMessage(commandId: id, typedResult: FileTransferResult(bytes: bytes)))
        }
        let entry = try await driver.entry(body.sessionID)
        let files = WorkspaceFiles(root: entry.workspace)
        switch body {
        case .exec(let payload):
            let result = try await exec(id, payload, entry: entry, window: window, input: input)
            return .complete(try CompleteMessage(commandId: id, typedResult: result))
        case .listFiles(let payload):
            return .complete(try CompleteMessage(commandId: id, typedResult: try files.list(payload.path)))
        case .statFile(let payload):
            return .complete(try CompleteMessage(commandId: id, typedResult: try files.stat(payload.path)))
        case .readFile(let payload):
            let bytes = try await readFile(id, payload.path, files: files, window: window)
            return .complete(try CompleteMessage(commandId: id, typedResult: FileTransferResult(bytes: bytes)))
        case .writeFile(let payload):
            let written = try await writeFile(id, payload, files: files, storageLimit: entry.storageLimit, input: input)
            return .complete(try CompleteMessage(commandId: id, typedResult: written))
        case .makeDirectory(let payload):
            return .complete(try CompleteMessage(commandId: id, typedResult: try files.makeDirectory(payload.path)))
        case .moveFile(let payload):
            return .complete(try CompleteMessage(commandId: id, typedResult: try files.move(from: payload.from, to: payload.to)))
        case .deleteFile(let payload):
            try files.delete(payload.path, recursive: payload.recursive)
            return .complete(try CompleteMessage(commandId: id, typedResult: SessionReference(sessionId: payload.sessionId)))
        case .startProcess(let payload):
            guard let argv = entry.processArgv else { throw DriverError("This agent's driver runs no processes.", kind: .conflict) }
            let (command, environment, directory) = try Self.validated(payload)
            return .complete(try CompleteMessage(commandId: id, typedResult: try await background.start(argv(command, environment, directory), payload)))
        case .listProcesses(let payload):
            return .complete(try CompleteMessage(commandId: id, typedResult: ProcessList(processes: await background.list(payload.sessionId))))
        case .getProcess(let payload):
            return .complete(try CompleteMessage(commandId: id, typedResult: try await background.info(payload)))
        case .signalProcess(let payload):
            return .complete(try CompleteMessage(commandId: id, typedResult: try await background.signal(payload)))
        case .openPort(let payload):
            return .complete(try CompleteMessage(commandId: id, typedResult: try await openPort(id, payload, entry: entry, window: window, input: input)))
        case .watchDirectory(let payload):
            let result = try await DirectoryWatch.run(id, payload, files: files, window: window, sink: outbox)
            return .complete(try CompleteMessage(commandId: id, typedResult: result))
        case .startSession, .stopSession, .hibernateSession, .wakeSession, .deleteSession, .startService, .removeService:
            throw DriverError("Session and service commands are not workspace commands.")
        case .invokeExtension, .readOutput, .buildTemplate, .snapshotSession:
            throw DriverError("Invocations, output reads and templates' commands run above.")
        }
    }

    private func exec(_ id: String, _ payload: ExecPayload, entry: SandboxEntry, window: CreditWindow, input: AsyncStream<StreamFrame>?) async throws -> ExecResult {
        let (_, _, directory) = try Self.validated(payload)
        // A streaming exec's output is not held anywhere (it flows to its client within the credit), so only the
        // waiting form's is capped; an interactive command may run a day.
        let streaming = payload.streamStdin == true
        guard payload.timeoutSeconds > 0, payload.timeoutSeconds <= (streaming ? 86_400 : Self.maximumTimeoutSeconds),
              payload.outputLimitBytes >= 0, streaming || payload.outputLimitBytes <= Self.maximumOutputLimitBytes
        else { throw DriverError("timeout or output limit out of range.", kind: .invalidInput) }
        guard let argv = entry.processArgv else {
            // The noop driver runs nothing.
            return ExecResult(exitCode: 0, signal: nil, timedOut: false, stdoutTruncated: false, stderrTruncated: false, durationMilliseconds: 0)
        }
        guard (try? WorkspaceFiles(root: entry.workspace).stat(directory))?.kind == .directory else {
            throw DriverError("workingDirectory \(directory) is not a directory of the workspace.", kind: .invalidInput)
        }
        guard let size = payload.tty else {
            return try await ExecProcess.run(
                argv(payload.command, payload.environment ?? [:], directory), payload, commandID: id, window: window, input: input, sink: outbox
            )
        }
        guard size.isValid else { throw DriverError("A terminal is 1 to 1,000 columns and rows.", kind: .invalidInput) }
        var primary: Int32 = -1
        var replica: Int32 = -1
        guard gstacks_open_pty(&primary, &replica, UInt16(size.columns), UInt16(size.rows)) == 0 else {
            throw DriverError("Could not open a terminal: \(String(cString: strerror(errno))).")
        }
        terminals[id] = primary
        if let early = earlySizes.removeValue(forKey: id) {
            _ = gstacks_set_window_size(primary, UInt16(early.columns), UInt16(early.rows))
        }
        defer {
            terminals[id] = nil
            close(primary)
        }
        // setsid makes the process a session leader with the terminal as its controlling terminal (job control,
        // Ctrl-C), inside the sandbox; it waits, so the exit status is the command's.
        var environment = ["TERM": "xterm-256color"]
        environment.merge(payload.environment ?? [:]) { _, given in given }
        return try await ExecProcess.run(
            argv(["/usr/bin/setsid", "--ctty", "--wait"] + payload.command, environment, directory), payload, commandID: id, window: window,
            input: input, terminal: (primary, replica), sink: outbox
        )
    }

    /// A connection to a port inside the sandbox: the relay (`PortRelay`) runs as a streaming exec would, its stdin
    /// the client's bytes and its stdout the port's; it exits 0 when the port's side closes, 3 (saying why on
    /// stderr) when nothing listens. A day at most, like an interactive command.
    private func openPort(_ id: String, _ payload: OpenPortPayload, entry: SandboxEntry, window: CreditWindow, input: AsyncStream<StreamFrame>?) async throws -> ExecResult {
        guard SandboxPort.valid.contains(payload.port) else { throw DriverError("port must be 1 to 65535.", kind: .invalidInput) }
        guard let relay = entry.portRelayArgv else { throw DriverError("This agent's driver cannot reach a sandbox's ports.", kind: .conflict) }
        var exec = ExecPayload(sessionId: payload.sessionId, command: [PortRelay.subcommand], timeoutSeconds: 86_400, outputLimitBytes: Int(Int32.max))
        exec.streamStdin = true
        return try await ExecProcess.run(relay(payload.port), exec, commandID: id, window: window, input: input, sink: outbox)
    }

    /// The command, its environment additions and its working directory (relative to the workspace), or why not.
    static func validated(_ payload: ExecPayload) throws(DriverError) -> ([String], [String: String], String) {
        guard let program = payload.command.first, !program.isEmpty, !program.contains("=") else {
            throw DriverError("command needs a program (a first word without '=').", kind: .invalidInput)
        }
        // The server refuses these already; an agent of another version must not run what a NUL would make of them.
        do {
            try Validation.processInput(command: payload.command, environment: payload.environment, workingDirectory: payload.workingDirectory)
        } catch {
            throw DriverError("\(error)", kind: .invalidInput)
        }
        let directory = try WorkspaceFiles.relative(payload.workingDirectory ?? ".")
        guard !directory.hasPrefix("/"), !directory.split(separator: "/").contains("..") else {
            throw DriverError("workingDirectory must be inside the workspace (relative, without '..').", kind: .invalidInput)
        }
        return (payload.command, payload.environment ?? [:], directory)
    }

    private func readFile(_ id: String, _ path: String, files: WorkspaceFiles, window: CreditWindow) async throws -> Int64 {
        let (fd, size) = try files.openForReading(path)
        defer { close(fd) }
        return try await send(fd, id: id, channel: .file, window: window, limit: size, until: { true })
    }

    /// Sends what a descriptor holds from its offset, in frames within the credit: at most `limit` bytes (what the file
    /// held when it was opened, so that a read ends even while the sandbox grows the file faster than it is sent), or
    /// with `until` false at end of file, waits for more (following a growing file) and reads again.
    private func send(
        _ fd: Int32, id: String, channel: StreamFrame.Channel, window: CreditWindow, limit: Int64? = nil, until ended: () async -> Bool
    ) async throws -> Int64 {
        var buffer = [UInt8](repeating: 0, count: StreamFrame.maximumDataBytes)
        var total: Int64 = 0
        // Opened: the client's answer can begin even if nothing is written for a while.
        await outbox.send(StreamFrame(commandId: id, channel: channel, data: []))
        while true {
            try Task.checkCancellation()
            let wanted = limit.map { min(Int64(buffer.count), $0 - total) } ?? Int64(buffer.count)
            guard wanted > 0 else { break }
            let count = buffer.withUnsafeMutableBytes { read(fd, $0.baseAddress, Int(wanted)) }
            if count < 0 {
                if errno == EINTR { continue }
                throw WorkspaceFiles.failure(errno, "read")
            }
            if count == 0 {
                if await ended() { break }
                try await Task.sleep(for: .milliseconds(200))
                continue
            }
            try await window.spend(count)
            await outbox.send(StreamFrame(commandId: id, channel: channel, data: Array(buffer[0..<count])))
            total += Int64(count)
        }
        await outbox.send(StreamFrame(commandId: id, channel: channel, data: [], isEnd: true))
        return total
    }

    private func writeFile(_ id: String, _ payload: WriteFilePayload, files: WorkspaceFiles, storageLimit: Int64?, input: AsyncStream<StreamFrame>?) async throws -> FileEntry {
        var cap = payload.maximumBytes
        if let storageLimit {
            // Off the actor: a workspace of many files must not hold up the agent's other commands.
            let root = files.root
            let measure = await Task.detached(priority: .utility) { DiskUsage.measure(root, limit: storageLimit) }.value
            let free: Int64 = switch measure {
            case .within(let used): storageLimit - used
            case .over: 0
            case .unmeasurable(let problem): throw DriverError("The sandbox's disk use could not be measured against its storage limit (\(problem)).", kind: .conflict)
            }
            cap = min(cap, free)
        }
        if let expected = payload.expectedBytes, expected > cap {
            throw DriverError(Self.tooLarge(expected, cap: cap, maximum: payload.maximumBytes), kind: .tooLarge)
        }
        guard let input else { throw DriverError("write_file needs input frames.") }
        let pending = try files.beginWrite(payload.path)
        var written: Int64 = 0
        var ungranted = 0
        do {
            for await frame in input where frame.channel == .file {
                written += Int64(frame.data.count)
                guard written <= cap else { throw DriverError(Self.tooLarge(written, cap: cap, maximum: payload.maximumBytes), kind: .tooLarge) }
                try pending.write(frame.data)
                ungranted += frame.data.count
                if ungranted >= StreamFrame.creditBatchBytes {
                    await outbox.send(.credit(CreditMessage(commandId: id, bytes: ungranted)))
                    ungranted = 0
                }
                if frame.isEnd {
                    if let expected = payload.expectedBytes, expected != written {
                        throw DriverError("The upload announced \(expected) bytes and sent \(written); nothing was written.", kind: .invalidInput)
                    }
                    return try pending.commit()
                }
            }
            throw DriverError("The upload ended before its last byte; nothing was written.", kind: .invalidInput)
        } catch {
            pending.abandon()
            throw error
        }
    }

    private static func tooLarge(_ bytes: Int64, cap: Int64, maximum: Int64) -> String {
        cap < maximum
            ? "The file (at least \(bytes) bytes) does not fit in the sandbox's remaining storage of \(max(0, cap)) bytes; nothing was written."
            : "The file (at least \(bytes) bytes) is larger than the limit of \(maximum) bytes per file; nothing was written."
    }

    private func readOutput(_ id: String, _ payload: ReadOutputPayload, files: WorkspaceFiles, window: CreditWindow) async throws -> Int64 {
        guard payload.tailLines >= 0, payload.tailLines <= Self.maximumTailLines else {
            throw DriverError("lines must be between 0 and \(Self.maximumTailLines).", kind: .invalidInput)
        }
        // Resolved beneath the workspace like any file: the sandbox could have replaced it with a symlink.
        let (fd, size) = try files.openForReading(SandboxEntry.outputFile)
        defer { close(fd) }
        if let fromByte = payload.fromByte {
            guard fromByte >= 0, let maximum = payload.maximumBytes, maximum > 0 else {
                throw DriverError("fromByte must be 0 or more, with maximumBytes above 0.", kind: .invalidInput)
            }
            let start = min(fromByte, size)
            lseek(fd, off_t(start), SEEK_SET)
            return try await send(fd, id: id, channel: .stdout, window: window, limit: min(size - start, maximum)) { true }
        }
        let offset = Self.tailOffset(fd, size: size, lines: payload.tailLines)
        lseek(fd, offset, SEEK_SET)
        let driver = self.driver
        let session = payload.sessionId
        let follow = payload.follow
        return try await send(fd, id: id, channel: .stdout, window: window, limit: follow ? nil : size - Int64(offset)) {
            guard follow else { return true }
            return await !driver.isRunning(session)
        }
    }

    /// Where the last `lines` lines of a file begin (reading back at most 8 MiB).
    static func tailOffset(_ fd: Int32, size: Int64, lines: Int) -> off_t {
        guard lines > 0 else { return off_t(size) }
        let chunk: Int64 = 64 << 10
        var end = size
        var newlines = 0
        var buffer = [UInt8](repeating: 0, count: Int(chunk))
        while end > 0 && size - end < 8 << 20 {
            let start = max(0, end - chunk)
            let count = buffer.withUnsafeMutableBytes { pread(fd, $0.baseAddress, Int(end - start), off_t(start)) }
            guard count > 0 else { break }
            for index in stride(from: count - 1, through: 0, by: -1) where buffer[index] == UInt8(ascii: "\n") {
                // The newline that ends the last line does not begin a line.
                if start + Int64(index) == size - 1 { continue }
                newlines += 1
                if newlines == lines { return off_t(start + Int64(index) + 1) }
            }
            end = start
        }
        return off_t(max(0, end))
    }
}
