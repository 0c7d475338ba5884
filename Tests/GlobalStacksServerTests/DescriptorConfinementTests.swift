import Foundation
import GlobalStacksClient
import GlobalStacksContract
import GlobalStacksTestSupport
import Testing

/// What a process in a sandbox can reach of the agent (and of the server it is embedded in) through inherited
/// descriptors: nothing. Every kind of process the agent starts (a sandbox's main process, an exec, a terminal, a
/// background process, an extension's entrypoint) probes every descriptor number above 2 with fstat, and with
/// getsockname where it might be a socket; none answers. Run with a separate `gstacks agent` and with the embedded
/// one, whose process also holds the server's listener and its clients' connections.
@Suite("Descriptors confined", .serialized)
struct DescriptorConfinementTests {
    /// Needs the built binary, bubblewrap and root (the extension runtime's egress proxy).
    static let enabled = BrokerTests.enabled

    /// Prints one JSON line: the descriptor numbers above 2 that answer (`reachable`), and what /proc/self/fd names.
    static let probe = """
        import errno, json, os, resource, socket, sys
        reachable = {}
        for fd in range(3, min(resource.getrlimit(resource.RLIMIT_NOFILE)[0], 65536)):
            try:
                os.fstat(fd)
                reachable[fd] = "open"
                continue
            except OSError:
                pass
            try:
                s = socket.socket(fileno=fd)
            except OSError as e:
                if e.errno != errno.EBADF:
                    reachable[fd] = os.strerror(e.errno)
                continue
            try:
                reachable[fd] = "socket %s" % (s.getsockname(),)
            except OSError as e:
                if e.errno != errno.EBADF:
                    reachable[fd] = os.strerror(e.errno)
            finally:
                s.detach()
        listed = {}
        for name in os.listdir("/proc/self/fd"):
            try:
                listed[name] = os.readlink("/proc/self/fd/" + name)
            except OSError:
                pass
        print(json.dumps({"reachable": sorted(reachable), "details": {str(k): v for k, v in reachable.items()}, "listed": listed}))
        sys.stdout.flush()
        """

    /// The probe's report in `output` (a terminal's output has carriage returns and the echo around it).
    static func report(_ output: String) -> (reachable: [Int], text: String)? {
        for line in output.split(whereSeparator: \.isNewline) {
            guard let start = line.range(of: #"{"reachable""#)?.lowerBound,
                  let object = try? JSONSerialization.jsonObject(with: Data(line[start...].utf8)) as? [String: Any],
                  let reachable = object["reachable"] as? [Int] else { continue }
            return (reachable, String(line[start...]))
        }
        return nil
    }

    static let small = GlobalStacksClient.SandboxResources(cpu: "250m", memory: "256Mi")

    /// Polls (≤ 20 s) until the sandbox is in `state`.
    static func wait(_ api: GlobalStacksClient, _ id: String, for state: GlobalStacksClient.Sandbox.StatePayload) async throws {
        var current = try await api.sandbox(id).state
        for _ in 0..<200 where current != state {
            try await Task.sleep(for: .milliseconds(100))
            current = try await api.sandbox(id).state
        }
        #expect(current == state, "sandbox \(id)")
    }

    /// The probe's report from each kind of process in a sandbox of `api`'s tenant, by kind.
    static func probeEveryKind(_ api: GlobalStacksClient) async throws -> [String: String] {
        var outputs: [String: String] = [:]
        let id = try await api.createSandbox(command: ["python3", "-c", probe + "\nimport time\ntime.sleep(600)"], resources: small).id
        try await wait(api, id, for: .running)
        outputs["main process"] = try await api.output(id)
        for _ in 0..<100 where report(outputs["main process"] ?? "") == nil {
            try await Task.sleep(for: .milliseconds(100))
            outputs["main process"] = try await api.output(id)
        }

        outputs["exec"] = try await api.exec(id, ["python3", "-c", probe]).stdout

        let started = try await api.startProcess(id, ["python3", "-c", probe])
        var background = try await api.process(id, started.id)
        for _ in 0..<100 where background.running {
            try await Task.sleep(for: .milliseconds(100))
            background = try await api.process(id, started.id)
        }
        outputs["background process"] = background.outputTail ?? ""

        let terminal = TerminalOutput()
        let (input, feed) = AsyncStream.makeStream(of: GlobalStacksClient.StreamInput.self)
        feed.yield(.bytes(Array("exec python3 -c \"$(cat <<'PROBE'\n\(probe)\nPROBE\n)\"\n".utf8)))
        _ = try await api.streamExec(id, command: ["/bin/sh"], terminal: (columns: 200, rows: 50), input: input) { _, bytes in
            terminal.append(bytes)
        }
        feed.finish()
        outputs["terminal"] = terminal.text
        _ = try await api.stopSandbox(id)
        return outputs
    }

    static func expectNothingReachable(_ outputs: [String: String], _ setting: String) {
        for kind in ["main process", "exec", "background process", "terminal"] {
            let found = report(outputs[kind] ?? "")
            #expect(found != nil, "\(setting), \(kind): no report in \(outputs[kind] ?? "nothing")")
            #expect(found?.reachable == [], "\(setting), \(kind) holds descriptors of the agent: \(found?.text ?? "")")
        }
    }

    @Test(.enabled(if: enabled, "needs the built gstacks, bubblewrap and root"))
    func aSeparateAgentsSandboxesAndExtensionsHoldNoDescriptorOfIt() async throws {
        let setup = try await BrokerTests.setUp(.sqlite)
        Self.expectNothingReachable(try await Self.probeEveryKind(setup.installation.api), "separate agent")

        // The extension runs with egress, so bubblewrap is given --info-fd and --block-fd: they end with its set-up.
        let reply = try await BrokerTests.invoke(setup, "descriptors", "{}")
        #expect(reply.status == 200, "\(reply.status) \(reply.message)")
        #expect((reply.json["outputs"] as? [String: Any])?["open"] as? [Int] == [], "the extension's entrypoint: \(reply.message)")
    }

    @Test(.enabled(if: enabled, "needs the built gstacks, bubblewrap and root"))
    func anEmbeddedAgentsSandboxesHoldNoneOfTheServersListenerOrConnections() async throws {
        let server = try await ServerProcess(
            ["--data-dir", LifecycleTests.dataDirectory(), "--bcrypt-cost", "4", "--log-level", "warning", "--embedded-agent"], environment: LifecycleTests.admin
        )
        let api = try await server.client.signIn(email: "root@example.com", password: "root-password-123")
        try await api.activateTenant(try await api.createTenant(name: "Prod", slug: "prod").id)
        // A client's kept-alive connection, open while the sandboxes start.
        let connection = try RawConnection(port: server.port)
        connection.send("GET /v1/tenants HTTP/1.1\r\nHost: localhost\r\n\r\n")
        #expect(await connection.readResponse(timeout: .seconds(10))?.hasPrefix("HTTP/1.1 401") == true)

        var ready = false
        for _ in 0..<300 where !ready {  // refused (409) until the embedded agent is online
            ready = (try? await api.createSandbox(command: ["sleep", "1"], resources: Self.small)) != nil
            if !ready { try await Task.sleep(for: .milliseconds(100)) }
        }
        try #require(ready, "the embedded agent came online")
        let holder = try await api.createSandbox(command: ["sleep", "600"], resources: Self.small).id
        try await Self.wait(api, holder, for: .running)
        Self.expectNothingReachable(try await Self.probeEveryKind(api), "embedded agent")

        // The server closes the connection; no sandbox keeps it open.
        connection.send("GET /v1/tenants HTTP/1.1\r\nHost: localhost\r\nConnection: close\r\n\r\n")
        let ending = await connection.readUntilClosed(timeout: .seconds(10))
        #expect(ending.closed, "a connection the server closed stays open while sandboxes run: \(ending.text)")

        let web = try await LiveHTTP.signIn(server)
        try await web.activateTenant(slug: "prod")
        let example = try await ExampleExtension.publish(web, egress: [])
        try await example.install(web, settings: "{}")
        let local = try #require(try await api.clusters().first { $0.slug == "local" }?.id)
        let reply = try await BrokerTests.invoke(web, "descriptors", "{}", targetID: local)
        #expect(reply.status == 200, "\(reply.status) \(reply.message)")
        #expect((reply.json["outputs"] as? [String: Any])?["open"] as? [Int] == [], "the extension's entrypoint: \(reply.message)")
        try await server.stop(signal: SIGTERM)
    }
}

/// A terminal's output, gathered from the stream's callback.
private final class TerminalOutput: @unchecked Sendable {
    private let lock = NSLock()
    private var bytes: [UInt8] = []

    func append(_ more: [UInt8]) { lock.withLock { bytes += more } }
    var text: String { lock.withLock { String(decoding: bytes, as: UTF8.self).replacingOccurrences(of: "\r", with: "") } }
}
