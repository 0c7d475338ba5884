import Foundation
import GlobalStacksTestSupport
import Testing

/// The CLI's extension commands (from the installed extension's CLI metadata, invoked through the broker on a real
/// agent) and its interactive shell (a pseudo-terminal drives the real binary, as a person at a keyboard would).
@Suite("CLI extension commands and shell", .serialized)
struct CLIExtensionAndShellTests {
    static let enabled = BrokerTests.enabled

    @Test(.enabled(if: enabled, "needs the built gstacks, bubblewrap and root"))
    func anExtensionCommandRunsThroughTheBrokerAndAShellIsInteractive() async throws {
        let upstream = try EchoHTTPServer()
        let installation = try await SandboxEndToEndTests.Installation.start(.sqlite, agentArguments: ["--allow-loopback-egress"])
        try await upstream.ready()
        let cli = CLITests.CLI()
        let server = "http://127.0.0.1:\(installation.server.port)"
        try #require(try await cli.run(["login", server, "--email", "root@example.com", "--password-stdin"], stdin: "root-password-123\n").code == 0)
        #expect(try await cli.run(["tenants", "use", "prod"]).code == 0)
        let api = try await LiveHTTP.signIn(installation.server)
        try await api.activateTenant(slug: "prod")
        _ = try await ExampleExtension.publish(api, egress: ["localhost:\(upstream.port)"])
        let added = try await cli.run([
            "installs", "add", ExampleExtension.key, "--yes", "--set", "endpoint=http://localhost:\(upstream.port)", "--set", "token=cli-token",
        ])
        try #require(added.code == 0, "\(added.err)")

        // The commands it declares, their help, and one of them run: the tenant's only cluster is the target.
        let listed = try await cli.run(["ext", ExampleExtension.key])
        #expect(listed.code == 0 && listed.out.contains("probe") && listed.out.contains("Fetch a path"), "\(listed.out) \(listed.err)")
        let help = try await cli.run(["ext", ExampleExtension.key, "probe", "--help"])
        #expect(help.out.contains("<path>") && help.out.contains("--target-id"), "\(help.out)")
        let probed = try await cli.run(["ext", ExampleExtension.key, "probe", "/from-cli"])
        try #require(probed.code == 0, "\(probed.err)")
        let outputs = try #require(try JSONSerialization.jsonObject(with: Data(probed.out.utf8)) as? [String: Any])
        #expect(outputs["body"] as? String == "path=/from-cli token=Bearer cli-token" && outputs["status"] as? Int == 200, "\(outputs)")
        let missing = try await cli.run(["ext", ExampleExtension.key, "probe"])
        #expect(missing.code == 2 && missing.err.contains("<path>"), "a declared required argument: \(missing.err)")
        let unknown = try await cli.run(["ext", ExampleExtension.key, "probe", "/x", "--nope", "1"])
        #expect(unknown.code == 2 && unknown.err.contains("--nope"), "\(unknown.err)")
        let refused = try await cli.run(["ext", ExampleExtension.key, "probe", "no-slash"])
        #expect(refused.code == 1 && refused.err.contains("input.path"), "the server's refusal: \(refused.err)")
        // A command that needs no outside network: the extension asks the GlobalStacks API with its own credential.
        let clusters = try await cli.run(["ext", ExampleExtension.key, "clusters"])
        #expect(clusters.code == 0 && clusters.out.contains("\"Rack\""), "\(clusters.out) \(clusters.err)")

        // An interactive shell: typed lines run in the sandbox, and the shell's exit code is the command's.
        let created = try #require(try await cli.json(["sandboxes", "create", "--wait", "--", "/bin/sleep", "600"]) as? [String: Any])
        let id = try #require(created["id"] as? String)
        let session = try Self.onTerminal([ServerProcess.binary, "sandboxes", "shell", id], configDirectory: cli.configDirectory,
                                          keys: ["echo shell-$((6 * 7)) in $(pwd)\n", "tty >/dev/null && echo on-a-terminal\n", "exit 5\n"])
        #expect(session.output.contains("shell-42 in /workspace") && session.output.contains("on-a-terminal"), "\(session.output)")
        #expect(session.code == 5, "\(session.code) \(session.output)")
    }

    /// Runs a command on a pseudo-terminal (Python's pty), typing `keys` one line at a time; its output and exit code.
    static func onTerminal(_ argv: [String], configDirectory: String, keys: [String]) throws -> (output: String, code: Int32) {
        let driver = """
            import json, os, pty, select, sys, time
            argv, keys = json.loads(sys.argv[1]), json.loads(sys.argv[2])
            pid, fd = pty.fork()
            if pid == 0:
                os.execv(argv[0], argv)
            output, deadline = b"", time.time() + 30
            def read(seconds):
                global output
                end = time.time() + seconds
                while time.time() < end:
                    ready, _, _ = select.select([fd], [], [], 0.05)
                    if ready:
                        try:
                            chunk = os.read(fd, 4096)
                        except OSError:
                            return False
                        if not chunk:
                            return False
                        output += chunk
                return True
            read(2.0)
            for key in keys:
                os.write(fd, key.encode())
                read(1.0)
            while time.time() < deadline and read(0.2):
                pass
            _, status = os.waitpid(pid, 0)
            sys.stdout.write(json.dumps({"output": output.decode("utf-8", "replace"), "code": os.waitstatus_to_exitcode(status)}))
            """
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        let encode = { (value: Any) in String(decoding: try JSONSerialization.data(withJSONObject: value), as: UTF8.self) }
        process.arguments = ["python3", "-c", driver, try encode(argv), try encode(keys)]
        process.environment = ProcessInfo.processInfo.environment.merging(["GSTACKS_CONFIG_DIR": configDirectory]) { $1 }
        let output = Pipe()
        process.standardOutput = output
        try process.run()
        let data = output.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        let result = try #require(try JSONSerialization.jsonObject(with: data) as? [String: Any], "\(String(decoding: data, as: UTF8.self))")
        return (result["output"] as? String ?? "", Int32(result["code"] as? Int ?? -1))
    }
}
