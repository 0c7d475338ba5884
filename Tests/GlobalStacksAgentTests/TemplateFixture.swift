import Crypto
import Foundation
import GlobalStacksAgentProtocol
import Logging
import Testing

@testable import GlobalStacksAgent

/// What the template tests share in one test process: a small HTTP server standing in for the control plane (it
/// takes uploads, answers `{"digest","sizeBytes"}` and serves what it received by digest), and one builder whose
/// layer cache lives in a directory under /tmp that outlives the process, so the Debian base is bootstrapped once per
/// machine (not once per test), and the `hello` template built once per process.
actor TemplateFixture {
    static let release = "bookworm"
    /// The base's cache key: the release and a version of how the base is made (bump it when that changes).
    static let baseKey = key("test base \(release) minbase v1")
    static let cache = URL(fileURLWithPath: "/tmp/gstacks-template-tests")
    static let uploadToken = "upload-secret"
    static let fetchToken = "fetch-secret"

    let serverURL: URL
    /// Where the server keeps what it received, by hex digest.
    let received: URL
    let store: TemplateStore
    let builder: TemplateBuilder
    /// Keys of this process's steps are new: caching is tested within one run, never against an earlier one.
    let nonce = UUID().uuidString
    private var hello: (result: TemplateBuildResult, log: String, seconds: Double)?

    static func key(_ text: String) -> String {
        "sha256:" + SHA256.hash(data: Data(text.utf8)).map { String(format: "%02x", $0) }.joined()
    }

    /// What is missing to build templates here, recorded as a failure when `GSTACKS_REQUIRE_TEMPLATES=1`.
    static func missing() -> Bool {
        var absent: [String] = []
        if getuid() != 0 { absent.append("root") }
        if SandboxIsolation.detect() == .plain { absent.append("bubblewrap") }
        for (tool, paths) in [("debootstrap", ["/usr/sbin/debootstrap"]), ("zstd", ["/usr/bin/zstd"]), ("unshare", ["/usr/bin/unshare"]), ("python3", ["/usr/bin/python3", "/root/.pyenv/shims/python3"])]
        where !paths.contains(where: FileManager.default.isExecutableFile(atPath:)) {
            absent.append(tool)
        }
        guard !absent.isEmpty else { return false }
        if ProcessInfo.processInfo.environment["GSTACKS_REQUIRE_TEMPLATES"] == "1" {
            Issue.record("GSTACKS_REQUIRE_TEMPLATES=1 but \(absent.joined(separator: ", ")) missing")
        } else {
            print("Skipped: templates need \(absent.joined(separator: ", ")), missing here")
        }
        return true
    }

    private static let shared = Task { try await TemplateFixture() }

    /// The fixture, or nil (the test is skipped) when this host cannot build templates.
    static func get() async throws -> TemplateFixture? {
        if missing() { return nil }
        return try await shared.value
    }

    private init() async throws {
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("gstacks-template-server-\(UUID().uuidString.prefix(8))")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        received = directory
        // Its own session, no descriptor of the test process's (whose output `swift test` reads to its end); it ends
        // when the test process does.
        _ = try ProcessSpawn.spawn(
            ["/usr/bin/env", "PATH=\(ProcessInfo.processInfo.environment["PATH"] ?? "/usr/bin:/bin")", "python3", "-c", Self.serverScript, directory.path, Self.uploadToken, Self.fetchToken],
            standard: [(0, .path("/dev/null", flags: O_RDONLY)), (1, .path("/dev/null", flags: O_WRONLY)), (2, .sameAs(1))]
        )
        let portFile = directory.appendingPathComponent("port")
        var port: String?
        for _ in 0..<200 where port == nil {
            try await Task.sleep(for: .milliseconds(50))
            port = try? String(contentsOf: portFile, encoding: .utf8)
        }
        guard let port else { throw DriverError("The test's HTTP server did not start.") }
        serverURL = URL(string: "http://127.0.0.1:\(port)")!
        store = try TemplateStore(directory: Self.cache.appendingPathComponent("roots"), serverURL: serverURL, logger: Logger(label: "test"))
        builder = try TemplateBuilder(directory: Self.cache, store: store, serverURL: serverURL, logger: Logger(label: "test"))
    }

    /// A grant to fetch what the server received.
    nonisolated func artifact(_ result: TemplateBuildResult) -> TemplateArtifact {
        TemplateArtifact(digest: result.digest, sizeBytes: result.sizeBytes, path: "objects/\(result.digest.dropFirst(7))", token: Self.fetchToken)
    }

    nonisolated func upload(_ name: String) -> TemplateUpload {
        TemplateUpload(path: "v1/uploads/\(name)", token: Self.uploadToken)
    }

    nonisolated func payload(_ steps: [TemplateBuildStep], context: TemplateArtifact? = nil) -> BuildTemplatePayload {
        BuildTemplatePayload(
            buildId: "tb_\(UUID().uuidString.prefix(8).lowercased())", tenantId: "t1", base: TemplateBase(debian: Self.release), baseKey: Self.baseKey, steps: steps,
            context: context,
            upload: upload(UUID().uuidString), resources: ["cpu": "2", "memory": "1Gi"], timeoutSeconds: 900
        )
    }

    /// `files` (relative path: content) as a gzip-compressed tar archive on the server, and the grant to fetch it.
    func context(_ files: [String: String]) async throws -> TemplateArtifact {
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("gstacks-context-\(UUID().uuidString.prefix(8))")
        defer { try? FileManager.default.removeItem(at: directory) }
        for (path, content) in files {
            let file = directory.appendingPathComponent("tree").appendingPathComponent(path)
            try FileManager.default.createDirectory(at: file.deletingLastPathComponent(), withIntermediateDirectories: true)
            try content.write(to: file, atomically: true, encoding: .utf8)
        }
        let archive = directory.appendingPathComponent("context.tar.gz")
        let packed = try await runToEnd(["/bin/tar", "-czf", archive.path, "-C", directory.appendingPathComponent("tree").path, "."])
        guard packed.status == 0 else { throw DriverError("tar: \(packed.output)") }
        let data = try Data(contentsOf: archive)
        let digest = "sha256:" + SHA256.hash(data: data).map { String(format: "%02x", $0) }.joined()
        try data.write(to: received.appendingPathComponent(String(digest.dropFirst(7))))
        return TemplateArtifact(digest: digest, sizeBytes: Int64(data.count), path: "objects/\(digest.dropFirst(7))", token: Self.fetchToken)
    }

    /// A `COPY` step, keyed like `run`.
    nonisolated func copy(_ sources: [String], to destination: String, after: [TemplateBuildStep], context: TemplateArtifact) -> TemplateBuildStep {
        TemplateBuildStep(
            key: Self.key(nonce + (after.map(\.key) + [context.digest] + sources + [destination]).joined(separator: "\n")),
            instruction: "COPY \((sources + [destination]).joined(separator: " "))", copy: TemplateCopy(sources: sources, destination: destination),
            environment: [:], workingDirectory: "/srv", user: "root"
        )
    }

    /// A `RUN` step whose key covers this process's nonce and the steps before it.
    nonisolated func run(_ command: String, after: [TemplateBuildStep] = [], user: String = "root", workingDirectory: String = "/") -> TemplateBuildStep {
        TemplateBuildStep(
            key: Self.key(nonce + (after.map(\.key) + [user, workingDirectory, command]).joined(separator: "\n")), instruction: "RUN \(command)", run: command,
            environment: ["DEBIAN_FRONTEND": "noninteractive"], workingDirectory: workingDirectory, user: user
        )
    }

    static let helloSteps = ["apt-get update && apt-get install -y --no-install-recommends hello", "echo built > /etc/gstacks-marker"]

    nonisolated func helloBuildSteps() -> [TemplateBuildStep] {
        let first = run(Self.helloSteps[0])
        return [first, run(Self.helloSteps[1], after: [first])]
    }

    /// The template with `hello` installed, built once per process; its result, its log and how long it took.
    func helloTemplate() async throws -> (result: TemplateBuildResult, log: String, seconds: Double) {
        if let hello { return hello }
        let started = ContinuousClock.now
        let (result, log) = try await build(payload(helloBuildSteps()))
        let elapsed = ContinuousClock.now - started
        hello = (result, log, Double(elapsed.components.seconds))
        return hello!
    }

    /// Runs a build as the workspace runner does, its log collected (credit given back as frames arrive).
    func build(_ payload: BuildTemplatePayload) async throws -> (TemplateBuildResult, String) {
        let window = CreditWindow()
        let sink = LogSink(window: window)
        do {
            let result = try await builder.build(payload, log: BuildLog(commandID: "c-build", window: window, sink: sink))
            return (result, await sink.text)
        } catch {
            throw BuildFailure(error: "\(error)", log: await sink.text)
        }
    }

    struct BuildFailure: Error, CustomStringConvertible {
        let error: String
        let log: String
        var description: String { error }
    }

    /// The archive the server received for `digest`, unpacked into a fresh directory.
    func unpacked(_ digest: String) async throws -> URL {
        let tree = FileManager.default.temporaryDirectory.appendingPathComponent("gstacks-unpacked-\(UUID().uuidString.prefix(8))")
        try FileManager.default.createDirectory(at: tree, withIntermediateDirectories: true)
        try await TemplateArchive.unpack(received.appendingPathComponent(String(digest.dropFirst(7))), into: tree)
        return tree
    }

    /// Takes the log's frames, giving their bytes back as credit (as the control plane does).
    actor LogSink: AgentMessageSink {
        let window: CreditWindow
        private var bytes: [UInt8] = []
        var text: String { String(decoding: bytes, as: UTF8.self) }

        init(window: CreditWindow) { self.window = window }

        func send(_ message: AgentMessage) async {}
        func send(_ frame: StreamFrame) async {
            bytes += frame.data
            await window.grant(frame.data.count)
        }
    }

    /// Uploads (`PUT` with the upload token) are kept by their SHA-256 and answered with it; `GET .../<hex>` with the
    /// fetch token serves them.
    static let serverScript = #"""
        import hashlib, http.server, json, os, sys, threading, time
        root, upload_token, fetch_token = sys.argv[1], sys.argv[2], sys.argv[3]
        parent = os.getppid()
        def watch_parent():
            while os.getppid() == parent:
                time.sleep(0.5)
            os._exit(0)
        threading.Thread(target=watch_parent, daemon=True).start()
        class Handler(http.server.BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"
            def answer(self, status, body, kind="application/json"):
                self.send_response(status)
                self.send_header("Content-Type", kind)
                self.send_header("Content-Length", str(len(body)))
                self.end_headers()
                self.wfile.write(body)
            def do_PUT(self):
                length = int(self.headers.get("Content-Length", "0"))
                data = self.rfile.read(length)
                if self.headers.get("Authorization") != "Bearer " + upload_token:
                    return self.answer(401, b'{"error":"bad token"}')
                hex = hashlib.sha256(data).hexdigest()
                with open(os.path.join(root, hex), "wb") as f:
                    f.write(data)
                self.answer(200, json.dumps({"digest": "sha256:" + hex, "sizeBytes": len(data)}).encode())
            def do_GET(self):
                if self.headers.get("Authorization") != "Bearer " + fetch_token:
                    return self.answer(401, b'{"error":"bad token"}')
                path = os.path.join(root, os.path.basename(self.path))
                if not os.path.isfile(path):
                    return self.answer(404, b'{"error":"not found"}')
                with open(path, "rb") as f:
                    self.answer(200, f.read(), "application/zstd")
            def log_message(self, *args):
                pass
        server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        with open(os.path.join(root, "port.tmp"), "w") as f:
            f.write(str(server.server_address[1]))
        os.rename(os.path.join(root, "port.tmp"), os.path.join(root, "port"))
        server.serve_forever()
        """#
}

/// Runs a host command line to its end: its status and its output (stdout and stderr together).
func runToEnd(_ argv: [String]) async throws -> (status: Int32, output: String) {
    let output = try ExecProcess.pipe()
    let pid = try ProcessSpawn.spawn(argv, standard: [(0, .path("/dev/null", flags: O_RDONLY)), (1, .descriptor(output.write)), (2, .sameAs(1))])
    close(output.write)
    let text = PipeReader.start(output.read, limit: 1 << 20, keepTail: false)
    let status = await TemplateArchive.wait(pid)
    return (status, String(decoding: await text.value.bytes, as: UTF8.self))
}
