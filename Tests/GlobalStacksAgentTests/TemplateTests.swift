import Foundation
import GlobalStacksAgentProtocol
import Logging
import Testing

@testable import GlobalStacksAgent

/// Templates on a real agent host: debootstrap, bubblewrap over overlays, zstd archives, a local HTTP server as the
/// control plane. Skipped without root, bubblewrap, debootstrap or zstd, unless `GSTACKS_REQUIRE_TEMPLATES=1`.
@Suite("Templates", .serialized)
struct TemplateTests {
    @Test func aBuildFromDebianInstallsAPackageWithItsLogStreamedAndUploadsTheArchive() async throws {
        guard let fixture = try await TemplateFixture.get() else { return }
        let (result, log, _) = try await fixture.helloTemplate()
        #expect(log.contains("FROM debian:bookworm"))
        #expect(log.contains("STEP 1/2: RUN \(TemplateFixture.helloSteps[0])"), "\(log.suffix(2_000))")
        #expect(log.contains("Setting up hello"), "the step's own output is in the log")
        #expect(result.steps == 2)
        let tree = try await fixture.unpacked(result.digest)
        defer { try? FileManager.default.removeItem(at: tree) }
        #expect(FileManager.default.isExecutableFile(atPath: tree.appendingPathComponent("usr/bin/hello").path))
        #expect(try String(contentsOf: tree.appendingPathComponent("etc/gstacks-marker"), encoding: .utf8) == "built\n")
        #expect(FileManager.default.fileExists(atPath: fixture.store.path(hex: String(result.digest.dropFirst(7))).appendingPathComponent("usr/bin/hello").path),
                "kept in this agent's store")
    }

    @Test func aSecondBuildWithOnlyTheLastStepChangedReusesTheEarlierSteps() async throws {
        guard let fixture = try await TemplateFixture.get() else { return }
        let first = try await fixture.helloTemplate()
        let install = fixture.helloBuildSteps()[0]
        let (result, log) = try await fixture.build(fixture.payload([install, fixture.run("echo changed > /etc/gstacks-marker", after: [install])]))
        #expect(log.contains("CACHED RUN \(TemplateFixture.helloSteps[0])"), "\(log.prefix(2_000))")
        #expect(!log.contains("Setting up hello"), "the cached step did not run again")
        #expect(result.cachedSteps == 1 && result.steps == 2)
        #expect(result.digest != first.result.digest)
        let tree = try await fixture.unpacked(result.digest)
        defer { try? FileManager.default.removeItem(at: tree) }
        #expect(try String(contentsOf: tree.appendingPathComponent("etc/gstacks-marker"), encoding: .utf8) == "changed\n")
        #expect(FileManager.default.isExecutableFile(atPath: tree.appendingPathComponent("usr/bin/hello").path))
    }

    /// A step is root in its own user namespace, which is root outside it too: without capabilities and with /proc/sys
    /// read-only it can neither mount a fresh /proc nor write a sysctl (kernel.core_pattern would run its program as
    /// root on the host). The attempts write the value already there.
    @Test func aStepCannotMountProcNorWriteSysctls() async throws {
        guard let fixture = try await TemplateFixture.get() else { return }
        _ = try await fixture.helloTemplate()
        let install = fixture.helloBuildSteps()[0]
        let probe = fixture.run("""
            mkdir -p /probe; (mount -t proc proc /probe) 2>/dev/null && echo PROBE-MOUNTED || echo probe-mount-refused
            v=$(cat /proc/sys/kernel/core_pattern); (printf '%s\\n' "$v" > /proc/sys/kernel/core_pattern) 2>/dev/null && echo PROBE-WROTE || echo probe-sysctl-refused
            grep CapEff /proc/self/status
            """, after: [install])
        let (_, log) = try await fixture.build(fixture.payload([install, probe]))
        #expect(log.contains("probe-mount-refused") && log.contains("probe-sysctl-refused"), "\(log.suffix(1_000))")
        #expect(log.contains("CapEff:\t0000000000000000"), "\(log.suffix(1_000))")
    }

    @Test func aFailingStepFailsTheBuildWithItsOutputAndLeavesNoLayer() async throws {
        guard let fixture = try await TemplateFixture.get() else { return }
        _ = try await fixture.helloTemplate()
        let install = fixture.helloBuildSteps()[0]
        let failing = fixture.run("echo this-step-fails >&2; touch /half-written; exit 3", after: [install])
        do {
            _ = try await fixture.build(fixture.payload([install, failing]))
            Issue.record("the build succeeded")
        } catch let failure as TemplateFixture.BuildFailure {
            #expect(failure.error.contains("status 3") && failure.error.contains("this-step-fails"), "\(failure.error)")
            #expect(failure.log.contains("this-step-fails"))
        }
        let layers = TemplateFixture.cache.appendingPathComponent("layers")
        #expect(!FileManager.default.fileExists(atPath: layers.appendingPathComponent(String(failing.key.dropFirst(7))).path))
        #expect(try FileManager.default.contentsOfDirectory(atPath: layers.path).filter { $0.hasPrefix(".") }.isEmpty, "nothing half-written")
    }

    @Test func copyStepsTakeFilesOfTheContextAndStepsRunAsTheirUser() async throws {
        guard let fixture = try await TemplateFixture.get() else { return }
        _ = try await fixture.helloTemplate()
        let context = try await fixture.context(["app/main.sh": "echo app\n", "README": "read me\n"])
        let install = fixture.helloBuildSteps()[0]
        let copyApp = fixture.copy(["app"], to: "/opt/app", after: [install], context: context)
        let copyReadme = fixture.copy(["README"], to: "docs/", after: [install, copyApp], context: context)
        let whoami = fixture.run("id -un > /tmp/who && cp /tmp/who /etc/built-by && pwd > /etc/built-in", after: [install, copyApp, copyReadme], user: "nobody", workingDirectory: "/home/app")
        let (result, log) = try await fixture.build(fixture.payload([install, copyApp, copyReadme, whoami], context: context))
        #expect(log.contains("STEP 2/4: COPY app /opt/app"), "\(log.suffix(1_000))")
        let tree = try await fixture.unpacked(result.digest)
        defer { try? FileManager.default.removeItem(at: tree) }
        #expect(try String(contentsOf: tree.appendingPathComponent("opt/app/main.sh"), encoding: .utf8) == "echo app\n")
        #expect(try String(contentsOf: tree.appendingPathComponent("srv/docs/README"), encoding: .utf8) == "read me\n", "relative to the working directory")
        #expect(try String(contentsOf: tree.appendingPathComponent("etc/built-by"), encoding: .utf8) == "nobody\n")
        #expect(try String(contentsOf: tree.appendingPathComponent("etc/built-in"), encoding: .utf8) == "/home/app\n", "made when missing")
        #expect(!FileManager.default.fileExists(atPath: tree.appendingPathComponent("run/gstacks-context").path), "the context stays out of the template")

        let escaping = fixture.copy(["../etc"], to: "/x", after: [install], context: context)
        await #expect(throws: DriverError.self) { try await fixture.builder.build(fixture.payload([install, escaping], context: context), log: BuildLog(commandID: "c", window: CreditWindow(), sink: TemplateFixture.LogSink(window: CreditWindow()))) }
    }

    @Test func aCancelledBuildEndsItsStepsProcesses() async throws {
        guard let fixture = try await TemplateFixture.get() else { return }
        _ = try await fixture.helloTemplate()
        let marker = "gstacks-cancel-\(UUID().uuidString.prefix(8))"
        let install = fixture.helloBuildSteps()[0]
        let build = Task { try await fixture.build(fixture.payload([install, fixture.run("sleep 300 # \(marker)", after: [install])])) }
        func running() -> Bool {
            ((try? FileManager.default.contentsOfDirectory(atPath: "/proc")) ?? []).contains { pid in
                guard Int(pid) != nil, let line = FileManager.default.contents(atPath: "/proc/\(pid)/cmdline") else { return false }
                return String(decoding: line, as: UTF8.self).contains(marker)
            }
        }
        for _ in 0..<200 where !running() { try await Task.sleep(for: .milliseconds(50)) }
        #expect(running(), "the step started")
        build.cancel()
        _ = await build.result
        for _ in 0..<100 where running() { try await Task.sleep(for: .milliseconds(50)) }
        #expect(!running(), "the step's processes ended with the build")
    }

    /// A sandbox of the template, fetched by a store of its own from the server: it runs the template's program, sees
    /// nothing of the host's root, writes into its own layer, and a snapshot of it (a workspace file, a file in /opt)
    /// starts a new sandbox that has both.
    @Test func aSandboxFromTheTemplateSeesOnlyTheTemplateAndASnapshotKeepsItsFiles() async throws {
        guard let fixture = try await TemplateFixture.get() else { return }
        let (hello, _, _) = try await fixture.helloTemplate()
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("gstacks-template-sandboxes-\(UUID().uuidString.prefix(8))")
        defer { try? FileManager.default.removeItem(at: directory) }
        let store = try TemplateStore(directory: directory.appendingPathComponent("roots"), serverURL: fixture.serverURL, logger: Logger(label: "test"))
        let driver = try ProcessDriver(root: directory.appendingPathComponent("sandboxes"), templates: store, logger: Logger(label: "test"))
        let hostOnly = URL(fileURLWithPath: "/usr/local/share/gstacks-host-only-\(UUID().uuidString.prefix(8))")
        try "host".write(to: hostOnly, atomically: true, encoding: .utf8)
        defer { try? FileManager.default.removeItem(at: hostOnly) }

        var session = StartSessionPayload(sessionId: "tpl-\(UUID().uuidString.prefix(8).lowercased())")
        session.command = ["/bin/sleep", "600"]
        session.rootTemplate = fixture.artifact(hello)
        try await driver.start(session)
        defer { Task { [id = session.sessionId] in try? await driver.delete(id) } }
        let entry = try await driver.entry(session.sessionId)
        let argv = entry.processArgv!
        let greeting = try await runToEnd(argv(["hello"], [:], "."))
        #expect(greeting.status == 0 && greeting.output.contains("Hello, world!"), "\(greeting)")
        let host = try await runToEnd(argv(["/bin/sh", "-c", "test ! -e \(hostOnly.path) && test ! -e /opt/swift && test -d /workspace && id -u"], [:], "."))
        #expect(host.status == 0 && host.output == "65534\n", "the host's root is not visible: \(host)")
        let write = try await runToEnd(argv(["/bin/sh", "-c", "echo inside > /usr/local/made-inside && mkdir -p /opt/tool && echo tool > /opt/tool/file && echo note > /workspace/note.txt"], [:], "."))
        #expect(write.status == 0, "\(write)")
        let root = store.path(hex: String(hello.digest.dropFirst(7)))
        #expect(!FileManager.default.fileExists(atPath: root.appendingPathComponent("usr/local/made-inside").path), "the template's root is unchanged")
        let layer = SandboxLayer(driverRoot: directory.appendingPathComponent("sandboxes"), sessionID: session.sessionId)
        #expect(FileManager.default.fileExists(atPath: layer.upper.appendingPathComponent("usr/local/made-inside").path), "written into the sandbox's layer")

        let snapshot = try await fixture.builder.snapshot(SnapshotSessionPayload(sessionId: session.sessionId, upload: fixture.upload("snap")), driver: driver)
        #expect(snapshot.steps == 0 && snapshot.cachedSteps == 0)
        let after = try await runToEnd(argv(["/bin/true"], [:], "."))
        #expect(after.status == 0, "thawed after the snapshot")
        let tree = try await fixture.unpacked(snapshot.digest)
        defer { try? FileManager.default.removeItem(at: tree) }
        #expect(try String(contentsOf: tree.appendingPathComponent("workspace/note.txt"), encoding: .utf8) == "note\n")
        #expect(try String(contentsOf: tree.appendingPathComponent("opt/tool/file"), encoding: .utf8) == "tool\n")
        #expect(!FileManager.default.fileExists(atPath: tree.appendingPathComponent("workspace/output.log").path))
        #expect(FileManager.default.isExecutableFile(atPath: tree.appendingPathComponent("usr/bin/hello").path))

        var restored = StartSessionPayload(sessionId: "tpl-\(UUID().uuidString.prefix(8).lowercased())")
        restored.command = ["/bin/sleep", "600"]
        restored.rootTemplate = fixture.artifact(snapshot)
        try await driver.start(restored)
        defer { Task { [id = restored.sessionId] in try? await driver.delete(id) } }
        let files = try await runToEnd(try await driver.entry(restored.sessionId).processArgv!(["/bin/cat", "/workspace/note.txt", "/opt/tool/file"], [:], "."))
        #expect(files.status == 0 && files.output == "note\ntool\n", "\(files)")

        try await driver.delete(session.sessionId)
        #expect(!FileManager.default.fileExists(atPath: layer.directory.path), "the layer goes with the sandbox")
    }

    @Test func aReadinessCheckHoldsTheStartUntilItSucceeds() async throws {
        guard let fixture = try await TemplateFixture.get() else { return }
        let (hello, _, _) = try await fixture.helloTemplate()
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("gstacks-template-ready-\(UUID().uuidString.prefix(8))")
        defer { try? FileManager.default.removeItem(at: directory) }
        let driver = try ProcessDriver(root: directory, templates: fixture.store, logger: Logger(label: "test"))
        var session = StartSessionPayload(sessionId: "ready-\(UUID().uuidString.prefix(8).lowercased())")
        session.command = ["/bin/sh", "-c", "pwd > /tmp/cwd; sleep 1; touch /tmp/ready; exec sleep 600"]
        session.rootTemplate = fixture.artifact(hello)
        session.workingDirectory = "/usr/share"
        session.readyCommand = ["/usr/bin/test", "-e", "/tmp/ready"]
        let started = ContinuousClock.now
        try await driver.start(session)
        defer { Task { [id = session.sessionId] in try? await driver.delete(id) } }
        #expect(ContinuousClock.now - started >= .milliseconds(900), "started only once ready")
        let check = try await runToEnd(try await driver.entry(session.sessionId).processArgv!(["/bin/sh", "-c", "test -e /tmp/ready && cat /tmp/cwd"], [:], "."))
        #expect(check.status == 0 && check.output == "/usr/share\n", "the main process starts in the working directory: \(check)")
    }
}
