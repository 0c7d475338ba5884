import Foundation
import GlobalStacksAgentProtocol
import GlobalStacksDomain
import Logging
import Testing
@testable import GlobalStacksAgent

/// `open_port` and `watch_directory` on the agent's workspace runner, with real sandboxes in bubblewrap and the real
/// `gstacks` binary as the port relay.
@Suite("Sandbox ports and directory watches on the agent", .serialized)
struct SandboxPortAndWatchTests {
    static let binary = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
        .appendingPathComponent(".build/debug/gstacks").path
    static var ready: Bool { FileManager.default.isExecutableFile(atPath: binary) && SandboxIsolation.detect() != .plain }

    /// What the runner sent, by command.
    actor Transcript: AgentMessageSink {
        var results: [String: AgentMessage] = [:]
        var frames: [String: [StreamFrame]] = [:]

        func send(_ message: AgentMessage) async {
            switch message {
            case .complete(let complete): results[complete.commandId] = message
            case .failed(let failed): results[failed.commandId] = message
            default: break
            }
        }

        func send(_ frame: StreamFrame) async { frames[frame.commandId, default: []].append(frame) }

        func text(_ id: String, _ channel: StreamFrame.Channel) -> String {
            String(decoding: (frames[id] ?? []).filter { $0.channel == channel }.flatMap(\.data), as: UTF8.self)
        }

        func changes(_ id: String) -> [FilesystemChange] {
            text(id, .stdout).split(separator: "\n").compactMap { try? JSONDecoder().decode(FilesystemChange.self, from: Data($0.utf8)) }
        }

        func openedOrEnded(_ id: String) -> Bool { opened(id) || results[id] != nil }

        func opened(_ id: String) -> Bool { frames[id]?.first.map { $0.channel == .stdout && $0.data.isEmpty && !$0.isEnd } ?? false }
    }

    struct Sandbox {
        let runner: WorkspaceRunner
        let transcript: Transcript
        let driver: ProcessDriver
        let root: URL
        let id: String

        /// A sandbox without network running `command`, in bubblewrap.
        static func start(_ command: [String]) async throws -> Sandbox {
            let root = FileManager.default.temporaryDirectory.appendingPathComponent("gstacks-ports-\(UUID().uuidString.prefix(8))")
            let driver = try ProcessDriver(root: root, relayExecutable: SandboxPortAndWatchTests.binary, logger: Logger(label: "test"))
            let transcript = Transcript()
            let runner = WorkspaceRunner(driver: driver, extensions: nil, templates: nil, outbox: transcript, logger: Logger(label: "test"))
            let id = "s-" + UUID().uuidString.prefix(8).lowercased()
            var session = StartSessionPayload(sessionId: id)
            session.command = command
            try await driver.start(session)
            return Sandbox(runner: runner, transcript: transcript, driver: driver, root: root, id: id)
        }

        func stop() async {
            try? await driver.delete(id)
            try? FileManager.default.removeItem(at: root)
        }

        /// The command's result once it arrived (≤ 20 s).
        func result(_ command: String) async throws -> AgentMessage? {
            for _ in 0..<400 {
                if let result = await transcript.results[command] { return result }
                try await Task.sleep(for: .milliseconds(50))
            }
            return nil
        }

        func execResult(_ command: String) async throws -> ExecResult? {
            guard case .complete(let complete)? = try await result(command) else { return nil }
            return try complete.decodeResult(ExecResult.self)
        }

        /// Runs a shell line in the sandbox and waits for it.
        func shell(_ line: String) async throws {
            let id = "x-" + UUID().uuidString.prefix(8).lowercased()
            await runner.start(id, .exec(ExecPayload(sessionId: self.id, command: ["/bin/sh", "-c", line], timeoutSeconds: 10, outputLimitBytes: 4_096)))
            let result = try await execResult(id)
            let stderr = await transcript.text(id, .stderr)
            #expect(result?.exitCode == 0, "\(line): \(stderr)")
        }

        /// Opens `port`, sends `request`, ends the input, and waits for the connection to end.
        func connect(_ port: Int, sending request: String) async throws -> (result: ExecResult?, stdout: String, stderr: String) {
            let id = "p-" + UUID().uuidString.prefix(8).lowercased()
            await runner.start(id, .openPort(OpenPortPayload(sessionId: self.id, port: port)))
            await runner.receive(StreamFrame(commandId: id, channel: .stdin, data: Array(request.utf8)))
            await runner.receive(StreamFrame(commandId: id, channel: .stdin, data: [], isEnd: true))
            let result = try await execResult(id)
            return (result, await transcript.text(id, .stdout), await transcript.text(id, .stderr))
        }

        /// Starts a watch and waits (≤ 10 s) until it is in place.
        func watch(_ path: String, recursive: Bool) async throws -> String {
            let id = "w-" + UUID().uuidString.prefix(8).lowercased()
            await runner.start(id, .watchDirectory(WatchDirectoryPayload(sessionId: self.id, path: path, recursive: recursive)))
            for _ in 0..<200 where !(await transcript.openedOrEnded(id)) {
                try await Task.sleep(for: .milliseconds(50))
            }
            return id
        }

        /// The watch's changes once one matches (≤ 10 s).
        func awaitChange(_ id: String, _ change: FilesystemChange) async throws -> [FilesystemChange] {
            for _ in 0..<200 where !(await transcript.changes(id)).contains(change) {
                try await Task.sleep(for: .milliseconds(50))
            }
            return await transcript.changes(id)
        }
    }

    @Test(.enabled(if: ready, "needs bubblewrap and the gstacks binary (swift build)"))
    func aSandboxWithoutNetworkServesAPortThroughTheRelay() async throws {
        let sandbox = try await Sandbox.start(["python3", "-m", "http.server", "8123", "--bind", "127.0.0.1"])
        defer { Task { await sandbox.stop() } }
        // Until the server listens, nothing does.
        var answer = try await sandbox.connect(8123, sending: "GET / HTTP/1.0\r\n\r\n")
        for _ in 0..<100 where answer.result?.exitCode == SandboxPort.nothingListensExitCode {
            try await Task.sleep(for: .milliseconds(100))
            answer = try await sandbox.connect(8123, sending: "GET / HTTP/1.0\r\n\r\n")
        }
        #expect(answer.result?.exitCode == 0, "\(answer)")
        #expect(answer.stdout.hasPrefix("HTTP/1.0 200"), "\(answer.stdout.prefix(300))")
        #expect(answer.stdout.contains("output.log"), "the listing of the sandbox's workspace")

        let nothing = try await sandbox.connect(8124, sending: "hello")
        #expect(nothing.result?.exitCode == SandboxPort.nothingListensExitCode)
        #expect(nothing.stderr == "nothing listens on port 8124 inside the sandbox\n", "\(nothing.stderr)")
        #expect(nothing.stdout.isEmpty)

        // The relay is not in the sandbox's pid namespace: the sandbox's processes do not see it.
        let id = "p-held"
        await sandbox.runner.start(id, .openPort(OpenPortPayload(sessionId: sandbox.id, port: 8123)))
        var onHost = false
        for _ in 0..<100 where !onHost {
            try await Task.sleep(for: .milliseconds(50))
            onHost = Self.hostProcesses().contains { $0.contains(PortRelay.subcommand) && $0.hasSuffix(" 8123") }
        }
        #expect(onHost, "the relay runs, seen from the host")
        await sandbox.runner.start("ps", .exec(ExecPayload(
            sessionId: sandbox.id, command: ["/bin/sh", "-c", "cat /proc/[0-9]*/cmdline | tr '\\0' ' '"], timeoutSeconds: 10, outputLimitBytes: 65_536
        )))
        _ = try await sandbox.execResult("ps")
        let processes = await sandbox.transcript.text("ps", .stdout)
        #expect(processes.contains("http.server") && !processes.contains(PortRelay.subcommand), "\(processes)")
        await sandbox.runner.cancel(id)

        await sandbox.runner.start("bad", .openPort(OpenPortPayload(sessionId: sandbox.id, port: 70_000)))
        guard case .failed(let failed)? = try await sandbox.result("bad") else { throw Unexpected() }
        #expect(failed.kind == .invalidInput)
    }

    @Test(.enabled(if: ready, "needs bubblewrap and the gstacks binary (swift build)"))
    func aWatchSeesChangesBeneathTheWorkspaceOnly() async throws {
        let sandbox = try await Sandbox.start(["sleep", "60"])
        defer { Task { await sandbox.stop() } }
        try await sandbox.shell("mkdir -p watched && ln -s /etc escape")

        let all = try await sandbox.watch(".", recursive: true)
        #expect(await sandbox.transcript.opened(all), "an empty frame says the watch is in place")
        try await sandbox.shell("echo hi > top.txt")
        var seen = try await sandbox.awaitChange(all, FilesystemChange(type: .create, name: "top.txt"))
        #expect(seen.contains(FilesystemChange(type: .write, name: "top.txt")), "\(seen)")
        // A directory made later is watched too.
        try await sandbox.shell("mkdir later")
        _ = try await sandbox.awaitChange(all, FilesystemChange(type: .create, name: "later"))
        try await sandbox.shell("touch later/inner.txt && mv top.txt watched/moved.txt && chmod 600 watched/moved.txt && rm later/inner.txt")
        seen = try await sandbox.awaitChange(all, FilesystemChange(type: .remove, name: "later/inner.txt"))
        for expected in [
            FilesystemChange(type: .create, name: "later/inner.txt"), FilesystemChange(type: .rename, name: "top.txt"),
            FilesystemChange(type: .create, name: "watched/moved.txt"), FilesystemChange(type: .chmod, name: "watched/moved.txt"),
        ] {
            #expect(seen.contains(expected), "\(expected) in \(seen)")
        }
        await sandbox.runner.cancel(all)
        #expect(try await sandbox.result(all) != nil, "a cancelled watch ends")

        // A watch of one directory ends when it is removed.
        let one = try await sandbox.watch("watched", recursive: false)
        try await sandbox.shell("rm -r watched")
        _ = try await sandbox.awaitChange(one, FilesystemChange(type: .remove, name: "moved.txt"))
        #expect(try await sandbox.execResult(one)?.exitCode == 0)

        // A symlink leading out of the workspace is refused; so is a directory that is not there.
        let escape = try await sandbox.watch("escape", recursive: false)
        guard case .failed(let refused)? = try await sandbox.result(escape) else { throw Unexpected() }
        #expect(refused.kind == .invalidInput && refused.error.contains("outside"), "\(refused)")
        let missing = try await sandbox.watch("nowhere", recursive: false)
        guard case .failed(let absent)? = try await sandbox.result(missing) else { throw Unexpected() }
        #expect(absent.kind == .notFound)

        // At most 1,000 directories per watch.
        try await sandbox.shell("mkdir many && cd many && seq 1 1000 | xargs mkdir")
        let many = try await sandbox.watch("many", recursive: true)
        guard case .failed(let tooMany)? = try await sandbox.result(many) else { throw Unexpected() }
        #expect(tooMany.kind == .tooLarge && tooMany.error.contains("at most 1000 directories"), "\(tooMany)")
        let some = try await sandbox.watch("many", recursive: false)
        #expect(await sandbox.transcript.opened(some), "without recursive, one directory")
        await sandbox.runner.cancel(some)
    }

    @Test(.enabled(if: FileManager.default.isExecutableFile(atPath: binary), "needs the gstacks binary (swift build)"))
    func theRelaySaysWhenNothingListensAndIsHidden() async throws {
        let port = Self.unusedPort()
        if case .failure(let refusal) = PortRelay.connect(port: port) {
            #expect(refusal.description == "nothing listens on port \(port) inside the sandbox")
        } else {
            Issue.record("connected to port \(port)")
        }
        let relay = Process()
        relay.executableURL = URL(fileURLWithPath: Self.binary)
        relay.arguments = [PortRelay.subcommand, "\(port)"]
        let stderr = Pipe()
        relay.standardError = stderr
        relay.standardInput = FileHandle.nullDevice
        try relay.run()
        await Self.exit(relay)
        #expect(relay.terminationStatus == Int32(SandboxPort.nothingListensExitCode))
        #expect(String(decoding: stderr.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self) == "nothing listens on port \(port) inside the sandbox\n")

        let help = Process()
        help.executableURL = URL(fileURLWithPath: Self.binary)
        help.arguments = ["--help"]
        let stdout = Pipe()
        help.standardOutput = stdout
        try help.run()
        await Self.exit(help)
        #expect(!String(decoding: stdout.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self).contains(PortRelay.subcommand))
    }

    /// Waits for the process on a thread of its own: waiting blocks its thread, and the suites share two.
    static func exit(_ process: Process) async {
        await withCheckedContinuation { continuation in
            Thread {
                process.waitUntilExit()
                continuation.resume()
            }.start()
        }
    }

    /// The command lines of the host's processes.
    static func hostProcesses() -> [String] {
        let pids = (try? FileManager.default.contentsOfDirectory(atPath: "/proc"))?.filter { $0.allSatisfy(\.isNumber) } ?? []
        return pids.compactMap { pid in
            (try? Data(contentsOf: URL(fileURLWithPath: "/proc/\(pid)/cmdline"))).map {
                String(decoding: $0, as: UTF8.self).split(separator: "\0").joined(separator: " ")
            }
        }
    }

    /// A loopback port nothing listens on (bound, then released).
    static func unusedPort() -> Int {
        let fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        defer { close(fd) }
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_addr.s_addr = in_addr_t(0x7f00_0001).bigEndian
        var length = socklen_t(MemoryLayout<sockaddr_in>.size)
        _ = withUnsafeMutablePointer(to: &address) { pointer in
            pointer.withMemoryRebound(to: sockaddr.self, capacity: 1) { bind(fd, $0, length) == 0 && getsockname(fd, $0, &length) == 0 }
        }
        return Int(UInt16(bigEndian: address.sin_port))
    }

    struct Unexpected: Error {}
}
