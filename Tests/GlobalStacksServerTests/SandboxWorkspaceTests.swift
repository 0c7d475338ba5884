import Crypto
import Foundation
import GlobalStacksClient
import GlobalStacksContract
import GlobalStacksTestSupport
import OpenAPIRuntime
import Testing

/// Work inside running sandboxes through a real server and a real `gstacks agent` (bubblewrap): exec, files and
/// output travel over the agent's WebSocket as workspace commands and stream frames.
@Suite("Sandbox workspace end to end", .serialized)
struct SandboxWorkspaceTests {
    typealias Installation = SandboxEndToEndTests.Installation

    static func running(_ installation: Installation, storage: String = "256Mi", network: Bool? = nil, command: [String] = ["sleep", "600"]) async throws -> String {
        let id = try await installation.api.createSandbox(
            command: command, resources: .init(cpu: "500m", memory: "256Mi", storage: storage), network: network
        ).id
        try await installation.wait(id, for: .running)
        return id
    }

    static func refusal(_ work: () async throws -> some Any) async -> GlobalStacksClientError? {
        do {
            _ = try await work()
            return nil
        } catch {
            return error as? GlobalStacksClientError
        }
    }

    static let enabled = ServerProcess.isBuilt

    @Test(.enabled(if: enabled, "build the gstacks product first (swift build)"), arguments: TestEngine.available)
    func execRunsCommandsInTheSandboxAndKeepsTheirHistory(_ engine: TestEngine) async throws {
        let installation = try await Installation.start(engine)
        let api = installation.api
        let id = try await Self.running(installation)

        let result = try await api.exec(id, ["/bin/sh", "-c", "echo out; echo err >&2; exit 3"])
        #expect(result.exitCode == 3 && result.signal == nil && !result.timedOut)
        #expect(result.stdout == "out\n" && result.stderr == "err\n")
        #expect(try await api.exec(id, ["cat"], stdin: "from stdin").stdout == "from stdin")

        try await api.makeDirectory(id, "sub")
        let located = try await api.exec(id, ["/bin/sh", "-c", "pwd; echo $GREETING; id -u"], environment: ["GREETING": "hi"], workingDirectory: "sub")
        #expect(located.stdout == "/workspace/sub\nhi\n65534\n", "in the workspace, as the sandbox's user")

        let slow = try await api.exec(id, ["sleep", "30"], timeoutSeconds: 0.5)
        #expect(slow.timedOut && slow.signal == "SIGKILL" && slow.exitCode == nil, "\(slow)")
        #expect(slow.durationMs < 10_000)

        let loud = try await api.exec(id, ["/bin/sh", "-c", "head -c 100000 /dev/zero | tr '\\0' a; echo done >&2"], outputLimitBytes: 1_000)
        #expect(loud.stdoutTruncated && loud.stdout.utf8.count == 1_000 && !loud.stderrTruncated && loud.stderr == "done\n")
        #expect(await Self.refusal { try await api.exec(id, ["/no/such/program"]) } == nil, "a missing program is an exit status, not a refusal")
        for (timeout, limit) in [(1e21, nil), (-1, nil), (nil, 64 << 20)] as [(Double?, Int?)] {
            let refused = await Self.refusal { try await api.exec(id, ["true"], timeoutSeconds: timeout, outputLimitBytes: limit) }
            #expect(refused?.status == 400, "timeout \(String(describing: timeout)), limit \(String(describing: limit)): \(String(describing: refused))")
        }
        let oversized = await Self.refusal { try await api.exec(id, ["true"], stdin: String(repeating: "x", count: 200 << 10)) }
        #expect(oversized?.status == 400 || oversized?.status == 413, "\(String(describing: oversized))")

        // An outcome is written beside the answer: wait (≤ 5 s) until the last one is in.
        var history = try await api.execHistory(id)
        for _ in 0..<100 where history.contains(where: { $0.endedAt == nil }) {
            try await Task.sleep(for: .milliseconds(50))
            history = try await api.execHistory(id)
        }
        #expect(history.count == 6, "\(history.map(\.command))")
        #expect(history.last?.command == ["/bin/sh", "-c", "echo out; echo err >&2; exit 3"] && history.last?.exitCode == 3)
        #expect(history.contains { $0.timedOut && $0.signal == "SIGKILL" })
        #expect(history.allSatisfy { $0.endedAt != nil && $0.userId == history[0].userId })
        #expect(try await api.execHistory(id, limit: 2).count == 2)
        // A limit out of the contract's 1...1000, or not a number, is refused, not clamped.
        guard case .session(let cookie) = api.credential else { throw CancellationError() }
        for limit in ["-1", "0", "1001", "99999999999999999999", "ten", ""] {
            let refused = try await ExecStreamTests.send(installation.server.port, "/v1/sandboxes/\(id)/execs?limit=\(limit)", ["Cookie: globalstacks_session=\(cookie)"])
            #expect(refused.status == 400 && refused.body.contains("limit"), "limit=\(limit): \(refused)")
        }

        _ = try await api.hibernateSandbox(id)
        try await installation.wait(id, for: .hibernated)
        let asleep = await Self.refusal { try await api.exec(id, ["true"]) }
        #expect(asleep?.status == 409 && asleep?.message.contains("wake it first") == true, "\(String(describing: asleep))")
        #expect(await Self.refusal { try await api.exec(UUID().uuidString.lowercased(), ["true"]) }?.status == 404)
    }

    @Test(.enabled(if: enabled, "build the gstacks product first (swift build)"), arguments: TestEngine.available)
    func filesMoveInAndOutWhole(_ engine: TestEngine) async throws {
        let installation = try await Installation.start(engine)
        let api = installation.api
        let id = try await Self.running(installation)

        var bytes = [UInt8](repeating: 0, count: 64 << 20)
        var generator = SystemRandomNumberGenerator()
        for index in stride(from: 0, to: bytes.count, by: 8) {
            withUnsafeBytes(of: generator.next() as UInt64) { bytes.replaceSubrange(index..<(index + 8), with: $0) }
        }
        #expect(await Self.refusal { try await api.upload(id, "data/blob.bin", HTTPBody([1, 2, 3])) }?.status == 404, "no directory data yet")
        try await api.makeDirectory(id, "data")
        let written = try await api.upload(id, "data/blob.bin", HTTPBody(bytes, length: .known(Int64(bytes.count))))
        #expect(written.size == Int64(bytes.count) && written.kind == .file && written.path == "data/blob.bin")

        var digest = SHA256()
        var received = 0
        for try await chunk in try await api.download(id, "/workspace/data/blob.bin") {
            digest.update(data: Data(chunk))
            received += chunk.count
        }
        #expect(received == bytes.count)
        #expect(digest.finalize() == SHA256.hash(data: Data(bytes)), "the same bytes came back")

        #expect(try await api.files(id, in: "data").items.map(\.name) == ["blob.bin"], "no temporary file is left beside it")
        for path in ["../../../etc/passwd", "/etc/passwd", "data/../../etc/passwd", "/workspace/../etc/passwd"] {
            let refused = await Self.refusal { try await api.download(id, path) }
            #expect(refused?.status == 400 && refused?.message.contains("outside") == true, "\(path): \(String(describing: refused))")
        }
        #expect(try await api.stat(id, "data").kind == .directory)
        try await api.move(id, from: "data/blob.bin", to: "data/moved.bin")
        #expect(await Self.refusal { try await api.stat(id, "data/blob.bin") }?.status == 404)
        #expect(await Self.refusal { try await api.deleteFile(id, "data") }?.status == 409, "not empty")
        try await api.deleteFile(id, "data", recursive: true)
        #expect(await Self.refusal { try await api.stat(id, "data") }?.status == 404)
        // An empty path, or one that is not percent-encoded UTF-8, names nothing: 400 naming the field, never the workspace.
        guard case .session(let cookie) = api.credential else { throw CancellationError() }
        for query in ["path=", "path=%ff", "path=%zz", "path=a%ffb"] {
            for (method, operation) in [("GET", "files/stat"), ("GET", "files/content"), ("GET", "files"), ("DELETE", "files")] {
                let target = "/v1/sandboxes/\(id)/\(operation)?\(query)"
                let refused = try await ExecStreamTests.send(installation.server.port, target, ["Cookie: globalstacks_session=\(cookie)"], method: method)
                #expect(refused.status == 400 && refused.body.contains("path must name a file or directory"), "\(method) \(target): \(refused)")
            }
        }
        #expect(await Self.refusal { try await api.makeDirectory(id, "") }?.message.contains("path must name") == true)
        #expect(await Self.refusal { try await api.move(id, from: "", to: "elsewhere") }?.message.contains("from must name") == true)
        #expect(try await api.files(id).items.map(\.name).sorted() == ["output.log"], "nothing moved or made")

        // Over the sandbox's storage: refused before anything is written, and nothing is left behind.
        let small = try await Self.running(installation, storage: "8Mi")
        let tooLarge = await Self.refusal { try await api.upload(small, "big.bin", HTTPBody([UInt8](repeating: 7, count: 16 << 20), length: .known(16 << 20))) }
        #expect(tooLarge?.status == 413, "\(String(describing: tooLarge))")
        // A body that does not announce its size is cut off at the limit, and nothing is left either.
        let unannounced = HTTPBody(AsyncStream<ArraySlice<UInt8>> { continuation in
            for _ in 0..<256 { continuation.yield(ArraySlice(repeating: 1, count: 64 << 10)) }
            continuation.finish()
        }, length: .unknown, iterationBehavior: .single)
        #expect(await Self.refusal { try await api.upload(small, "streamed.bin", unannounced) }?.status == 413)
        #expect(try await api.files(small).items.map(\.name) == ["output.log"])
    }

    /// A process in the sandbox swaps a directory for a symlink to a host directory as fast as it can while files
    /// are read and written through that path: the kernel resolves beneath the workspace, so not one request
    /// reaches the host directory.
    @Test(.enabled(if: enabled, "build the gstacks product first (swift build)"))
    func aSymlinkSwappedInByTheSandboxCannotLeadOut() async throws {
        let installation = try await Installation.start(.sqlite)
        let api = installation.api
        let outside = FileManager.default.temporaryDirectory.appendingPathComponent("gstacks-escape-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: outside, withIntermediateDirectories: true)
        try "outside\n".write(to: outside.appendingPathComponent("secret"), atomically: true, encoding: .utf8)
        let swapper = "while :; do rm -rf d; mkdir d; echo inside > d/secret; rm -rf d; ln -s \(outside.path) d; done"
        let id = try await Self.running(installation, command: ["/bin/sh", "-c", swapper])

        var outcomes: [String: Int] = [:]
        for attempt in 0..<300 {
            do {
                let text = try await String(collecting: try await api.download(id, "d/secret"), upTo: 1 << 10)
                // Empty: read between the sandbox's creating the file and writing it.
                outcomes[text == "inside\n" || text.isEmpty ? "inside" : "other: \(text)", default: 0] += 1
            } catch let error as GlobalStacksClientError {
                outcomes["\(error.status)", default: 0] += 1
            }
            _ = try? await api.upload(id, "d/written-\(attempt)", HTTPBody("x"))
        }
        #expect(!outcomes.keys.contains { $0.hasPrefix("other") }, "\(outcomes)")
        #expect(outcomes["400", default: 0] > 0 || outcomes["404", default: 0] > 0, "the swap happened: \(outcomes)")
        let leaked = try FileManager.default.contentsOfDirectory(atPath: outside.path)
        #expect(leaked == ["secret"], "nothing was written outside: \(leaked)")
    }

    /// A process started by exec has exactly the sandbox's confinement.
    @Test(.enabled(if: enabled && FileManager.default.isExecutableFile(atPath: "/usr/bin/bwrap"), "needs bubblewrap and the gstacks product"))
    func anExecProcessIsConfinedLikeTheSandbox() async throws {
        let installation = try await Installation.start(.sqlite)
        let api = installation.api
        let id = try await Self.running(installation)

        let processes = try await api.exec(id, ["/bin/sh", "-c", "for p in /proc/[0-9]*; do tr '\\0' ' ' < $p/cmdline; echo; done"])
        #expect(!processes.stdout.contains("gstacks agent") && !processes.stdout.contains("gstacks server"), "the host's processes (the agent, the server) are not visible: \(processes.stdout)")
        #expect(processes.stdout.split(separator: "\n").count <= 4, "only the sandbox's init, its process, and this exec: \(processes.stdout)")
        #expect(processes.stdout.contains("sleep 600"), "the sandbox's own process is: \(processes.stdout)")

        let privileges = try await api.exec(id, ["/bin/sh", "-c", "grep -E '^(NoNewPrivs|CapEff)' /proc/self/status"])
        #expect(privileges.stdout.contains("NoNewPrivs:\t1") && privileges.stdout.contains("CapEff:\t0000000000000000"), "no privilege to gain: \(privileges.stdout)")

        let marker = "gstacks-confinement-\(UUID().uuidString)"
        let writes = try await api.exec(id, ["/bin/sh", "-c", "for d in /usr /etc /tmp /; do echo x > $d/\(marker) 2>/dev/null && echo wrote $d; done; true"])
        for directory in ["/usr", "/etc", "/tmp", ""] {
            #expect(!FileManager.default.fileExists(atPath: "\(directory)/\(marker)"), "nothing reaches the host's \(directory.isEmpty ? "/" : directory): \(writes.stdout)")
        }
        #expect(!writes.stdout.contains("wrote /usr"), "system directories are read-only")

        let probe = ["/usr/bin/bash", "-c", "echo > /dev/tcp/127.0.0.1/\(installation.server.port) && echo connected"]
        let offline = try await api.exec(id, probe)
        #expect(offline.exitCode != 0 && !offline.stdout.contains("connected"), "no network: the host's loopback is not reachable: \(offline)")
        let online = try await Self.running(installation, network: true)
        #expect(try await api.exec(online, probe).stdout == "connected\n", "the same probe reaches the server from a sandbox with network")
    }

    @Test(.enabled(if: enabled, "build the gstacks product first (swift build)"))
    func outputIsTailedAndFollowedUntilTheProcessEnds() async throws {
        let installation = try await Installation.start(.sqlite)
        let api = installation.api
        let id = try await Self.running(installation, command: ["/bin/sh", "-c", "for i in 1 2 3; do echo line$i; done; sleep 2; echo later; sleep 1"])
        #expect(try await api.output(id, lines: 2) == "line2\nline3\n")
        let events = try await String(collecting: try await api.followOutput(id, lines: 1), upTo: 1 << 20)
        #expect(events.hasPrefix("event: output\ndata: line3\n"), "\(events)")
        #expect(events.contains("data: later") && events.hasSuffix("event: end\ndata:\n\n"), "followed until the process ended: \(events)")
    }

    /// A read answers what the file held when it was opened: a sandbox that grows a file (or its output) faster than it
    /// is sent cannot make a download, or an output read without follow, endless.
    @Test(.enabled(if: enabled, "build the gstacks product first (swift build)"))
    func aReadEndsWhileTheSandboxKeepsGrowingTheFile() async throws {
        let installation = try await Installation.start(.sqlite)
        let api = installation.api
        // Sparse growth: gigabytes a second without using the disk.
        let grower = "echo start; truncate -s 1M grow.bin; while [ ! -e go ]; do sleep 0.05; done; while :; do truncate -s +64M grow.bin; truncate -s +64M output.log; done"
        let id = try await Self.running(installation, storage: "0", command: ["/bin/sh", "-c", grower])
        let download = try await api.download(id, "grow.bin")
        try await api.upload(id, "go", HTTPBody("x"))
        #expect(try await Data(collecting: download, upTo: 64 << 20).count == 1 << 20, "the megabyte it held when opened")
        let output = try await api.output(id, lines: 1)
        #expect(output.utf8.count <= 8 << 20, "at most the 8 MiB read back from its end, not what was written meanwhile")
    }

    /// Two replicas on one PostgreSQL: the agent is connected to the first; exec and a download through the
    /// second are relayed to the first and work the same.
    @Test(.enabled(if: enabled && TestEngine.available.contains(.postgres), "needs PostgreSQL and the gstacks product"))
    func aReplicaWithoutTheAgentsConnectionRelaysToTheOneWithIt() async throws {
        let installation = try await Installation.start(.postgres)
        let id = try await Self.running(installation)
        try await installation.api.upload(id, "hello.txt", HTTPBody("through the other replica\n"))

        var flags = installation.flags
        if let index = flags.firstIndex(of: "--data-dir") { flags[index + 1] = LifecycleTests.dataDirectory() }
        let port = ServerProcess.freePort()
        let second = try await ServerProcess(flags + ["--relay-url", "http://127.0.0.1:\(port)"], port: port)
        // The same session, through the replica that does not hold the agent's connection.
        let api = second.client.with(installation.api.credential)

        let result = try await api.exec(id, ["/bin/sh", "-c", "echo relayed; cat hello.txt"])
        #expect(result.exitCode == 0 && result.stdout == "relayed\nthrough the other replica\n", "\(result)")
        #expect(try await String(collecting: try await api.download(id, "hello.txt"), upTo: 1 << 10) == "through the other replica\n")
        #expect(try await api.files(id).items.map(\.name).contains("hello.txt"))
        let refused = await Self.refusal { try await api.download(id, "../etc/passwd") }
        #expect(refused?.status == 400, "the other replica's refusal comes back as it is: \(String(describing: refused))")
        let process = try await api.startProcess(id, ["/bin/sh", "-c", "echo in the background"])
        #expect(try await api.processes(id).map(\.id) == [process.id], "background processes are relayed too")
        #expect(try await api.execHistory(id).count == 2)
    }

    @Test(.enabled(if: enabled, "build the gstacks product first (swift build)"))
    func aBackgroundProcessIsListedReadAndSignalled() async throws {
        let installation = try await Installation.start(.sqlite)
        let api = installation.api
        let id = try await Self.running(installation)

        let quick = try await api.startProcess(id, ["/bin/sh", "-c", "echo background; echo more >&2; exit 5"])
        let server = try await api.startProcess(id, ["/bin/sh", "-c", "trap 'echo got TERM; exit 0' TERM; echo serving; while :; do sleep 0.05; done"])
        #expect(quick.running || quick.exitCode == 5)
        var finished = try await api.process(id, quick.id)
        for _ in 0..<100 where finished.running {
            try await Task.sleep(for: .milliseconds(50))
            finished = try await api.process(id, quick.id)
        }
        #expect(finished.exitCode == 5 && !finished.running && finished.endedAt != nil, "\(finished)")
        #expect(finished.outputTail == "background\nmore\n")

        #expect(try await api.processes(id).map(\.id) == [quick.id, server.id])
        #expect(try await api.processes(id).last?.running == true)
        var listening = try await api.process(id, server.id)
        for _ in 0..<100 where listening.outputTail?.contains("serving") != true {
            try await Task.sleep(for: .milliseconds(50))
            listening = try await api.process(id, server.id)
        }
        try await api.signal(id, server.id, .sigterm)
        var stopped = try await api.process(id, server.id)
        for _ in 0..<100 where stopped.running {
            try await Task.sleep(for: .milliseconds(50))
            stopped = try await api.process(id, server.id)
        }
        #expect(!stopped.running && stopped.exitCode == 0 && stopped.outputTail == "serving\ngot TERM\n", "the signal reached it: \(stopped)")
        #expect(await Self.refusal { try await api.signal(id, server.id, .sigkill) }?.status == 409, "it has ended")
        #expect(await Self.refusal { try await api.process(id, UUID().uuidString) }?.status == 404)
        #expect(try await api.execHistory(id).count == 2, "background starts are in the history too")
    }
}
