import Foundation
#if canImport(FoundationNetworking)
import FoundationNetworking
#endif
import GlobalStacksClient
import GlobalStacksContract
import GlobalStacksTestSupport
import Testing

/// Templates against a real server and a real `gstacks agent` in bubblewrap: a build from Debian's packages with its
/// log streamed, a sandbox from it that runs what the host does not have and cannot see the host's root, the step
/// cache, a snapshot, tenancy, deletion in use, and a warm pool. One debootstrap per run (the agent's layer cache).
@Suite("Templates end to end", .serialized)
struct TemplateEndToEndTests {
    /// bubblewrap, debootstrap and zstd, as root (CI requires them with GSTACKS_REQUIRE_TEMPLATES=1).
    static var isAvailable: Bool {
        let tools = ["/usr/bin/bwrap", "/usr/sbin/debootstrap", "/usr/bin/zstd"].allSatisfy(FileManager.default.isExecutableFile(atPath:))
        if tools, getuid() == 0 { return ServerProcess.isBuilt }
        if ProcessInfo.processInfo.environment["GSTACKS_REQUIRE_TEMPLATES"] == "1" {
            fatalError("GSTACKS_REQUIRE_TEMPLATES=1 but bubblewrap, debootstrap or zstd is missing, or the tests do not run as root")
        }
        return false
    }

    static let definition = """
        FROM debian:bookworm
        RUN apt-get update && apt-get install -y --no-install-recommends hello && rm -rf /var/lib/apt/lists/*
        ENV GREETING=from-template
        COPY greeting.txt /opt/greeting.txt
        RUN echo one > /opt/last-step
        """

    @Test(.enabled(if: Self.isAvailable, "needs root, bubblewrap, debootstrap and zstd"))
    func templatesBuildCacheSnapshotStayTheirTenantsAndPoolSandboxes() async throws {
        #expect(!FileManager.default.fileExists(atPath: "/usr/bin/hello"), "the host must not have the package the template installs")
        // Room for every sandbox here and a pool of 2 (by default an agent offers as much CPU as the host has cores).
        let installation = try await SandboxEndToEndTests.Installation.start(.sqlite, agentArguments: ["--cpu", "16", "--max-sessions", "32"])
        let api = installation.api
        let cli = CLITests.CLI()
        let login = try await cli.run(
            ["login", "http://127.0.0.1:\(installation.server.port)", "--email", "root@example.com", "--password-stdin"], stdin: "root-password-123\n"
        )
        try #require(login.code == 0, "\(login.err)")
        #expect(try await cli.run(["tenants", "use", "prod"]).code == 0)
        // The build context, and the definitions beside it (outside it: the context stays the same between builds).
        let work = FileManager.default.temporaryDirectory.appendingPathComponent("build-\(UUID().uuidString)")
        let context = work.appendingPathComponent("context")
        try FileManager.default.createDirectory(at: context, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: work) }
        try "hello from the build context\n".write(to: context.appendingPathComponent("greeting.txt"), atomically: true, encoding: .utf8)
        let first = work.appendingPathComponent("Dockerfile.1"), second = work.appendingPathComponent("Dockerfile.2")
        try Self.definition.write(to: first, atomically: true, encoding: .utf8)
        try Self.definition.replacingOccurrences(of: "echo one", with: "echo two").write(to: second, atomically: true, encoding: .utf8)

        // A build from Debian's packages with the CLI, its log streamed (on standard error) while it runs.
        let cold = try await cli.run(["templates", "build", "-f", first.path, "--name", "hello-tools", "-o", "json", context.path])
        #expect(cold.code == 0, "\(cold.err.suffix(2_000))")
        let built = try JSONSerialization.jsonObject(with: Data(cold.out.utf8)) as? [String: Any]
        #expect(built?["status"] as? String == "succeeded" && built?["steps"] as? Int == 3 && built?["cachedSteps"] as? Int == 0, "\(cold.out)")
        #expect(cold.err.contains("apt-get install") && cold.err.contains("Setting up hello"), "the log shows the steps: \(cold.err.suffix(1_000))")
        let log = try await api.templateBuildLog(try #require(built?["id"] as? String), from: 0)
        #expect(log.text.contains("STEP") && log.text.contains("Setting up hello"), "the log is kept with the build")
        let template = try #require(try await api.templates().first { $0.name == "hello-tools" })
        #expect(template.version == 1 && template.environment.additionalProperties["GREETING"] == "from-template")

        // A sandbox from it runs the package the host lacks, sees the template's root and not the host's.
        let sandbox = try await api.createSandbox(template: "hello-tools", command: []).id
        try await installation.wait(sandbox, for: .running)
        #expect(try await Self.run(api, sandbox, "hello") == "Hello, world!\n")
        #expect(try await Self.run(api, sandbox, "cat /opt/greeting.txt; echo $GREETING") == "hello from the build context\nfrom-template\n")
        #expect(try await Self.run(api, sandbox, "ls /opt; test -e /opt/swift/usr/bin/swift && echo HOST-VISIBLE; true") == "greeting.txt\nlast-step\n",
                "the host's /opt (its Swift toolchain) is not visible")
        #expect(try await Self.run(api, sandbox, "grep VERSION_CODENAME /etc/os-release") == "VERSION_CODENAME=bookworm\n")
        // The host's /usr has bubblewrap and debootstrap (this test needs them); the template's minimal Debian has neither.
        #expect(FileManager.default.fileExists(atPath: "/usr/bin/bwrap"))
        #expect(try await Self.run(api, sandbox, "ls /usr/bin/bwrap /usr/sbin/debootstrap 2>/dev/null; true") == "", "the host's /usr is not visible")
        #expect(try await Self.run(api, sandbox, "echo mine > /usr/local/written-here && cat /usr/local/written-here") == "mine\n",
                "the root is writable through the sandbox's own layer")

        // The same definition with only its last step changed reuses every step before it.
        let rebuilt = try await cli.run(["templates", "build", "-f", second.path, "--name", "hello-tools", "-o", "json", context.path])
        #expect(rebuilt.code == 0, "\(rebuilt.err.suffix(2_000))")
        let warm = try JSONSerialization.jsonObject(with: Data(rebuilt.out.utf8)) as? [String: Any]
        #expect(warm?["status"] as? String == "succeeded" && warm?["cachedSteps"] as? Int == 2, "\(rebuilt.out) \(rebuilt.err.suffix(1_000))")
        #expect(rebuilt.err.contains("CACHED"), "the log says which steps came from the cache: \(rebuilt.err.suffix(1_000))")
        #expect(try await api.templates().first { $0.name == "hello-tools" }?.version == 2)
        let listed = try await cli.run(["templates", "list"])
        #expect(listed.code == 0 && listed.out.contains("hello-tools:2") && listed.out.contains("hello-tools:1"), "\(listed.out)")

        // A snapshot of the sandbox with files written starts a new sandbox that has them.
        _ = try await Self.run(api, sandbox, "echo kept > /workspace/notes.txt && mkdir -p /srv && echo root-kept > /srv/made-here")
        let snapshot = try await cli.run(["sandboxes", "snapshot", sandbox, "--name", "prepared", "-o", "json"])
        let saved = try JSONSerialization.jsonObject(with: Data(snapshot.out.utf8)) as? [String: Any]
        #expect(snapshot.code == 0 && saved?["status"] as? String == "succeeded" && saved?["kind"] as? String == "snapshot", "\(snapshot.out) \(snapshot.err)")
        let restored = try await api.createSandbox(template: "prepared", command: []).id
        try await installation.wait(restored, for: .running)
        #expect(try await Self.run(api, restored, "cat /workspace/notes.txt /srv/made-here /usr/local/written-here; hello") == "kept\nroot-kept\nmine\nHello, world!\n")

        // Deleting a template in use is refused, naming the sandbox.
        let inUse = await SandboxWorkspaceTests.refusal { try await api.deleteTemplate("prepared") }
        #expect(inUse?.status == 409 && inUse?.message.contains(restored) == true, "\(String(describing: inUse))")

        // Another tenant neither sees nor uses the template (by name or digest), nor the build context.
        let home = try #require(try await api.tenants().first { $0.slug == "prod" }?.id)
        let other = try await api.createTenant(name: "Other", slug: "other")
        try await api.activateTenant(other.id)
        #expect(try await api.templates().isEmpty)
        let foreign = await SandboxWorkspaceTests.refusal { try await api.createSandbox(template: "hello-tools", command: []) }
        #expect(foreign?.status == 404, "\(String(describing: foreign))")
        let foreignDigest = await SandboxWorkspaceTests.refusal { try await api.createSandbox(template: template.digest, command: []) }
        #expect(foreignDigest?.status == 404)
        let foreignBuild = await SandboxWorkspaceTests.refusal { try await api.buildTemplate(name: "mine", definition: "FROM hello-tools\nRUN true", contextDigest: nil) }
        #expect(foreignBuild?.status == 404, "another tenant's template is no base either")
        try await api.activateTenant(home)

        // A warm pool of 2: a create claims a waiting sandbox (running at once) and the pool refills.
        let pool = try await cli.run(["templates", "pool", "hello-tools", "--size", "2"])
        #expect(pool.code == 0 && pool.out.contains("hello-tools:2"), "\(pool.out) \(pool.err)")
        try await Self.waitForMetric(installation.server, #"gstacks_warm_pool_total{event="refilled"}"#, atLeast: 2)
        try await Task.sleep(for: .seconds(3))  // the waiting sandboxes' starts complete
        let claimed = try await api.createSandbox(template: "hello-tools", command: [])
        #expect(claimed.state == .running, "a claimed sandbox is running when the create answers: \(claimed.state)")
        #expect(try await Self.run(api, claimed.id, "hello") == "Hello, world!\n")
        try await Self.waitForMetric(installation.server, #"gstacks_warm_pool_total{event="claimed"}"#, atLeast: 1)
        try await Self.waitForMetric(installation.server, #"gstacks_warm_pool_total{event="refilled"}"#, atLeast: 3)
        #expect(try await api.sandboxes().filter { $0.state != .terminated }.count == 3, "waiting sandboxes are not the tenant's to list")
    }

    static func run(_ api: GlobalStacksClient, _ sandbox: String, _ script: String) async throws -> String {
        let result = try await api.exec(sandbox, ["/bin/sh", "-c", script], timeoutSeconds: 60)
        if result.exitCode != 0 { Issue.record("\(script) exited \(String(describing: result.exitCode)): \(result.stderr)") }
        return result.stdout
    }

    /// Polls /metrics (≤ 60 s) until the counter reaches `atLeast`.
    static func waitForMetric(_ server: ServerProcess, _ name: String, atLeast: Double) async throws {
        var value = 0.0
        for _ in 0..<300 {
            let (data, _) = try await ServerProcess.session.data(from: server.url("/metrics"))
            let line = String(decoding: data, as: UTF8.self).split(separator: "\n").first { $0.hasPrefix(name) }
            value = line.flatMap { $0.split(separator: " ").last }.flatMap { Double($0) } ?? 0
            if value >= atLeast { return }
            try await Task.sleep(for: .milliseconds(200))
        }
        Issue.record("\(name) stayed at \(value), below \(atLeast)")
    }
}
